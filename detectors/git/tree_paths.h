// TreePaths: every path of an index or a commit's tree, for checks that look beyond the changed
// files (a new file whose name collides, by case, with one already there).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/git/repo.h"

namespace vigil::git {

/// The paths (stage 0 and conflict stages, deduplicated, sorted) of the index at `index_file`
/// (git's GIT_INDEX_FILE; empty = the repository's index).
Result<std::vector<std::string>> index_paths(const Repo& repo, const std::string& index_file);

/// The blob, symlink and submodule paths in the tree of `rev` whose key equals the key of one of
/// `names` (key_of folds case, for example). Only directories whose names match a component of a
/// wanted name are read, so the cost follows the names, not the size of the tree. An unborn HEAD
/// has no paths.
Result<std::vector<std::string>> matching_tree_paths(const Repo& repo, const std::string& rev,
                                                     const std::vector<std::string>& names,
                                                     const std::function<std::string(std::string_view)>& key_of);

}  // namespace vigil::git
