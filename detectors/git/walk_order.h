// WalkOrder: the commits a walk visits, parents before children (internal to detectors/git:
// libgit2 types). Shared by the push walk (walk_commits) and the streaming history walk.
#pragma once

#include <git2.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#include "detectors/git/commit_walk.h"

namespace vigil::git {

struct OidHash {
  std::size_t operator()(const git_oid& o) const noexcept {
    std::size_t h;
    std::memcpy(&h, o.id, sizeof h);
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const noexcept { return git_oid_equal(&a, &b); }
};
using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;

struct WalkOrder {
  std::vector<git_oid> commits;  // reachable from the starts and not hidden, oldest first
  OidSet shallow;                // commits a shallow clone cut off from their parents
};

/// The commits a shallow clone has cut off from their parents ($GIT_DIR/shallow); empty when the
/// repository is not shallow.
OidSet shallow_commits(git_repository* r);

/// Parents of `id` that the clone has (none for a shallow boundary).
Result<std::vector<git_oid>> parents_of(git_repository* r, const git_oid& id, const OidSet& shallow);

/// `t` (seconds since the epoch) as ISO 8601 in UTC, as reports show commit dates.
std::string iso_time(std::int64_t t);

/// The commits `opts` selects (include/hide/all_refs/hide_ref_globs), topologically sorted with
/// parents first; a shallow clone is walked by hand, stopping at its boundaries.
Result<WalkOrder> walk_order(const Repo& repo, const WalkOptions& opts);

}  // namespace vigil::git
