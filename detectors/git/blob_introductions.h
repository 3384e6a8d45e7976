// BlobIntroductions: every path at which given blobs enter a history. A history scan reads each
// blob once, at the first path the walk meets it; the same bytes put at other paths (a copy, a
// rename, a directory copied whole) are found here, so each path is reported and judged.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "detectors/git/commit_walk.h"
#include "detectors/git/history_walk.h"

namespace vigil::git {

struct BlobIntroduction {
  std::string blob;  // hex id
  std::string path;
  HistoryCommit commit;  // its ordinal numbers the commits as walk_history does
};

/// Walks the commits `opts` selects in walk_history's order and lists, for each blob of
/// `wanted` (hex ids), each path where a commit's tree holds it and its first parent's tree does
/// not, once per (blob, path), at the first such commit. Subtrees without any wanted blob are
/// read once and then skipped, so the cost is about one read of every distinct tree.
Result<std::vector<BlobIntroduction>> blob_introductions(const Repo& repo, const WalkOptions& opts,
                                                         const std::unordered_set<std::string>& wanted);

}  // namespace vigil::git
