// PushPaths: the few paths of a commit's tree that a push gate must compare with the names a
// commit adds (case and Unicode collisions), without listing the whole tree for every commit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/git/repo.h"
#include "detectors/util/result.h"

namespace vigil::git {

/// The non-tree paths of `commit`'s tree that may collide with one of `names` when case and
/// Unicode normalization are ignored, sorted. A superset: the walk descends only into entries
/// whose name equals the name's component at that depth ASCII-case-insensitively, and into any
/// entry where either name has a non-ASCII byte (the caller applies the exact collision key).
/// Costs the directories along the names' paths instead of the whole tree.
Result<std::vector<std::string>> tree_paths_like(const Repo& repo, const std::string& commit,
                                                 const std::vector<std::string>& names);

/// The 1-based inclusive line ranges of `new_bytes` that `old_bytes` does not have (git's diff,
/// no context; none when git sees binary content). What a push judges in a modified file.
Result<std::vector<std::pair<std::size_t, std::size_t>>> added_line_ranges(std::string_view old_bytes,
                                                                           std::string_view new_bytes);

}  // namespace vigil::git
