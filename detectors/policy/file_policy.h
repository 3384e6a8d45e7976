// FilePolicy: which file changes may land, whatever their content. [[files]] rules (glob + change
// type + size, binary, symlink, submodule and LFS limits) and the repository-wide path checks
// (case or Unicode-normalization collisions, unsafe names, path traversal). Git-agnostic: blob
// contents come through a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/finding.h"
#include "detectors/git/changes.h"
#include "detectors/policy/policy_action.h"
#include "detectors/util/result.h"

namespace vigil {

/// Change types a [[files]] rule watches (`on = [...]`). A change can be several at once: a
/// rename that also edits the file is rename + modify.
enum ChangeType : unsigned {
  kOnAdd = 1u << 0,
  kOnModify = 1u << 1,
  kOnDelete = 1u << 2,
  kOnRename = 1u << 3,
  kOnMode = 1u << 4,  // file mode changed (e.g. became executable), or file <-> symlink
  kOnAll = (1u << 5) - 1,
};
/// The change types of one change.
unsigned change_types(const git::FileChange& c);

enum class SymlinkPolicy { Allow,
                           Deny,
                           Inside };

/// One [[files]] entry. With no limit set (max_size, binary, symlink, submodule, lfs_over), the
/// matching change itself is forbidden; with limits, only changes that break one are reported.
struct FileRule {
  std::string id;                  // "files.<n>" unless given
  std::vector<std::string> globs;  // gitignore-style; empty = every path
  unsigned on = kOnAll;
  PolicyAction action = PolicyAction::Block;
  std::optional<std::uint64_t> max_size;
  bool deny_binary = false;  // binary = false
  SymlinkPolicy symlink = SymlinkPolicy::Allow;
  bool deny_submodule = false;  // submodule = false
  std::optional<std::uint64_t> lfs_over;
  std::string reason;  // shown to the user; required
  std::string where;   // "file:line" of the entry
  bool has_limits() const;
};

/// The repository-wide checks, on by default (block). An entry `[[files]] id = "files.unsafe-name"`
/// with `action = "warn"` or `"off"` and a `reason` tunes one.
struct PathCheck {
  PolicyAction action = PolicyAction::Block;
  std::string reason;
  bool named = false;  // the file tunes it (else a repository inherits the server floor's setting)
};

inline constexpr std::string_view kCaseCollisionId = "files.case-collision";
inline constexpr std::string_view kUnsafeNameId = "files.unsafe-name";
inline constexpr std::string_view kPathTraversalId = "files.path-traversal";

struct FilePolicy {
  std::vector<FileRule> rules;
  PathCheck case_collision{PolicyAction::Block,
                           "these paths are one file on case-insensitive or normalizing file systems "
                           "(macOS, Windows): checkouts there lose one of them"};
  PathCheck unsafe_name{PolicyAction::Block,
                        "this name cannot be checked out on some systems (Windows reserved name, "
                        "trailing dot or space) or is not valid UTF-8 text"};
  PathCheck path_traversal{PolicyAction::Block,
                           "a '..' or '.git' component can write outside the work tree or into "
                           "the repository's own files"};
};

/// Reads a blob by id (symlink targets, LFS pointers, binary sniffing). Called only when needed.
using BlobReader = std::function<Result<std::string>(const std::string& blob_id)>;

/// One entry of the tree a change produces: its mode (0120000 for a symlink) and object id.
struct TreeEntry {
  std::uint32_t mode = 0;
  std::string id;
};
/// Looks a path up in that tree; nullopt when there is no such entry.
using TreeLookup = std::function<Result<std::optional<TreeEntry>>(const std::string& path)>;

/// What one file-policy evaluation looks at.
struct FileCheckInput {
  const std::vector<git::FileChange>* changes = nullptr;
  /// Every path of the resulting tree (or index), for collisions with files already there. May be
  /// null: then only the changed paths are compared with each other.
  const std::vector<std::string>* tree_paths = nullptr;
  BlobReader read_blob;       // may be empty: checks that need contents then read nothing
  TreeLookup lookup;          // may be empty: symlink targets are then resolved lexically only
  std::string commit;         // set on the findings when known (push time)
  Mode mode = Mode::Enforce;  // settings.mode
};

/// Applies the rules and the path checks. A failed blob read is an error (fail closed).
Result<std::vector<Finding>> check_file_changes(const FilePolicy& policy, const FileCheckInput& in);

// Building blocks, exposed for tests and for `vigil` commands.

/// The key under which two paths collide: NFC-normalized and case-folded (ASCII fast path).
std::string collision_key(std::string_view path);
/// Why a path is unsafe to check out ("Windows reserved name 'aux'"), or nullopt.
std::optional<std::string> unsafe_name_problem(std::string_view path);
/// Why a path escapes the work tree or reaches into .git, or nullopt.
std::optional<std::string> traversal_problem(std::string_view path);
/// True when `target` of a symlink at `link_path` stays inside the repository (lexically).
bool symlink_stays_inside(std::string_view link_path, std::string_view target);
/// The same, resolving each component through the symlinks of the tree (`lookup`, `read`) as a
/// checkout would: "d/.." where d is a link to "../.." leaves the repository even though it
/// reads as "." lexically. More than 40 links followed (a loop) counts as leaving it.
Result<bool> symlink_resolves_inside(std::string_view link_path, std::string_view target, const TreeLookup& lookup,
                                     const BlobReader& read);
/// True when `bytes` is a Git LFS pointer file (version line, oid sha256, size).
bool is_lfs_pointer(std::string_view bytes);

}  // namespace vigil
