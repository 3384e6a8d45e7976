// `vigil scan --history --repos FILE`: organisation-wide history scans, split into shards that CI
// engines run in parallel (GitLab `parallel:`, a GitHub Actions matrix, a Kubernetes Indexed Job),
// each shard shipping its results to the evidence database.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "detectors/cli/history_scan.h"
#include "detectors/util/result.h"

namespace vigil::cli {

struct FleetRepo {
  std::string spec;        // the line as given: a path or a clone URL
  std::uint64_t size = 0;  // bytes: the line's second column, else the repository's objects on disk, else 1
};

/// Reads a repository list: one path or URL a line, optionally followed by its size in bytes;
/// blank lines and lines starting with '#' are skipped.
Result<std::vector<FleetRepo>> read_repo_list(const std::string& path);

/// Splits `repos` into `n` shards of about equal size: largest first, each to the lightest shard
/// so far (ties to the lower shard). Every shard computes the same split from the same list.
std::vector<std::vector<std::size_t>> split_shards(const std::vector<FleetRepo>& repos, unsigned n);

struct Shard {
  unsigned index = 1;  // 1-based
  unsigned total = 1;
  std::string from;    // where it came from: "--shard", "GitLab CI_NODE_INDEX", ...
};

/// The shard to run: `--shard K/N` when given; else GitLab's CI_NODE_INDEX/CI_NODE_TOTAL
/// (1-based); else a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (0-based) with the total from
/// `total_flag` or VIGIL_SHARD_TOTAL; else 1/1. A GitHub Actions matrix passes --shard.
Result<Shard> choose_shard(const std::string& flag, unsigned total_flag, const std::function<const char*(const char*)>& env);

struct FleetArgs {
  std::string repos_file;
  std::string shard;         // "K/N"
  unsigned shard_total = 0;  // with JOB_COMPLETION_INDEX
  std::string db;            // ship each result (and share the clean-blob cache) there
  std::string output_dir;    // one JSON result per repository [default: vigil-fleet]
  HistoryArgs history;       // rules, config, jobs, incremental...
};

int run_fleet_scan(const FleetArgs& a);

}  // namespace vigil::cli
