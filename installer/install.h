// Installer: puts vigil's hook shims into a repository's hooks directory, chaining existing hooks.
#pragma once

#include <string>
#include <vector>

#include "detectors/util/result.h"

namespace vigil {

struct InstallOptions {
  std::string repo_path = ".";         // any path inside the repository
  std::vector<std::string> hooks;      // default: pre-commit, commit-msg, pre-push
  std::string bin_dir;                 // where vigil-<hook> binaries live; default: beside `vigil`
  bool dry_run = false;
};

struct InstallResult {
  std::string hooks_dir;
  std::vector<std::string> messages;  // one line per action taken
};

/// Installs shims. Respects core.hooksPath. An existing, foreign hook is kept as
/// `<hook>.vigil-chained` and still runs first, keeping its exit status. Installing twice is a no-op.
Result<InstallResult> install_hooks(const InstallOptions& opts);

/// Removes vigil's shims and restores chained hooks exactly as they were.
Result<InstallResult> uninstall_hooks(const InstallOptions& opts);

/// The shim text for one hook (exposed for tests).
std::string shim_text(const std::string& hook, const std::string& binary);

/// Directory of the running executable.
std::string self_dir();

}  // namespace vigil
