// Human output: a one-line summary, one block per finding, then how to proceed.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "detectors/report/report.h"
#include "detectors/report/reporters.h"

namespace vigil {

namespace {

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
    if (blocking > 0) {
      fmt::print(out, "{}vigil: {} blocked: {} secret{} in {} file{}{}\n", red(), what, blocking,
                 blocking == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s", reset());
    } else if (shown > 0) {
      fmt::print(out, "vigil: {} allowed with {} warning{}\n", what, shown, shown == 1 ? "" : "s");
    }
    for (const auto& f : r.findings) {
      if (f.disposition != Disposition::Block && f.disposition != Disposition::Warn) continue;
      const std::string where = f.commit.empty() ? fmt::format("{}:{}:{}", f.path, f.line, f.column)
                                                 : fmt::format("{}:{}:{} ({})", f.path, f.line, f.column,
                                                               f.commit.substr(0, 12));
      fmt::print(out, "  {}  {}  {}{}  {}\n", where, f.rule_id, to_string(f.severity),
                 f.disposition == Disposition::Warn ? " (warn)" : "", f.redacted);
      if (!f.excerpt.empty()) fmt::print(out, "      {}\n", f.excerpt);
      if (!f.encoding.empty()) fmt::print(out, "      found inside {} encoding\n", f.encoding);
      if (!f.note.empty()) fmt::print(out, "      note: {}\n", f.note);
    }
    for (const auto& s : r.skips) {
      fmt::print(out, "vigil: skipped {}{}: {}\n", s.path, s.commit.empty() ? "" : " (" + s.commit.substr(0, 12) + ")", s.reason);
    }
    if (blocking > 0) advice(out);
    return {};
  }

 private:
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
