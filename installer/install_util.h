// Installer internals: files, subprocesses (git config), the install state file and shim markers.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detectors/util/result.h"

namespace vigil::installer {

/// Every file vigil writes as a hook carries this line, so uninstall never touches a foreign hook.
inline constexpr std::string_view kShimMarker = "# vigil-managed-hook";
/// Suffix under which a hook that was there before is kept (and still run) in repo mode.
inline constexpr std::string_view kChainedSuffix = ".vigil-chained";

bool is_vigil_shim(const std::string& path);
/// Writes `text` to `path` with mode 0755 (hooks) or 0644. The error names the path and a fix.
Result<void> write_file(const std::string& path, const std::string& text, bool executable);

/// Fails with a one-line "read-only" error unless `dir` can take new files. Root passes the
/// mode bits, so this also checks a read-only file system.
Result<void> check_writable_dir(const std::string& dir);

/// Creates `dir` and its missing parents; returns the ones it created (outermost first).
Result<std::vector<std::string>> create_dirs(const std::string& dir);

/// `git config <scope...> --get key`: nullopt when unset. `scope` is e.g. {"--global"} or
/// {"--file", path}; empty = the merged value seen from `cwd`.
std::optional<std::string> git_config_get(const std::vector<std::string>& scope, const std::string& key,
                                          const std::string& cwd = {});
Result<void> git_config_set(const std::vector<std::string>& scope, const std::string& key, const std::string& value);
/// Unsets `key` and drops its section when that leaves it empty, so the file reads as before.
Result<void> git_config_unset(const std::vector<std::string>& scope, const std::string& key);

/// What an install changed beyond the shims, so uninstall can put back exactly what was there:
/// one "key<TAB>value" line each.
struct InstallState {
  std::vector<std::string> created_dirs;   // removed on uninstall when empty
  std::vector<std::string> created_files;  // removed on uninstall when unchanged (see file_hashes)
  std::vector<std::string> file_hashes;    // parallel to created_files: content hash at install
  /// (config file or "--global", key, previous value or nullopt when unset).
  struct ConfigChange {
    std::string scope;
    std::string key;
    std::optional<std::string> previous;
  };
  std::vector<ConfigChange> config;

  bool empty() const { return created_dirs.empty() && created_files.empty() && config.empty(); }
};
std::optional<InstallState> load_state(const std::string& path);
Result<void> save_state(const std::string& path, const InstallState& state);

/// The scope argument list for a ConfigChange scope string.
std::vector<std::string> scope_args(const std::string& scope);

/// Hex hash of a file's bytes (for "unchanged since install").
std::string content_hash(const std::string& text);

/// Gives `path` to the owner of `like` when vigil runs as root (server repos belong to git).
void chown_like(const std::string& path, const std::string& like);

/// Compiles the rules of `policy` into the database cache of the user owning `owner_path` (the
/// hooks' user), so the first push does not pay for it; returns one line saying what it did.
std::string warm_rules_cache(const std::string& policy, const std::string& owner_path, const std::string& bin_dir);

}  // namespace vigil::installer
