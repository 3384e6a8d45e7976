// `vigil install --global`: one hooks directory for every repository of this user, set as the
// global core.hooksPath. Its shims also run the hooks that were active before (the previous global
// hooks dir, else each repository's own $GIT_DIR/hooks), so nothing a repository relied on stops.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "detectors/report/report.h"
#include "detectors/util/read_file.h"
#include "installer/install.h"
#include "installer/install_util.h"

namespace fs = std::filesystem;

namespace vigil::installer {

namespace {

// Hooks git would no longer find in $GIT_DIR/hooks once core.hooksPath points here; each gets a
// pass-through shim. push-to-checkout is left out on purpose: its mere presence changes what
// `receive.denyCurrentBranch=updateInstead` does.
const std::vector<std::string> kPassThroughHooks = {
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-merge-commit", "prepare-commit-msg",
    "post-commit", "pre-rebase", "post-checkout", "post-merge", "post-rewrite",
    "pre-auto-gc", "sendemail-validate"};

constexpr std::string_view kStateFile = ".vigil-install.state";

std::string normalize(std::string p) {
  if (!p.empty() && p[0] == '~') {
    const char* home = std::getenv("HOME");
    p = (home ? std::string(home) : std::string()) + p.substr(1);
  }
  std::string s = fs::path(p).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// Finds the hook that was active before: sets $other (empty when there is none).
std::string other_hook_lookup(const std::string& hook, const std::optional<std::string>& previous) {
  return fmt::format(R"(# The hook that was active before: {where}.
other=
if [ -z "$VIGIL_IN_GLOBAL_HOOK" ]; then
  previous='{previous}'
  if [ -n "$previous" ]; then
    other="$previous/{hook}"
  else
    other="$(git rev-parse --git-common-dir 2>/dev/null)/hooks/{hook}"
  fi
  [ -f "$other" ] && [ -x "$other" ] || other=
fi
export VIGIL_IN_GLOBAL_HOOK=1
)",
                     fmt::arg("where", previous ? "the hooks dir core.hooksPath named before (" + *previous + ")"
                                                : std::string("this repository's own $GIT_DIR/hooks")),
                     fmt::arg("previous", previous.value_or("")), fmt::arg("hook", hook));
}

std::string global_shim_text(const std::string& hook, const std::string& binary,
                             const std::optional<std::string>& previous) {
  return fmt::format(R"(#!/bin/sh
{marker} (vigil {version}) — global hooks dir of `vigil install --global`;
# `vigil uninstall --global` restores the previous core.hooksPath. Runs the previous hook first
# (its failure stops here, with its exit status), then vigil.
{lookup}vigil_bin='{binary}'
[ -x "$vigil_bin" ] || vigil_bin=$(command -v vigil-{hook} || true)
if [ -z "$vigil_bin" ]; then
  echo "vigil: error: vigil-{hook} not found — reinstall vigil, or run \`vigil uninstall --global\`" >&2
  exit 2
fi
if [ -n "$other" ]; then
  # A repository that has vigil's own shim runs vigil (and its chained hook) through it.
  if grep -q '{marker}' "$other" 2>/dev/null; then exec "$other" "$@"; fi
  case "{hook}" in
    pre-push)
      input=$(mktemp) || exit 2
      trap 'rm -f "$input"' EXIT
      cat >"$input"
      "$other" "$@" <"$input" || exit $?
      "$vigil_bin" "$@" <"$input"
      exit $?
      ;;
  esac
  "$other" "$@" || exit $?
fi
exec "$vigil_bin" "$@"
)",
                     fmt::arg("marker", kShimMarker), fmt::arg("version", vigil_version()), fmt::arg("hook", hook),
                     fmt::arg("binary", binary), fmt::arg("lookup", other_hook_lookup(hook, previous)));
}

std::string pass_through_text(const std::string& hook, const std::optional<std::string>& previous) {
  return fmt::format(R"(#!/bin/sh
{marker} (vigil {version}) — pass-through of `vigil install --global`: vigil does not judge
# {hook}; this only keeps running the hook that was active before.
{lookup}[ -n "$other" ] && exec "$other" "$@"
exit 0
)",
                     fmt::arg("marker", kShimMarker), fmt::arg("version", vigil_version()), fmt::arg("hook", hook),
                     fmt::arg("lookup", other_hook_lookup(hook, previous)));
}

std::string global_dir(const InstallOptions& opts) {
  return normalize(opts.global_dir.empty() ? default_global_hooks_dir() : opts.global_dir);
}

}  // namespace

Result<InstallResult> install_global(const InstallOptions& opts) {
  const std::string dir = global_dir(opts);
  const std::string state_file = (fs::path(dir) / kStateFile).string();
  InstallResult res;
  res.hooks_dirs.push_back(dir);
  const std::string bin_dir = opts.bin_dir.empty() ? self_dir() : opts.bin_dir;
  std::error_code ec;

  auto state = load_state(state_file).value_or(InstallState{});
  const auto current = git_config_get({"--global"}, "core.hooksPath");
  const bool already = current && normalize(*current) == dir;
  // What was active before: recorded at the first install, so a second one cannot lose it.
  std::optional<std::string> previous = current;
  if (already) {
    previous.reset();
    for (const auto& c : state.config) {
      if (c.key == "core.hooksPath") previous = c.previous;
    }
  }

  std::vector<std::pair<std::string, std::string>> files;  // (name, text)
  const auto& hooks = opts.hooks.empty() ? client_hooks() : opts.hooks;
  for (const auto& hook : hooks) {
    const std::string binary = (fs::path(bin_dir) / ("vigil-" + hook)).string();
    if (!fs::exists(binary, ec)) {
      if (opts.hooks.empty()) continue;
      return make_error(ErrorCode::Usage, fmt::format("no vigil-{} binary in {} — build it or pass --bin-dir", hook, bin_dir));
    }
    files.emplace_back(hook, global_shim_text(hook, binary, previous));
  }
  for (const auto& hook : kPassThroughHooks) files.emplace_back(hook, pass_through_text(hook, previous));

  // A file of another tool in this directory would be silently replaced: refuse instead.
  for (const auto& [name, text] : files) {
    const std::string p = (fs::path(dir) / name).string();
    if ((fs::exists(p, ec) || fs::is_symlink(p, ec)) && !is_vigil_shim(p)) {
      return make_error(ErrorCode::Io, fmt::format("{} exists and is not vigil's — choose another directory with "
                                                   "--hooks-dir, or move that file away",
                                                   p));
    }
  }

  if (fs::is_directory(dir, ec)) {
    if (!opts.dry_run) {
      if (auto w = check_writable_dir(dir); !w) return w.error();
    }
  } else if (!opts.dry_run) {
    auto created = create_dirs(dir);
    if (!created) return created.error();
    state.created_dirs.insert(state.created_dirs.end(), created->begin(), created->end());
    res.messages.push_back(fmt::format("created {}", dir));
  }

  std::size_t written = 0;
  for (const auto& [name, text] : files) {
    const std::string p = (fs::path(dir) / name).string();
    if (read_whole_file(p).value_or("") == text) continue;
    ++written;
    if (!opts.dry_run) {
      if (auto w = write_file(p, text, true); !w) return w.error();
    }
  }
  if (written) {
    res.messages.push_back(fmt::format("wrote {} hook{} ({} vigil, {} pass-through)", written, written == 1 ? "" : "s",
                                       files.size() - kPassThroughHooks.size(), kPassThroughHooks.size()));
  }

  if (already) {
    res.messages.push_back(written ? "core.hooksPath already points here; updated the shims"
                                   : "already installed (core.hooksPath points here)");
  } else {
    if (!opts.dry_run) {
      state.config.erase(std::remove_if(state.config.begin(), state.config.end(),
                                        [](const auto& c) { return c.key == "core.hooksPath"; }),
                         state.config.end());
      state.config.push_back({"--global", "core.hooksPath", current});
      if (auto s = save_state(state_file, state); !s) return s.error();
      if (auto s = git_config_set({"--global"}, "core.hooksPath", dir); !s) return s.error();
    }
    res.messages.push_back(current ? fmt::format("set global core.hooksPath (was {}; its hooks still run first)", *current)
                                   : "set global core.hooksPath (each repository's own hooks still run first)");
  }
  return res;
}

Result<InstallResult> uninstall_global(const InstallOptions& opts) {
  const std::string dir = global_dir(opts);
  const std::string state_file = (fs::path(dir) / kStateFile).string();
  InstallResult res;
  res.hooks_dirs.push_back(dir);
  std::error_code ec;
  const auto state = load_state(state_file);
  const auto current = git_config_get({"--global"}, "core.hooksPath");
  if (current && normalize(*current) == dir) {
    std::optional<std::string> previous;
    if (state) {
      for (const auto& c : state->config) {
        if (c.key == "core.hooksPath") previous = c.previous;
      }
    }
    if (!opts.dry_run) {
      auto r = previous ? git_config_set({"--global"}, "core.hooksPath", *previous)
                        : git_config_unset({"--global"}, "core.hooksPath");
      if (!r) return r.error();
    }
    res.messages.push_back(previous ? fmt::format("restored global core.hooksPath = {}", *previous)
                                    : "unset global core.hooksPath (as before)");
  } else if (current) {
    res.messages.push_back(fmt::format("global core.hooksPath is {} (not vigil's), left alone", *current));
  }
  if (!fs::is_directory(dir, ec)) return res;
  std::size_t removed = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() == kStateFile || !is_vigil_shim(entry.path().string())) continue;
    ++removed;
    if (!opts.dry_run) {
      fs::remove(entry.path(), ec);
      if (ec) {
        return make_error(ErrorCode::Io, fmt::format("cannot remove {}: {} — make {} writable or run as its owner",
                                                     entry.path().string(), ec.message(), dir));
      }
    }
  }
  if (removed) res.messages.push_back(fmt::format("removed {} hook{} from {}", removed, removed == 1 ? "" : "s", dir));
  if (!opts.dry_run && state) {
    fs::remove(state_file, ec);
    for (auto it = state->created_dirs.rbegin(); it != state->created_dirs.rend(); ++it) {
      if (fs::is_directory(*it, ec) && fs::is_empty(*it, ec)) fs::remove(*it, ec);
    }
  }
  return res;
}

}  // namespace vigil::installer
