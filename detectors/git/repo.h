// Repo: libgit2 access (open, read blobs and files at revisions). Only detectors/git includes git2.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detectors/util/result.h"

struct git_repository;

namespace vigil::git {

/// Initialises libgit2 for the life of the object. One per main().
class LibGit2Session {
 public:
  LibGit2Session();
  ~LibGit2Session();
  LibGit2Session(const LibGit2Session&) = delete;
  LibGit2Session& operator=(const LibGit2Session&) = delete;
};

/// The message of libgit2's last error, prefixed with `what`. The one libgit2 error conversion.
Error git_error(std::string_view what);

class Repo {
 public:
  /// Client hooks and the CLI: discover from `start`, honouring GIT_DIR by hand (libgit2 1.5's
  /// OPEN_FROM_ENV fails when git exports GIT_WORK_TREE to a hook).
  static Result<Repo> discover(const std::string& start);
  /// Server hooks: honour GIT_DIR, GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES, so
  /// the quarantined objects of a push are visible.
  static Result<Repo> open_from_env();

  Repo(Repo&&) noexcept;
  Repo& operator=(Repo&&) noexcept;
  ~Repo();

  /// Work tree root with a trailing '/' removed; empty for a bare repository.
  std::string workdir() const;
  std::string git_dir() const;
  bool is_bare() const;

  /// The bytes of a blob. A missing object is an error that names it.
  Result<std::string> read_blob(const std::string& oid_hex) const;
  /// The bytes of a staged blob of `size` bytes at `path`, read from the work tree file when it
  /// hashes to exactly that blob id (usual right after `git add`; no inflating); nullopt otherwise,
  /// and the caller reads the object store. Does not call libgit2, so threads may call it while
  /// another uses the repository.
  std::optional<std::string> worktree_blob(const std::string& oid_hex, const std::string& path, std::uint64_t size) const;
  /// The bytes of `path` in the tree of `rev`; nullopt when the path or the revision is absent.
  Result<std::optional<std::string>> read_file_at(const std::string& rev, const std::string& path) const;
  /// The mode and object id of `path` in the tree of `rev`; nullopt when the path or the revision
  /// is absent.
  std::optional<std::pair<std::uint32_t, std::string>> entry_at(const std::string& rev, const std::string& path) const;
  /// The commit id `rev` resolves to; nullopt when it does not resolve (unborn HEAD).
  std::optional<std::string> resolve(const std::string& rev) const;
  /// A config value of this repository (merged with global config), if set.
  std::optional<std::string> config_string(const std::string& key) const;

  /// True when `path` (relative to the work tree; a directory may end in '/') is ignored by
  /// .gitignore, .git/info/exclude or core.excludesFile.
  bool is_ignored(const std::string& path) const;

  git_repository* raw() const { return repo_.get(); }

 private:
  struct Free {
    void operator()(git_repository* r) const noexcept;
  };
  explicit Repo(git_repository* r) : repo_(r) {}
  std::unique_ptr<git_repository, Free> repo_;
};

}  // namespace vigil::git
