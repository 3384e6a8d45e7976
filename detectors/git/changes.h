// Changes: what a hook judges. Staged changes (index vs HEAD) for pre-commit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/git/repo.h"

namespace vigil::git {

enum class ChangeKind { Added,
                        Modified,
                        Deleted,
                        Renamed,
                        Copied,
                        TypeChange };
const char* to_string(ChangeKind k);

struct FileChange {
  ChangeKind kind = ChangeKind::Modified;
  std::string path;      // new path (old path for deletions)
  std::string old_path;  // for renames and copies
  std::string blob;      // new blob id (empty for deletions)
  std::string old_blob;
  std::uint32_t mode = 0;  // new file mode (0100644, 0100755, 0120000, 0160000)
  std::uint32_t old_mode = 0;
  std::uint64_t size = 0;  // new blob size
  bool binary = false;     // libgit2 saw binary content
  /// 1-based inclusive ranges of added lines in the new blob.
  std::vector<std::pair<std::size_t, std::size_t>> added_lines;
};

/// Parses `git diff-index -z --no-abbrev` raw output (":<modes> <ids> <status>\0path\0[path\0]").
/// Unmerged entries are skipped. Exposed for tests and fuzzing.
Result<std::vector<FileChange>> parse_diff_raw_z(std::string_view raw);

/// The index at `index_file` (git's GIT_INDEX_FILE; empty = the repository's index) against
/// HEAD, or against the empty tree before the first commit. Renames are detected. The index is read
/// in this process when it can be (index_diff.h), else git computes the list (`git diff-index`;
/// VIGIL_INDEX_VIA_GIT=1 forces that); sizes come from object headers, and no blob is read:
/// added_lines and binary stay empty until diff_staged_file.
Result<std::vector<FileChange>> staged_changes(const Repo& repo, const std::string& index_file);

/// The same list as `git diff-index --cached -M <base_tree>` prints it (no sizes): the path taken
/// when the in-process reader (index_diff.h) declines. Exposed for tests that compare the two.
Result<std::vector<FileChange>> staged_changes_via_git(const Repo& repo, const std::string& index_file,
                                                       const std::string& base_tree);

/// Fills added_lines (1-based ranges of the new blob that the commit adds) and binary (git's NUL
/// heuristic) by diffing the change's old and new blobs.
Result<void> diff_staged_file(const Repo& repo, FileChange& c);

}  // namespace vigil::git
