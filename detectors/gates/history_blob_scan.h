// HistoryBlobScan: a history scan as a pipeline. The commit walk hands batches of new blobs to
// scan workers through a short queue and goes on walking while they read and scan.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "detectors/git/history_walk.h"
#include "detectors/pipeline.h"
#include "detectors/report/report.h"

namespace vigil {

struct HistoryScanOptions {
  /// Threads in all, the walking one included: with 1, the walk scans each batch itself.
  unsigned jobs = 1;
  /// Opens a repository handle for a worker (libgit2 handles are not shared across threads).
  std::function<Result<git::Repo>()> open_repo;
  /// Called with the number of commits to walk, then with (commits walked, bytes scanned).
  std::function<void(std::size_t)> on_commit_count;
  std::function<void(std::size_t, std::uint64_t)> progress;
  /// Packed blobs are read by git::PackReader (one per thread, no shared lock), the rest and
  /// whatever it declines through libgit2. False: everything through libgit2.
  bool pack_reader = true;
  /// Blobs already known clean (incremental scans): not read, still counted as scanned.
  std::function<bool(const git::ObjectId&)> known_clean;
  /// Blobs scanned without a finding or a skip, a batch at a time (never concurrently).
  std::function<void(const std::vector<git::ObjectId>&)> on_clean;
};

/// Scans every new blob of the commits `walk` selects, each once, appending findings (attributed
/// to the commit that introduced the blob) and skips to `report`; a blob that matched a rule is
/// reported at each other path it was introduced at too (a copy, a rename), as its own finding.
/// The order does not depend on the number of threads. `commit_order` receives, for each commit that a finding or a
/// skip names, its position in walk order (for keep_first_introduction).
Result<git::HistoryWalkSummary> scan_history(const Engine& engine, const git::Repo& repo, const git::HistoryWalkOptions& walk,
                                             const HistoryScanOptions& opts, ScanReport& report,
                                             std::unordered_map<std::string, std::size_t>& commit_order);

}  // namespace vigil
