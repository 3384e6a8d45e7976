#include "detectors/gates/common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "detectors/util/read_file.h"
#include "detectors/util/trace.h"

namespace vigil {

namespace {
std::string& bypass_hint() {
  static std::string hint;
  return hint;
}
}  // namespace

void set_bypass_hint(std::string command) { bypass_hint() = std::move(command); }

int exit_now(int code) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return code;
#else
  std::fflush(nullptr);  // every open output stream, not just stdout and stderr
  std::_Exit(code);
#endif
}

int die(const Error& e) {
  // Still one line: scripts and people read the first line of an error.
  fmt::print(stderr, "vigil: error: {}{}\n", e.message, bypass_hint().empty() ? "" : "; bypass once: " + bypass_hint());
  return kExitError;
}

Result<Engine> load_engine(const std::string& root, const std::string& config_path, CompileStats* stats,
                           const ConfigAdjust& adjust) {
  Result<Config> cfg = make_error(ErrorCode::Internal, "unset");
  if (config_path.empty()) {
    // Read the repository's file but name it as the user knows it: ".vigil.toml".
    if (const auto text = read_whole_file(root + "/.vigil.toml")) {
      cfg = parse_config(*text, ".vigil.toml", RuleDetail::Scan);
    } else {
      cfg = default_config(RuleDetail::Scan);
    }
  } else {
    cfg = load_config_file(config_path, true, RuleDetail::Scan);
  }
  if (!cfg) return cfg.error();
  if (adjust) {
    if (auto a = adjust(*cfg); !a) return a.error();
  }
  trace("engine: config parsed");
  return Engine::create(std::move(*cfg), stats);
}

Result<void> emit_report(const ScanReport& report, const std::string& format, Audience audience,
                         const std::string& output) {
  std::FILE* out = stderr;
  if (!output.empty() && output != "-") {
    out = std::fopen(output.c_str(), "w");
    if (!out) return make_error(ErrorCode::Io, fmt::format("cannot write '{}' — check the directory exists and is writable", output));
  } else if (format != "text") {
    out = stdout;
  }
  const bool color = output.empty() && format == "text" && isatty(fileno(out)) && !std::getenv("NO_COLOR");
  auto reporter = make_reporter(format, audience, color);
  if (!reporter) {
    std::string names;
    for (const auto& n : reporter_formats()) names += (names.empty() ? "" : ", ") + n;
    if (out != stderr && out != stdout) std::fclose(out);
    return make_error(ErrorCode::Usage, fmt::format("unknown format '{}' — use one of: {}", format, names));
  }
  auto r = reporter->write(report, out);
  if (out != stderr && out != stdout) {
    if (std::fclose(out) != 0) return make_error(ErrorCode::Io, fmt::format("cannot write '{}'", output));
  } else {
    std::fflush(out);
  }
  return r;
}

std::string bound_hits_summary(const ScanReport& report) {
  std::vector<std::pair<std::string, std::size_t>> counts;  // in the order first seen
  for (const auto& s : report.skips) {
    if (s.bound.empty()) continue;
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == s.bound; });
    if (it == counts.end()) {
      counts.emplace_back(s.bound, 1);
    } else {
      ++it->second;
    }
  }
  std::string out;
  for (const auto& [bound, n] : counts) {
    out += fmt::format("{}{} ({} file{})", out.empty() ? "" : ", ", bound, n, n == 1 ? "" : "s");
  }
  return out;
}

bool block_on_bound_hits(const ScanReport& report, const char* what, const char* escape) {
  const auto summary = bound_hits_summary(report);
  if (summary.empty()) return false;
  fmt::print(stderr,
             "vigil: {} blocked: not fully scanned, a bound was reached: {} — see the skipped lines above for the "
             "key that raises each bound; bypass once: {}\n",
             what, summary, escape);
  return true;
}

int scan_exit_status(const ScanReport& report, bool accept_on_limit, bool quiet) {
  const auto summary = bound_hits_summary(report);
  if (summary.empty()) return report.blocked() ? kExitBlocked : kExitAllowed;
  if (accept_on_limit) {
    if (!quiet) {
      fmt::print(stderr, "vigil: not fully scanned, a bound was reached: {} — accepted (--on-limit accept)\n", summary);
    }
    return report.blocked() ? kExitBlocked : kExitAllowed;
  }
  fmt::print(stderr,
             "vigil: scan failed: not fully scanned, a bound was reached: {} — see the skipped lines for the key "
             "that raises each bound, or pass --on-limit accept to accept a partial scan\n",
             summary);
  return kExitBlocked;
}

std::string hook_format() {
  const char* f = std::getenv("VIGIL_FORMAT");
  return f && *f ? f : "text";
}

}  // namespace vigil
