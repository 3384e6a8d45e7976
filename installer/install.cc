#include "installer/install.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "detectors/git/repo.h"
#include "detectors/report/report.h"
#include "detectors/util/read_file.h"
#include "installer/install_util.h"

namespace fs = std::filesystem;

namespace vigil {

using installer::is_vigil_shim;
using installer::kChainedSuffix;

namespace {

struct RepoDirs {
  std::string hooks_dir;
  std::string common_dir;  // where the install state lives (outside the hooks dir, which we may create)
};

std::string expand_home(std::string v) {
  if (!v.empty() && v[0] == '~') {
    const char* home = std::getenv("HOME");
    v = (home ? std::string(home) : std::string()) + v.substr(1);
  }
  return v;
}

Result<RepoDirs> repo_dirs(const std::string& repo_path) {
  auto repo = git::Repo::discover(repo_path);
  if (!repo) return repo.error();
  RepoDirs d;
  // Linked work trees share hooks with the main repository (the common dir).
  std::string common = repo->git_dir();
  const fs::path commondir_file = fs::path(common) / "commondir";
  std::error_code ec;
  if (fs::exists(commondir_file, ec)) {
    std::string rel = read_whole_file(commondir_file.string()).value_or("");
    while (!rel.empty() && (rel.back() == '\n' || rel.back() == '\r')) rel.pop_back();
    common = (fs::path(common) / rel).lexically_normal().string();
  }
  while (common.size() > 1 && common.back() == '/') common.pop_back();
  d.common_dir = common;
  fs::path dir;
  if (auto hp = repo->config_string("core.hooksPath"); hp && !hp->empty()) {
    dir = fs::path(expand_home(*hp));
    // git resolves a relative core.hooksPath against where hooks run: the work tree, or the git dir.
    if (dir.is_relative()) dir = fs::path(repo->is_bare() ? repo->git_dir() : repo->workdir()) / dir;
  } else {
    dir = fs::path(common) / "hooks";
  }
  d.hooks_dir = dir.lexically_normal().string();
  while (d.hooks_dir.size() > 1 && d.hooks_dir.back() == '/') d.hooks_dir.pop_back();
  return d;
}

std::string state_path(const RepoDirs& d) { return (fs::path(d.common_dir) / "vigil-install.state").string(); }

}  // namespace

const std::vector<std::string>& client_hooks() {
  static const std::vector<std::string> hooks = {"pre-commit", "commit-msg", "pre-push"};
  return hooks;
}

std::string self_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::string default_global_hooks_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return (fs::path(x) / "vigil" / "hooks").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home ? home : ".") / ".config" / "vigil" / "hooks").string();
}

Result<std::string> effective_hooks_dir(const std::string& repo_path) {
  auto d = repo_dirs(repo_path);
  if (!d) return d.error();
  return d->hooks_dir;
}

std::string shim_text(const std::string& hook, const std::string& binary) {
  // Hooks that read stdin (pre-push, pre-receive) must hand the same bytes to both programs, so
  // with a chained hook the input goes through a temporary file; without one, vigil gets stdin.
  return fmt::format(R"(#!/bin/sh
{marker} (vigil {version}) — installed by `vigil install`; `vigil uninstall` restores the previous hook.
# A hook that was here before is kept as {hook}{suffix} and runs first; its failure stops here.
chained="$(dirname "$0")/{hook}{suffix}"
vigil_bin='{binary}'
[ -x "$vigil_bin" ] || vigil_bin=$(command -v vigil-{hook} || true)
if [ -z "$vigil_bin" ]; then
  echo "vigil: error: vigil-{hook} not found — reinstall vigil, or run \`vigil uninstall\`" >&2
  exit 2
fi
if [ -x "$chained" ]; then
  case "{hook}" in
    pre-push|pre-receive|post-receive|post-rewrite|reference-transaction)
      input=$(mktemp) || exit 2
      trap 'rm -f "$input"' EXIT
      cat >"$input"
      "$chained" "$@" <"$input" || exit $?
      "$vigil_bin" "$@" <"$input"
      exit $?
      ;;
  esac
  "$chained" "$@" || exit $?
fi
exec "$vigil_bin" "$@"
)",
                     fmt::arg("marker", installer::kShimMarker), fmt::arg("version", vigil_version()),
                     fmt::arg("hook", hook), fmt::arg("suffix", kChainedSuffix), fmt::arg("binary", binary));
}

namespace installer {

Result<InstallResult> install_repo(const InstallOptions& opts) {
  auto dirs = repo_dirs(opts.repo_path);
  if (!dirs) return dirs.error();
  const std::string& dir = dirs->hooks_dir;
  InstallResult res;
  res.hooks_dirs.push_back(dir);
  const auto& hooks = opts.hooks.empty() ? client_hooks() : opts.hooks;
  const std::string bin_dir = opts.bin_dir.empty() ? self_dir() : opts.bin_dir;
  std::error_code ec;

  // Check everything before touching anything, so a failure leaves the tree as it was.
  std::vector<std::string> todo;
  for (const auto& hook : hooks) {
    const std::string binary = (fs::path(bin_dir) / ("vigil-" + hook)).string();
    if (!fs::exists(binary, ec)) {
      if (opts.hooks.empty()) continue;  // this build has no such hook
      return make_error(ErrorCode::Usage, fmt::format("no vigil-{} binary in {} — build it or pass --bin-dir", hook, bin_dir));
    }
    const fs::path target = fs::path(dir) / hook;
    const fs::path chained = fs::path(dir) / (hook + std::string(kChainedSuffix));
    const bool ours = is_vigil_shim(target.string());
    if (!ours && (fs::exists(target, ec) || fs::is_symlink(target, ec)) &&
        (fs::exists(chained, ec) || fs::is_symlink(chained, ec))) {
      return make_error(ErrorCode::Io, fmt::format("both {} and {} exist — move one of them away, then run `vigil install` again",
                                                   target.string(), chained.string()));
    }
    todo.push_back(hook);
  }
  const bool dir_exists = fs::is_directory(dir, ec);
  if (dir_exists && !opts.dry_run) {
    if (auto w = check_writable_dir(dir); !w) return w.error();
  }
  if (!dir_exists && !opts.dry_run) {
    auto created = create_dirs(dir);
    if (!created) return created.error();
    if (!created->empty()) {
      // Remember what we created, so uninstall leaves no empty directory behind.
      InstallState st = load_state(state_path(*dirs)).value_or(InstallState{});
      for (const auto& c : *created) st.created_dirs.push_back(c);
      if (auto s = save_state(state_path(*dirs), st); !s) return s.error();
      res.messages.push_back(fmt::format("created {}", dir));
    }
  }

  for (const auto& hook : todo) {
    const fs::path target = fs::path(dir) / hook;
    const fs::path chained = fs::path(dir) / (hook + std::string(kChainedSuffix));
    const std::string binary = (fs::path(bin_dir) / ("vigil-" + hook)).string();
    const std::string text = shim_text(hook, binary);
    if (is_vigil_shim(target.string())) {
      if (read_whole_file(target.string()).value_or("") == text) {
        res.messages.push_back(fmt::format("{}: already installed", hook));
        continue;
      }
      // Another vigil version, or a vigil binary at another path: replace the shim in place;
      // the chained hook (if any) stays where it is.
      res.messages.push_back(fmt::format("{}: updated the vigil shim (another version or binary path)", hook));
    } else if (fs::exists(target, ec) || fs::is_symlink(target, ec)) {
      if (!opts.dry_run) {
        fs::rename(target, chained, ec);
        if (ec) {
          return make_error(ErrorCode::Io, fmt::format("cannot keep the existing hook {}: {} — check the permissions of {}",
                                                       target.string(), ec.message(), dir));
        }
      }
      res.messages.push_back(fmt::format("{}: kept the existing hook as {}{} (it still runs first)", hook, hook, kChainedSuffix));
    } else {
      res.messages.push_back(fmt::format("{}: installed", hook));
    }
    if (opts.dry_run) continue;
    if (auto w = write_file(target.string(), text, true); !w) return w.error();
  }
  return res;
}

Result<InstallResult> uninstall_repo(const InstallOptions& opts) {
  auto dirs = repo_dirs(opts.repo_path);
  if (!dirs) return dirs.error();
  const std::string& dir = dirs->hooks_dir;
  InstallResult res;
  res.hooks_dirs.push_back(dir);
  const auto& hooks = opts.hooks.empty() ? client_hooks() : opts.hooks;
  std::error_code ec;
  for (const auto& hook : hooks) {
    const fs::path target = fs::path(dir) / hook;
    const fs::path chained = fs::path(dir) / (hook + std::string(kChainedSuffix));
    if (!is_vigil_shim(target.string())) {
      if (fs::exists(target, ec)) res.messages.push_back(fmt::format("{}: not a vigil hook, left alone", hook));
      continue;
    }
    if (opts.dry_run) {
      res.messages.push_back(fmt::format("{}: would remove", hook));
      continue;
    }
    fs::remove(target, ec);
    if (ec) {
      return make_error(ErrorCode::Io, fmt::format("cannot remove {}: {} — make {} writable (chmod u+w) or run as its owner",
                                                   target.string(), ec.message(), dir));
    }
    if (fs::exists(chained, ec) || fs::is_symlink(chained, ec)) {
      // A rename keeps the hook's bytes, mode and timestamps: the directory reads as before.
      fs::rename(chained, target, ec);
      if (ec) return make_error(ErrorCode::Io, fmt::format("cannot restore {}: {}", target.string(), ec.message()));
      res.messages.push_back(fmt::format("{}: removed; restored the previous hook", hook));
    } else {
      res.messages.push_back(fmt::format("{}: removed", hook));
    }
  }
  // Directories install created go too, once nothing else lives in them.
  if (!opts.dry_run && opts.hooks.empty()) {
    if (auto st = load_state(state_path(*dirs))) {
      for (auto it = st->created_dirs.rbegin(); it != st->created_dirs.rend(); ++it) {
        if (fs::is_directory(*it, ec) && fs::is_empty(*it, ec)) fs::remove(*it, ec);
      }
      fs::remove(state_path(*dirs), ec);
    }
  }
  return res;
}

}  // namespace installer

Result<InstallResult> install(const InstallOptions& opts) {
  switch (opts.mode) {
    case InstallMode::Repo: return installer::install_repo(opts);
    case InstallMode::Global: return installer::install_global(opts);
    case InstallMode::Server: return installer::install_server(opts);
  }
  return make_error(ErrorCode::Internal, "unknown install mode");
}

Result<InstallResult> uninstall(const InstallOptions& opts) {
  switch (opts.mode) {
    case InstallMode::Repo: return installer::uninstall_repo(opts);
    case InstallMode::Global: return installer::uninstall_global(opts);
    case InstallMode::Server: return installer::uninstall_server(opts);
  }
  return make_error(ErrorCode::Internal, "unknown install mode");
}

}  // namespace vigil
