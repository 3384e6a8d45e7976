// Human output: a one-line summary, one block per finding, then how to proceed.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "detectors/report/report.h"
#include "detectors/report/reporters.h"
#include "detectors/util/quote.h"

namespace vigil {

namespace {

constexpr std::size_t kMaxListedSkips = 8;

class TextReporter : public Reporter {
 public:
  TextReporter(Audience a, bool color) : audience_(a), color_(color) {}

  Result<void> write(const ScanReport& r, std::FILE* out) override {
    const auto blocking = r.count(Disposition::Block);
    const auto shown = std::count_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
      return f.disposition == Disposition::Block || f.disposition == Disposition::Warn;
    });
    std::set<std::string> files;
    for (const auto& f : r.findings) {
      if (f.disposition == Disposition::Block) files.insert(f.path);
    }
    const char* what = audience_ == Audience::Committer ? "commit" : audience_ == Audience::Ci ? "scan" : "push";
    // File, message and ref policy findings (tagged "policy") are not secrets; say so.
    const auto policy_blocking = static_cast<std::size_t>(std::count_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
      return f.disposition == Disposition::Block && std::find(f.tags.begin(), f.tags.end(), "policy") != f.tags.end();
    }));
    const auto secret_blocking = blocking - policy_blocking;
    if (blocking > 0) {
      std::string counts;
      if (secret_blocking > 0) counts = fmt::format("{} secret{}", secret_blocking, secret_blocking == 1 ? "" : "s");
      if (policy_blocking > 0) {
        counts += fmt::format("{}{} policy violation{}", counts.empty() ? "" : " and ", policy_blocking,
                              policy_blocking == 1 ? "" : "s");
      }
      fmt::print(out, "{}vigil: {} blocked: {} in {} file{}{}\n", red(), what, counts, files.size(),
                 files.size() == 1 ? "" : "s", reset());
    } else if (shown > 0) {
      fmt::print(out, "vigil: {} allowed with {} warning{}\n", what, shown, shown == 1 ? "" : "s");
    }
    for (const auto& f : r.findings) {
      // Bypassed findings are shown too: a bypass is never invisible.
      if (f.disposition != Disposition::Block && f.disposition != Disposition::Warn &&
          f.disposition != Disposition::Bypassed) {
        continue;
      }
      // Policy findings concern a whole file, message or ref: no line, no column.
      // Names are quoted when they hold control characters or bytes that are not UTF-8.
      const std::string path = quote_name(f.path);
      const std::string pos = f.line == 0 ? path : fmt::format("{}:{}:{}", path, f.line, f.column);
      const std::string where = f.commit.empty() ? pos : fmt::format("{} ({})", pos, f.commit.substr(0, 12));
      fmt::print(out, "  {}  {}  {}{}{}\n", where, f.rule_id, to_string(f.severity),
                 f.disposition == Disposition::Warn ? " (warn)" : f.disposition == Disposition::Bypassed ? " (bypassed)" : "",
                 f.redacted.empty() ? "" : "  " + f.redacted);
      if (!f.excerpt.empty()) fmt::print(out, "      {}\n", f.excerpt);
      if (!f.encoding.empty()) fmt::print(out, "      found inside {} encoding\n", f.encoding);
      if (!f.note.empty()) fmt::print(out, "      note: {}\n", f.note);
    }
    // A few skips are listed; many are summarised by reason (JSON and SARIF list them all).
    if (r.skips.size() <= kMaxListedSkips) {
      for (const auto& s : r.skips) {
        fmt::print(out, "vigil: skipped {}{}: {}\n", quote_name(s.path), s.commit.empty() ? "" : " (" + s.commit.substr(0, 12) + ")",
                   s.reason);
      }
    } else {
      std::map<std::string, std::size_t> by_reason;
      for (const auto& s : r.skips) ++by_reason[s.reason.substr(0, s.reason.find(" ("))];
      std::string parts;
      for (const auto& [reason, n] : by_reason) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", n, reason);
      fmt::print(out, "vigil: skipped {} files: {} (--format json lists them)\n", r.skips.size(), parts);
    }
    if (shown > 0 || r.count(Disposition::Bypassed) > 0) {
      // Evidence must be reproducible: name the tool and the effective rules that judged.
      fmt::print(out, "vigil {}, rules {}\n", r.tool_version.empty() ? vigil_version() : r.tool_version,
                 r.rules_version.empty() ? "built-in" : r.rules_version);
    }
    if (secret_blocking > 0) advice(out);
    if (policy_blocking > 0) policy_advice(out, secret_blocking == 0);
    return {};
  }

 private:
  void policy_advice(std::FILE* out, bool with_bypass) const {
    fmt::print(out, "policy: each note says why the rule exists; the rules live in .vigil.toml "
                    "([[files]], [messages], [refs])\n");
    if (with_bypass && audience_ == Audience::Committer) fmt::print(out, "bypass once (recorded): git commit --no-verify\n");
  }
  void advice(std::FILE* out) const {
    switch (audience_) {
      case Audience::Committer:
        fmt::print(out,
                   "fix: remove the secret and load it from an environment variable or a secret store;\n"
                   "     `git restore --staged <file>` unstages a file\n"
                   "false positive: add `vigil:allow <reason>` on that line, or an [[allow]] entry in .vigil.toml\n"
                   "bypass once (recorded): git commit --no-verify\n");
        break;
      case Audience::Pusher:
      case Audience::Server:
        fmt::print(out,
                   "fix: rewrite the commits (`git commit --amend`, `git rebase -i`) and rotate the key:\n"
                   "     it has left your machine\n"
                   "false positive: add `vigil:allow <reason>` on that line\n");
        break;
      case Audience::Ci:
        fmt::print(out, "fix: rotate each key, then remove it from the code (history rewrite if needed)\n");
        break;
    }
  }
  const char* red() const { return color_ ? "\x1b[31m" : ""; }
  const char* reset() const { return color_ ? "\x1b[0m" : ""; }
  Audience audience_;
  bool color_;
};

}  // namespace

std::unique_ptr<Reporter> make_text_reporter(Audience a, bool color) {
  return std::make_unique<TextReporter>(a, color);
}

}  // namespace vigil
