// BlobScan: scans the unique blobs of a commit walk in parallel, one ScanSession per worker.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "detectors/git/commit_walk.h"
#include "detectors/pipeline.h"
#include "detectors/report/report.h"

namespace vigil {

struct BlobScanOptions {
  unsigned jobs = 1;
  /// Opens a repository handle for a worker (libgit2 handles are not shared across threads).
  std::function<Result<git::Repo>()> open_repo;
  /// Polled between blobs; true stops the scan with a Timeout error.
  std::function<bool()> should_stop;
};

/// Scans `walk.blobs`, appending findings (attributed to the commit that introduced the blob)
/// and skips to `report`.
Result<void> scan_walk_blobs(const Engine& engine, const git::WalkResult& walk, const BlobScanOptions& opts,
                             ScanReport& report);

/// Masks any secret in the `author` of `findings` ("Name <email>" of the commit): a leaking
/// identity is quoted by every finding of its commit, and reports and audit records print it.
Result<void> mask_authors(const Engine& engine, std::vector<Finding>& findings);

/// Keeps one finding per (rule, fingerprint): the one from the earliest commit.
void keep_first_introduction(std::vector<Finding>& findings, const git::WalkResult& walk);
/// The same, with each commit's position in walk order given by `commit_order` (commit id to
/// position; a history scan holds no list of commits).
void keep_first_introduction(std::vector<Finding>& findings, const std::unordered_map<std::string, std::size_t>& commit_order);

}  // namespace vigil
