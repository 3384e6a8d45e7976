#include "detectors/util/trace.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace vigil {

bool trace_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("VIGIL_TRACE");
    return v && *v && std::string_view(v) != "0";
  }();
  return on;
}

void trace(std::string_view what) {
  if (!trace_enabled()) return;
  // CPU-clock of the process would hide waiting; the monotonic clock since the process began is
  // what the user waits for. /proc/self/stat's start time is in clock ticks (10 ms): too coarse,
  // so the first trace call sets the origin and each line also says how long since the previous.
  static std::mutex mu;  // the hook traces from its loader thread too
  const std::lock_guard lock(mu);
  static timespec origin{};
  static timespec last{};
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (origin.tv_sec == 0 && origin.tv_nsec == 0) origin = last = now;
  const auto ms = [](const timespec& a, const timespec& b) {
    return static_cast<double>(a.tv_sec - b.tv_sec) * 1e3 + static_cast<double>(a.tv_nsec - b.tv_nsec) / 1e6;
  };
  fmt::print(stderr, "vigil: trace: {:8.3f} ms (+{:.3f}) {}\n", ms(now, origin), ms(now, last), what);
  last = now;
}

}  // namespace vigil
