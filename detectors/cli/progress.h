// Progress: the live progress line of directory and history scans (files or blobs, bytes, rate,
// ETA, a bar), on stderr and only when stderr is a terminal and the user did not ask for quiet.
// CI logs never see it.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace vigil::cli {

class Progress {
 public:
  /// `unit` names what is counted ("files", "blobs"). `on` false makes every call a no-op.
  Progress(bool on, std::size_t total, std::string unit);
  /// Thread-safe; redraws at most every 100 ms (and at the last item).
  void update(std::size_t done, std::uint64_t bytes);
  /// Clears the line.
  void finish();

 private:
  bool on_;
  std::size_t total_;
  std::string unit_;
  std::chrono::steady_clock::time_point t0_, last_{};
  std::mutex mu_;
};

/// Whether a scan should draw progress: stderr is a terminal, not --quiet, and NO_PROGRESS unset.
bool progress_wanted(bool quiet);

}  // namespace vigil::cli
