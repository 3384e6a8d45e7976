// Scanner throughput: full pipeline (Hyperscan + PCRE2 confirmation + filters + decoding) against
// raw Hyperscan with the same database and no confirmation, single thread, same bytes in memory.
// Usage: vigil-bench-scan FILE_OR_DIR...   (prints MB/s and the ratio)
// Environment: VIGIL_BENCH_DECODE_DEPTH (0 = no decoding), VIGIL_BENCH_REPS (passes, best taken).
#include <fmt/format.h>

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "detectors/pipeline.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, std::string>> files;
  std::uint64_t total = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    auto add = [&](const fs::path& p) {
      if (!fs::is_regular_file(fs::symlink_status(p, ec)) || fs::file_size(p, ec) > (5u << 20)) return;
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      total += ss.str().size();
      files.emplace_back(p.string(), ss.str());
    };
    if (fs::is_directory(argv[i])) {
      for (auto it = fs::recursive_directory_iterator(argv[i], fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        add(it->path());
      }
    } else {
      add(argv[i]);
    }
  }
  auto cfg = vigil::default_config();
  if (const char* d = std::getenv("VIGIL_BENCH_DECODE_DEPTH"); cfg && d) cfg->settings.decode_depth = std::atoi(d);
  if (!cfg) return fmt::print(stderr, "{}\n", cfg.error().message), 2;
  vigil::CompileStats st;
  auto engine = vigil::Engine::create(std::move(*cfg), &st);
  if (!engine) return fmt::print(stderr, "{}\n", engine.error().message), 2;
  auto scratch = engine->scanner.make_scratch();
  auto session = vigil::ScanSession::create(*engine);
  // This thread's CPU time, not wall time: on a shared machine, time spent descheduled while
  // others build moved the ratio by +-30 % from run to run.
  const auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  // Raw and full passes alternate, best of VIGIL_BENCH_REPS (default 3) each: one pass of either
  // can still be slowed by others (shared caches).
  int reps = 3;
  if (const char* r = std::getenv("VIGIL_BENCH_REPS"); r && std::atoi(r) > 0) reps = std::atoi(r);
  double raw_s = 1e300, full_s = 1e300;
  std::size_t hits = 0;
  std::vector<vigil::Finding> findings;
  std::vector<vigil::Skip> skips;
  for (int rep = 0; rep < reps; ++rep) {
    // Raw: Hyperscan only.
    double t0 = cpu_now();
    hits = 0;
    for (const auto& [p, b] : files) hits += *engine->scanner.scan_raw(b, *scratch);
    raw_s = std::min(raw_s, cpu_now() - t0);
    // Full: what `vigil scan` does per file (binary/size checks, confirmation, filters, decoding).
    findings.clear();
    skips.clear();
    t0 = cpu_now();
    for (const auto& [p, b] : files) {
      vigil::BufferContext ctx;
      ctx.path = p;
      (void)session->scan_buffer(b, ctx, findings, skips);
    }
    full_s = std::min(full_s, cpu_now() - t0);
  }
  const double mb = static_cast<double>(total) / 1e6;
  fmt::print("files {}  bytes {:.1f} MB  rules {}\n", files.size(), mb, engine->scanner.rules().size());
  fmt::print("raw hyperscan   {:8.1f} MB/s CPU  ({} raw hits)\n", mb / raw_s, hits);
  fmt::print("full pipeline   {:8.1f} MB/s CPU  ({} findings, {} skipped)\n", mb / full_s, findings.size(), skips.size());
  fmt::print("ratio full/raw  {:8.1f} %\n", 100.0 * raw_s / full_s);
  fmt::print("database: {} bytes; {} {:.1f} ms\n", st.db_bytes, st.cache_hit ? "cache load" : "compile",
             st.cache_hit ? st.load_ms : st.compile_ms);
  for (const auto& sk : skips) fmt::print("  skipped: {}: {}\n", sk.path, sk.reason);
  for (const auto& f : findings) {
    if (f.disposition == vigil::Disposition::Block || f.disposition == vigil::Disposition::Warn) {
      fmt::print("  finding: {}:{} {} {}\n", f.path, f.line, f.rule_id, f.redacted);
    }
  }
  return 0;
}
