// CommitWalk: the commits and blobs a push or a history scan must judge, each blob once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/git/changes.h"
#include "detectors/git/object_id.h"
#include "detectors/git/repo.h"

namespace vigil::git {

struct WalkCommit {
  std::string id;
  std::string author;  // "Name <email>"
  std::string author_email;
  std::string committer;  // "Name <email>"
  std::string committer_email;
  std::string date;       // ISO 8601 (author time, UTC)
  std::int64_t time = 0;  // committer time, seconds since the epoch
  std::string message;    // empty in history mode (see walk_commits)
  std::size_t parents = 0;
};

/// Another path at which a listed blob is introduced (see BlobRef::more_sites): exemptions are
/// scoped by path, so the blob is judged again at each one.
struct BlobSite {
  std::string path;
  std::size_t commit = 0;  // index into WalkResult::commits
  /// As in BlobRef: a modified file's previous blob, whose lines are not new at this path.
  std::string old_blob;
  std::string old_path;  // a rename's previous path (the old lines were judged there)
  bool whole_blob = true;
};

/// One blob to scan, attributed to the first commit (in walk order) that introduced it.
struct BlobRef {
  std::string blob;
  std::string path;
  std::size_t commit = 0;  // index into WalkResult::commits
  std::uint64_t size = 0;
  /// For a modified file with line tracking: 1-based inclusive added line ranges; empty with
  /// whole_blob set means every line is new.
  std::vector<std::pair<std::size_t, std::size_t>> added_lines;
  bool whole_blob = true;
  /// With track_lines, a modified file's previous blob: added_lines are computed from it where the
  /// blob is read for scanning (git::added_line_ranges), in parallel and without reading the new
  /// blob twice. whole_blob is false and added_lines empty until then.
  std::string old_blob;
  std::string old_path;  // a rename's previous path
  /// Every other (path, first commit) at which the walk's commits introduce this same blob, each
  /// path once. The bytes are read once; the scan decides per path (gates/blob_scan.cc).
  std::vector<BlobSite> more_sites;
};

struct WalkOptions {
  std::vector<std::string> include;         // commit ids to start from (new tips)
  std::vector<std::string> hide;            // commit ids whose ancestry is already judged
  bool all_refs = false;                    // include every ref (history scans)
  std::vector<std::string> hide_ref_globs;  // e.g. "refs/remotes/origin/*" (pre-push)
  bool hide_all_refs = false;               // hide every existing ref (pre-receive)
  bool track_lines = false;                 // modified files: scan only added lines
  bool keep_changes = false;                // keep each commit's FileChange list (file policy)
  bool detect_renames = false;
  std::int64_t since = 0;         // skip commits older than this (committer time)
  std::size_t max_blob_size = 0;  // blobs over this are listed but flagged (0 = no limit)
};

struct WalkResult {
  std::vector<WalkCommit> commits;               // oldest first
  std::vector<std::vector<FileChange>> changes;  // per commit, when keep_changes
  std::vector<BlobRef> blobs;                    // unique ids, in discovery order, with every path
  /// Commits of a shallow clone whose parents are not in the clone: their whole tree counts as
  /// new, and the history before them was not judged (callers report it).
  std::vector<std::string> shallow_boundaries;
};

/// Walks the commits reachable from `include` (or all refs) and not from `hide`, oldest first,
/// and lists every blob they introduce. `should_stop` is polled (deadline). History scans use
/// walk_history (history_walk.h) instead: it streams the blobs and holds no list of them.
Result<WalkResult> walk_commits(const Repo& repo, const WalkOptions& opts,
                                const std::function<bool()>& should_stop = {});

}  // namespace vigil::git
