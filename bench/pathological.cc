// Pathological-input cost curves: each workload is scanned through the whole pipeline
// (ScanSession::scan_buffer: Hyperscan, PCRE2 confirmation, decoding, positions, excerpts,
// policy) at doubling sizes, and the time of each size is printed with its ratio to the size
// before. Linear cost shows as ratios near 2; a quadratic one as ratios near 4. This is how
// "cost is linear in the input and in the number of findings" is checked: never in a timed test.
//
// Usage: vigil-bench-pathological [STEPS]     (STEPS doublings per workload, default 5)
// Environment: VIGIL_BENCH_REPS (passes per size, best taken; default 3).
#include <fmt/format.h>

#include <time.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "detectors/pipeline.h"
#include "detectors/util/hash.h"

namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);  // this thread's CPU time: others' load does not count
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A token the GitHub rule confirms (valid CRC32 checksum), different for each seed.
std::string github_pat(unsigned seed) {
  static const char* kAlpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uint32_t x = seed * 2654435761u + 12345u;
  std::string body;
  for (int i = 0; i < 30; ++i) {
    x = x * 1664525u + 1013904223u;
    body += kAlpha[(x >> 8) % 62];
  }
  std::uint32_t c = vigil::crc32(body);
  std::string check(6, '0');
  for (int i = 5; i >= 0; --i) {
    check[static_cast<std::size_t>(i)] = kAlpha[c % 62];
    c /= 62;
  }
  return "ghp_" + body + check;
}

std::string base64(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// One input: a set of buffers (one per file), scanned one after the other.
struct Input {
  std::vector<std::string> files;
  std::size_t bytes() const {
    std::size_t n = 0;
    for (const auto& f : files) n += f.size();
    return n;
  }
};

struct Workload {
  const char* name;
  const char* unit;   // what doubles: "findings", "MB", "files", ...
  std::size_t first;  // size of the first step, in units
  std::function<Input(std::size_t)> make;
  bool only_added = false;  // scan as a modified file whose every other line was added
};

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::max(2, std::atoi(argv[1])) : 5;
  const int reps = std::getenv("VIGIL_BENCH_REPS") ? std::max(1, std::atoi(std::getenv("VIGIL_BENCH_REPS"))) : 3;
  auto cfg = vigil::default_config();
  if (!cfg) return fmt::print(stderr, "{}\n", cfg.error().message), 2;
  cfg->settings.max_file_size = std::uint64_t{1} << 30;  // the bound is not what is measured here
  cfg->settings.max_candidates = 100000000;
  cfg->settings.decode_depth = 4;
  auto engine = vigil::Engine::create(std::move(*cfg));
  if (!engine) return fmt::print(stderr, "{}\n", engine.error().message), 2;
  auto session = vigil::ScanSession::create(*engine);
  if (!session) return fmt::print(stderr, "{}\n", session.error().message), 2;

  const std::vector<Workload> workloads = {
      {"findings, one per line", "findings", 2500,
       [](std::size_t n) {
         Input in;
         in.files.emplace_back();
         for (std::size_t i = 0; i < n; ++i) in.files.back() += "token_" + std::to_string(i) + " = " + github_pat(static_cast<unsigned>(i)) + "\n";
         return in;
       }},
      {"findings, all on one line", "findings", 2500,
       [](std::size_t n) {
         Input in;
         in.files.emplace_back();
         for (std::size_t i = 0; i < n; ++i) in.files.back() += github_pat(static_cast<unsigned>(i)) + " ";
         in.files.back() += "\n";
         return in;
       }},
      {"findings in added lines of a modified file", "findings", 2500,
       [](std::size_t n) {
         Input in;
         in.files.emplace_back();
         for (std::size_t i = 0; i < n; ++i) in.files.back() += github_pat(static_cast<unsigned>(i)) + "\nunchanged line\n";
         return in;
       },
       true},
      {"one long line of prose, no finding", "MB", 1,
       [](std::size_t mb) {
         Input in;
         in.files.emplace_back();
         auto& s = in.files.back();
         while (s.size() < (mb << 20)) s += "the quick brown fox jumps over the lazy dog, again and again; ";
         return in;
       }},
      {"one long line of decoys (candidates, no finding)", "MB", 1,
       [](std::size_t mb) {
         Input in;
         in.files.emplace_back();
         auto& s = in.files.back();
         for (unsigned i = 0; s.size() < (mb << 20); ++i) s += "ghp_" + std::to_string(100000000 + i) + "QQQQQQQQQQQQQQQQQQQQQQQQQQQ ";
         return in;
       }},
      {"many small files, one finding each", "files", 2500,
       [](std::size_t n) {
         Input in;
         for (std::size_t i = 0; i < n; ++i) in.files.push_back("# config " + std::to_string(i) + "\nkey = " + github_pat(static_cast<unsigned>(i)) + "\n");
         return in;
       }},
      {"base64 nested 4 deep, many spans", "spans", 500,
       [](std::size_t n) {
         Input in;
         in.files.emplace_back();
         for (std::size_t i = 0; i < n; ++i) {
           std::string s = "GITHUB_TOKEN=" + github_pat(static_cast<unsigned>(i)) + "\n";
           for (int d = 0; d < 4; ++d) s = base64(s);
           in.files.back() += "blob_" + std::to_string(i) + ": " + s + "\n";
         }
         return in;
       }},
      {"one base64 run, doubling", "MB", 1,
       [](std::size_t mb) {
         Input in;
         std::string text;
         while (text.size() < (mb << 20) * 3 / 4) text += "ordinary words in a long document, nothing to see here. ";
         text += "GITHUB_TOKEN=" + github_pat(7) + "\n";
         in.files.push_back("payload: " + base64(text) + "\n");
         return in;
       }},
  };

  fmt::print("vigil pathological-input cost curves (CPU time of this thread, best of {}; ratio = time / time of the "
             "previous size: 2.0 is linear, 4.0 quadratic)\n\n",
             reps);
  for (const auto& w : workloads) {
    fmt::print("{}\n", w.name);
    fmt::print("  {:>10} {:>10} {:>10} {:>12} {:>14} {:>7}\n", w.unit, "MB", "findings", "ms", "us per unit", "ratio");
    double prev = 0;
    for (int s = 0; s < steps; ++s) {
      const std::size_t n = w.first << s;
      const Input in = w.make(n);
      double best = 1e300;
      std::size_t found = 0, skipped = 0;
      for (int r = 0; r < reps; ++r) {
        std::vector<vigil::Finding> findings;
        std::vector<vigil::Skip> skips;
        const double t0 = cpu_now();
        for (std::size_t i = 0; i < in.files.size(); ++i) {
          vigil::BufferContext ctx;
          ctx.path = "f" + std::to_string(i) + ".txt";
          if (w.only_added) {
            // Every other line added (a modified file): positions are checked against 1/2 of the lines.
            std::size_t lines = 1;
            for (const char c : in.files[i]) lines += c == '\n';
            for (std::size_t l = 1; l <= lines; l += 2) ctx.added_lines.emplace_back(l, l);
            ctx.only_added_lines = true;
          }
          if (auto res = session->scan_buffer(in.files[i], ctx, findings, skips); !res) {
            return fmt::print(stderr, "{}\n", res.error().message), 2;
          }
        }
        best = std::min(best, cpu_now() - t0);
        found = findings.size();
        skipped = skips.size();
      }
      const double ms = best * 1e3;
      fmt::print("  {:>10} {:>10.2f} {:>10} {:>12.1f} {:>14.2f} {:>7}{}\n", n, static_cast<double>(in.bytes()) / (1 << 20),
                 found, ms, ms * 1e3 / static_cast<double>(n), prev > 0 ? fmt::format("{:.2f}", ms / prev) : "-",
                 skipped ? fmt::format("  ({} skips)", skipped) : "");
      prev = ms;
    }
    fmt::print("\n");
  }
  return 0;
}
