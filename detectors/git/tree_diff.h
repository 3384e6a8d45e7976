// TreeDiff: what changed between two trees, descending only into subtrees whose ids differ.
// Internal to detectors/git (libgit2 types). The push walk uses it directly for the common commit
// (files modified or added, nothing deleted, no directory appearing or vanishing) and only asks
// libgit2 for a full diff, with rename detection, when a commit needs one.
#pragma once

#include <git2.h>

#include <string>
#include <vector>

#include "detectors/util/result.h"

namespace vigil::git {

/// One changed name. A side that is absent has mode 0. A directory present on one side only, or
/// replaced by a file (or the reverse), is one entry with old_is_tree / new_is_tree set: its files
/// are not listed.
struct TreeChange {
  std::string path;
  git_oid old_id{};
  git_oid new_id{};
  unsigned old_mode = 0;
  unsigned new_mode = 0;
  bool old_is_tree = false;
  bool new_is_tree = false;
};

/// Appends the changes between trees `a` and `b` (either may be null: empty), in no particular order.
Result<void> diff_trees(git_repository* repo, const git_tree* a, const git_tree* b, std::vector<TreeChange>& out);

}  // namespace vigil::git
