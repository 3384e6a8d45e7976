// CommitPaths: the paths a commit changes against its first parent (every path of its tree for a
// root commit), for rules that ask "does this commit touch a protected path?".
#pragma once

#include <string>
#include <vector>

#include "detectors/git/repo.h"
#include "detectors/util/result.h"

namespace vigil::git {

/// Every file path added, modified, deleted or renamed (both names) by commit `id` against its
/// first parent, sorted and unique. A merge is compared with its first parent: what it brings
/// onto the branch. A missing commit is an error naming it.
Result<std::vector<std::string>> commit_changed_paths(const Repo& repo, const std::string& id);

}  // namespace vigil::git
