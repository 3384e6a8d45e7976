// HistoryWalk: the blobs a history scan reads, streamed in batches while the commits are walked,
// each blob once and attributed to the first commit (in walk order) that introduced it.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/git/commit_walk.h"
#include "detectors/git/object_id.h"
#include "detectors/git/pack_reader.h"

namespace vigil::git {

/// A commit as a finding names it.
struct HistoryCommit {
  std::string id;
  std::string author;         // "Name <email>"
  std::string date;           // ISO 8601 author date, UTC
  std::uint32_t ordinal = 0;  // position in walk order: "first introduction" compares these
};

/// One new unique blob. Its path lives in the batch's `paths` (one string per batch, not one
/// allocation per blob).
struct HistoryBlob {
  ObjectId id;
  std::uint64_t size = 0;
  std::uint32_t commit = 0;  // index into HistoryBatch::commits
  std::uint32_t path_begin = 0;
  std::uint32_t path_size = 0;
  /// Where it is packed (an index into HistoryWalkOptions::packs), kNotPacked if it is not.
  std::uint32_t pack = kNotPacked;
  std::uint64_t offset = 0;
  static constexpr std::uint32_t kNotPacked = UINT32_MAX;
};

/// The new blobs of consecutive commits, in the order to read them: packed ones by delta family
/// (the blobs whose delta chains end at the same whole object), each family by position in the
/// pack, last first (git writes a delta after its base: reading backwards resolves a deep delta
/// first and leaves its bases in the reader's delta-base cache for the rest of the family);
/// objects not in a pack last.
struct HistoryBatch {
  std::vector<HistoryCommit> commits;  // only those that introduced a blob of this batch
  std::vector<HistoryBlob> blobs;
  std::string paths;
  std::string_view path(const HistoryBlob& b) const { return {paths.data() + b.path_begin, b.path_size}; }
};

struct HistoryWalkOptions {
  WalkOptions walk;  // which commits: include, hide, all_refs, since
  /// The packs whose numbering HistoryBlob::pack uses (built from objects_dir(repo) when null).
  const PackedObjects* packs = nullptr;
  /// Where the walk's reads of the packs are counted (see PackedObjects::touched): the walking
  /// thread's, shared with the reader it scans blobs with. Its own when null.
  std::shared_ptr<Residency> residency;
  /// The first batch is handed over at `first_batch_blobs` blobs, so that scanning starts
  /// early; each next one holds twice as many, up to `batch_blobs`. A delta family split across
  /// batches is inflated once per batch; larger batches start the other threads later and grow
  /// with history (docs/performance.md).
  std::size_t first_batch_blobs = 256;
  std::size_t batch_blobs = 16384;
  /// Called once the commits are known, with their number (before --since is applied).
  std::function<void(std::size_t)> on_commit_count;
  /// Called after each commit with the number of commits walked so far.
  std::function<void(std::size_t)> on_commit_done;
  std::function<bool()> should_stop;
  /// A second look at a few blobs (see gates/history_blob_scan.cc): when set, only the blobs it
  /// returns true for are listed, each at every path where a commit introduces it (every changed
  /// entry, not only the first), and a tree holding one is never taken as fully seen. Used to
  /// judge again, at their other paths, blobs whose first path is exempt.
  std::function<bool(const ObjectId&)> every_path_of;
};

struct HistoryWalkSummary {
  std::size_t commits = 0;  // judged (after --since)
  std::size_t blobs = 0;    // unique blobs handed over
  /// Commits of a shallow clone whose parents are not in the clone (see WalkResult).
  std::vector<std::string> shallow_boundaries;
};

/// The object directory whose packs a history walk numbers: `objects` under the common dir.
std::string objects_dir(const Repo& repo);

using HistoryBatchSink = std::function<Result<void>(HistoryBatch&&)>;

/// Walks the commits `opts.walk` selects, oldest first, comparing each commit's tree with its
/// first parent's by a merge of their sorted entries that skips any subtree already fully
/// listed, and hands each batch of new blobs to `emit` as soon as it is full (the last one at the
/// end). What the walk keeps grows only with the number of objects in the repository, one bit per
/// packed object for "seen" and one for "every blob under this tree seen"; no list of blobs or
/// commits is held. An error from `emit` stops the walk and is returned.
Result<HistoryWalkSummary> walk_history(const Repo& repo, const HistoryWalkOptions& opts, const HistoryBatchSink& emit);

}  // namespace vigil::git
