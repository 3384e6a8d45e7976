// `vigil scan --history`: every blob reachable from the refs (or a range), each read once.
#pragma once

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
  bool accept_on_limit = false;  // --on-limit accept
};

/// Runs the history scan and returns the exit code (0 allowed, 1 blocked, 2 error).
int run_history_scan(const HistoryArgs& args);

}  // namespace vigil::cli
