#include "detectors/cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "detectors/util/text.h"

namespace vigil::cli {

Progress::Progress(bool on, std::size_t total, std::string unit)
    : on_(on && total > 0), total_(total), unit_(std::move(unit)), t0_(std::chrono::steady_clock::now()) {}

void Progress::update(std::size_t done, std::uint64_t bytes) {
  if (!on_) return;
  std::lock_guard lk(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100) && done != total_) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - t0_).count();
  const double rate = secs > 0 ? static_cast<double>(bytes) / secs : 0;
  const double eta = done > 0 ? secs * static_cast<double>(total_ - done) / static_cast<double>(done) : 0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * static_cast<double>(done) / static_cast<double>(total_));
  fmt::print(stderr, "\r\x1b[Kvigil: [{}{}] {}/{} {}  {}  {}/s  ETA {:.0f}s", std::string(filled, '#'),
             std::string(kWidth - filled, '.'), done, total_, unit_, human_size(bytes),
             human_size(static_cast<std::uint64_t>(rate)), eta);
}

void Progress::finish() {
  if (on_) fmt::print(stderr, "\r\x1b[K");
}

bool progress_wanted(bool quiet) {
  if (quiet) return false;
  if (const char* p = std::getenv("NO_PROGRESS"); p && *p) return false;
  return isatty(STDERR_FILENO) != 0;
}

}  // namespace vigil::cli
