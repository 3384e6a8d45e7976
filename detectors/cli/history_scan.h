// `vigil scan --history`: every blob reachable from the refs (or a range), each read once.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace vigil::cli {

struct HistoryArgs {
  std::string repo = ".";
  std::string range;  // "A..B"
  std::string since;  // "2024-01-01" or seconds since the epoch
  std::vector<std::string> branches;
  std::string format = "text";
  std::string output;
  std::string config;
  std::string fail_on;
  std::string baseline;
  unsigned jobs = 0;
  bool quiet = false;
  bool incremental = false;
  /// Incremental scans shared beyond this machine (fleet scans with --db): blob ids (hex) known
  /// clean under the rules key (the cache file's name), loaded before the scan, and the ids this
  /// scan found clean, handed back after it.
  std::function<std::vector<std::string>(const std::string& rules_key)> preload_clean;
  std::function<void(const std::string& rules_key, const std::vector<std::string>& ids)> on_clean_blobs;
  bool accept_on_limit = false;  // --on-limit accept
};

/// Runs the history scan and returns the exit code (0 allowed, 1 blocked, 2 error).
int run_history_scan(const HistoryArgs& args);

}  // namespace vigil::cli
