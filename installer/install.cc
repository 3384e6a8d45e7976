#include "installer/install.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "detectors/git/repo.h"

namespace fs = std::filesystem;

namespace vigil {

namespace {

constexpr std::string_view kMarker = "# vigil-managed-hook";
const std::vector<std::string> kDefaultHooks = {"pre-commit", "commit-msg", "pre-push"};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_vigil_shim(const fs::path& p) {
  return read_file(p).find(kMarker) != std::string::npos;
}

Result<std::string> hooks_dir_for(const std::string& repo_path) {
  auto repo = git::Repo::discover(repo_path);
  if (!repo) return repo.error();
  fs::path dir;
  if (auto hp = repo->config_string("core.hooksPath")) {
    std::string v = *hp;
    if (!v.empty() && v[0] == '~') {
      const char* home = std::getenv("HOME");
      v = (home ? std::string(home) : std::string()) + v.substr(1);
    }
    dir = fs::path(v);
    if (dir.is_relative()) dir = fs::path(repo->is_bare() ? repo->git_dir() : repo->workdir()) / dir;
  } else {
    // Linked work trees share hooks with the main repository (the common dir).
    std::string common = repo->git_dir();
    const fs::path commondir_file = fs::path(common) / "commondir";
    if (fs::exists(commondir_file)) {
      std::string rel = read_file(commondir_file);
      while (!rel.empty() && (rel.back() == '\n' || rel.back() == '\r')) rel.pop_back();
      common = (fs::path(common) / rel).lexically_normal().string();
    }
    dir = fs::path(common) / "hooks";
  }
  return dir.lexically_normal().string();
}

}  // namespace

std::string self_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::string shim_text(const std::string& hook, const std::string& binary) {
  // Hooks that read stdin (pre-push, pre-receive) must hand the same lines to both programs.
  return fmt::format(R"(#!/bin/sh
{marker} — installed by `vigil install`; `vigil uninstall` restores the previous hook.
# A hook that was here before is kept as {hook}.vigil-chained and runs first.
hook_dir=$(dirname "$0")
chained="$hook_dir/{hook}.vigil-chained"
vigil_bin='{binary}'
if [ ! -x "$vigil_bin" ]; then
  vigil_bin=$(command -v vigil-{hook} || true)
fi
if [ -z "$vigil_bin" ]; then
  echo "vigil: error: vigil-{hook} not found — reinstall vigil or run \`vigil uninstall\`" >&2
  exit 2
fi
case "{hook}" in
  pre-push|pre-receive|post-receive|reference-transaction)
    input=$(cat)
    if [ -x "$chained" ]; then
      printf '%s\n' "$input" | "$chained" "$@" || exit $?
    fi
    printf '%s\n' "$input" | "$vigil_bin" "$@"
    exit $?
    ;;
esac
if [ -x "$chained" ]; then
  "$chained" "$@" || exit $?
fi
exec "$vigil_bin" "$@"
)",
                     fmt::arg("marker", kMarker), fmt::arg("hook", hook), fmt::arg("binary", binary));
}

Result<InstallResult> install_hooks(const InstallOptions& opts) {
  auto dir = hooks_dir_for(opts.repo_path);
  if (!dir) return dir.error();
  InstallResult res;
  res.hooks_dir = *dir;
  const auto hooks = opts.hooks.empty() ? kDefaultHooks : opts.hooks;
  const std::string bin_dir = opts.bin_dir.empty() ? self_dir() : opts.bin_dir;
  std::error_code ec;
  if (!opts.dry_run) {
    fs::create_directories(*dir, ec);
    if (ec) return make_error(ErrorCode::Io, fmt::format("cannot create hooks directory '{}': {} — check permissions", *dir, ec.message()));
  }
  for (const auto& hook : hooks) {
    const fs::path target = fs::path(*dir) / hook;
    const fs::path chained = fs::path(*dir) / (hook + ".vigil-chained");
    const std::string binary = (fs::path(bin_dir) / ("vigil-" + hook)).string();
    if (!fs::exists(binary)) {
      if (opts.hooks.empty()) continue;  // this build has no such hook
      return make_error(ErrorCode::Usage, fmt::format("no vigil-{} binary in {} — build it or pass --bin-dir", hook, bin_dir));
    }
    const std::string text = shim_text(hook, binary);
    if (fs::exists(target) && is_vigil_shim(target)) {
      if (read_file(target) == text) {
        res.messages.push_back(fmt::format("{}: already installed", hook));
        continue;
      }
      if (!opts.dry_run) fs::remove(target, ec);
      res.messages.push_back(fmt::format("{}: updated the vigil shim", hook));
    } else if (fs::exists(target) || fs::is_symlink(target)) {
      if (fs::exists(chained)) {
        return make_error(ErrorCode::Io, fmt::format("both {} and {} exist — move one of them away, then run `vigil install` again",
                                                     target.string(), chained.string()));
      }
      if (!opts.dry_run) {
        fs::rename(target, chained, ec);
        if (ec) return make_error(ErrorCode::Io, fmt::format("cannot keep the existing hook {}: {} — check permissions", target.string(), ec.message()));
      }
      res.messages.push_back(fmt::format("{}: kept the existing hook as {}.vigil-chained (it still runs first)", hook, hook));
    } else {
      res.messages.push_back(fmt::format("{}: installed", hook));
    }
    if (opts.dry_run) continue;
    {
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) {
        return make_error(ErrorCode::Io, fmt::format("cannot write {} — is the hooks directory read-only? (check permissions)", target.string()));
      }
    }
    fs::permissions(target, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec, ec);
  }
  return res;
}

Result<InstallResult> uninstall_hooks(const InstallOptions& opts) {
  auto dir = hooks_dir_for(opts.repo_path);
  if (!dir) return dir.error();
  InstallResult res;
  res.hooks_dir = *dir;
  const auto hooks = opts.hooks.empty() ? kDefaultHooks : opts.hooks;
  std::error_code ec;
  for (const auto& hook : hooks) {
    const fs::path target = fs::path(*dir) / hook;
    const fs::path chained = fs::path(*dir) / (hook + ".vigil-chained");
    if (!fs::exists(target) || !is_vigil_shim(target)) {
      if (fs::exists(target)) res.messages.push_back(fmt::format("{}: not a vigil hook, left alone", hook));
      continue;
    }
    if (opts.dry_run) continue;
    fs::remove(target, ec);
    if (ec) return make_error(ErrorCode::Io, fmt::format("cannot remove {}: {}", target.string(), ec.message()));
    if (fs::exists(chained) || fs::is_symlink(chained)) {
      fs::rename(chained, target, ec);
      if (ec) return make_error(ErrorCode::Io, fmt::format("cannot restore {}: {}", target.string(), ec.message()));
      res.messages.push_back(fmt::format("{}: removed; restored the previous hook", hook));
    } else {
      res.messages.push_back(fmt::format("{}: removed", hook));
    }
  }
  return res;
}

}  // namespace vigil
