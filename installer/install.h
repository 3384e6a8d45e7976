// Installer: puts vigil's hook shims where git (or GitLab, or Gitea) runs them, keeping whatever
// hooks were there before, and takes them out again leaving the tree as it was.
#pragma once

#include <string>
#include <vector>

#include "detectors/util/result.h"

namespace vigil {

enum class InstallMode {
  Repo,    // <repo>/.git/hooks, or the repository's core.hooksPath
  Global,  // a hooks directory of vigil's own, set as `git config --global core.hooksPath`
  Server,  // bare repositories on a server: pre-receive (and update)
};

/// Where a server keeps per-repository hooks.
enum class ServerLayout {
  Plain,     // <repo>.git/hooks/pre-receive (an existing hook is chained)
  GitLab,    // <repo>.git/custom_hooks/pre-receive.d/vigil (Gitaly runs every file there)
  Gitea,     // <repo>.git/hooks/pre-receive.d/vigil (Gitea's and Forgejo's dispatcher runs them)
  Gitolite,  // a gitolite common hook (hooks/common/pre-receive), linked into every repository
};

struct InstallOptions {
  InstallMode mode = InstallMode::Repo;
  std::string repo_path = ".";     // Repo: any path inside the repository
  std::vector<std::string> hooks;  // Repo/Global: default pre-commit, commit-msg, pre-push
  std::string bin_dir;             // where vigil-<hook> binaries live; default: beside `vigil`
  bool dry_run = false;
  // Global
  std::string global_dir;  // default: $XDG_CONFIG_HOME/vigil/hooks (~/.config/vigil/hooks)
  // Server
  std::vector<std::string> server_paths;  // bare repositories (GitLab/Gitea: the <name>.git dirs)
  ServerLayout layout = ServerLayout::Plain;
  bool with_update = false;   // also the update hook (per-ref verdicts)
  std::string policy_file;    // default: <repo>/vigil-policy.toml, scaffolded when missing
  bool warm_cache = true;     // compile the rules database once so the first push need not
  std::string gitolite_home;  // Gitolite: the gitolite user's HOME [default: $HOME]
};

struct InstallResult {
  std::vector<std::string> hooks_dirs;
  std::vector<std::string> messages;  // one line per action taken
};

/// Installs according to opts.mode. Installing twice is a no-op; installing over another vigil
/// version's shims updates them. Errors are one line with a fix (read-only directory, a foreign
/// file in vigil's place, a missing binary).
Result<InstallResult> install(const InstallOptions& opts);

/// Undoes install(): removes vigil's shims, restores chained hooks, unsets what install set and
/// removes the files and directories it created (when unchanged), byte for byte.
Result<InstallResult> uninstall(const InstallOptions& opts);

/// The shim text for one hook in a repository's hooks dir (exposed for tests).
std::string shim_text(const std::string& hook, const std::string& binary);

/// Directory of the running executable.
std::string self_dir();

/// The default global hooks directory: $XDG_CONFIG_HOME/vigil/hooks or ~/.config/vigil/hooks.
std::string default_global_hooks_dir();

/// The hooks directory git uses for the repository at `repo_path` (core.hooksPath aware; linked
/// work trees share the main repository's).
Result<std::string> effective_hooks_dir(const std::string& repo_path);

/// The client hooks vigil ships, in the order git runs them.
const std::vector<std::string>& client_hooks();

namespace installer {
// One per mode (repo: install.cc, global: global_install.cc, server: server_install.cc).
Result<InstallResult> install_repo(const InstallOptions& opts);
Result<InstallResult> uninstall_repo(const InstallOptions& opts);
Result<InstallResult> install_global(const InstallOptions& opts);
Result<InstallResult> uninstall_global(const InstallOptions& opts);
Result<InstallResult> install_server(const InstallOptions& opts);
Result<InstallResult> uninstall_server(const InstallOptions& opts);
Result<InstallResult> install_gitolite(const InstallOptions& opts);  // gitolite_install.cc
Result<InstallResult> uninstall_gitolite(const InstallOptions& opts);
}  // namespace installer

}  // namespace vigil
