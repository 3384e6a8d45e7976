// TreePaths: every path of an index or a commit's tree, for checks that look beyond the changed
// files (a new file whose name collides, by case, with one already there).
#pragma once

#include <string>
#include <vector>

#include "detectors/git/repo.h"

namespace vigil::git {

/// The paths (stage 0 and conflict stages, deduplicated, sorted) of the index at `index_file`
/// (git's GIT_INDEX_FILE; empty = the repository's index).
Result<std::vector<std::string>> index_paths(const Repo& repo, const std::string& index_file);

/// The blob, symlink and submodule paths of the tree of `rev` (a commit id or any revision).
Result<std::vector<std::string>> tree_paths(const Repo& repo, const std::string& rev);

}  // namespace vigil::git
