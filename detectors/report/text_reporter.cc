// Human output: a one-line summary, one block per finding, then how to proceed.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "detectors/report/report.h"
#include "detectors/report/reporters.h"
#include "detectors/util/quote.h"

namespace vigil {

namespace {

constexpr std::size_t kMaxListedSkips = 8;

// What a finding is, for the summary line and the advice: a secret, a signature problem, or a
// file, message or ref rule. Each is worded as what it is and gets the hints that fit it.
enum class Kind { Secret,
                  UnsignedCommit,
                  UnsignedTag,
                  BadCommitSignature,
                  BadTagSignature,
                  File,
                  Message,
                  Ref,
                  Pusher,
                  Ai };
constexpr std::size_t kKinds = 10;

bool has_tag(const Finding& f, std::string_view t) { return std::find(f.tags.begin(), f.tags.end(), t) != f.tags.end(); }

Kind kind_of(const Finding& f) {
  if (has_tag(f, "signature")) {
    const bool tag = f.rule_name.ends_with("tag") || f.rule_name.ends_with("(tag)");
    if (f.rule_id == "signature.unsigned") return tag ? Kind::UnsignedTag : Kind::UnsignedCommit;
    return tag ? Kind::BadTagSignature : Kind::BadCommitSignature;
  }
  if (has_tag(f, "policy")) {
    if (f.rule_id.starts_with("messages.")) return Kind::Message;
    if (f.rule_id.starts_with("refs.")) return Kind::Ref;
    if (f.rule_id.starts_with("pusher.")) return Kind::Pusher;
    if (f.rule_id.starts_with("ai.")) return Kind::Ai;
    return Kind::File;
  }
  return Kind::Secret;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "1 secret in 1 file, 1 unsigned commit and 2 forbidden file changes".
std::string summary(const std::array<std::size_t, kKinds>& n, std::size_t secret_files) {
  std::vector<std::string> parts;
  auto add = [&](Kind k, std::string_view one, std::string_view many) {
    if (const auto c = n[static_cast<std::size_t>(k)]; c > 0) parts.push_back(plural(c, one, many));
  };
  if (const auto c = n[static_cast<std::size_t>(Kind::Secret)]; c > 0) {
    parts.push_back(plural(c, "secret", "secrets") + " in " + plural(secret_files, "file", "files"));
  }
  add(Kind::UnsignedCommit, "unsigned commit", "unsigned commits");
  add(Kind::UnsignedTag, "unsigned tag", "unsigned tags");
  add(Kind::BadCommitSignature, "commit with a bad or untrusted signature", "commits with bad or untrusted signatures");
  add(Kind::BadTagSignature, "tag with a bad or untrusted signature", "tags with bad or untrusted signatures");
  add(Kind::File, "forbidden file change", "forbidden file changes");
  add(Kind::Message, "message rule broken", "message rules broken");
  add(Kind::Ref, "ref rule broken", "ref rules broken");
  add(Kind::Pusher, "pusher rule broken", "pusher rules broken");
  add(Kind::Ai, "AI-assisted change rule broken", "AI-assisted change rules broken");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and "
                                                : ", ") +
           parts[i];
  }
  return out;
}

class TextReporter : public Reporter {
 public:
  TextReporter(Audience a, bool color) : audience_(a), color_(color) {}

  Result<void> write(const ScanReport& r, std::FILE* out) override {
    const auto blocking = r.count(Disposition::Block);
    const auto shown = std::count_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
      return f.disposition == Disposition::Block || f.disposition == Disposition::Warn;
    });
    std::array<std::size_t, kKinds> n{};
    std::set<std::string> secret_files;
    std::vector<std::string> blocking_rules;  // distinct, in order: what VIGIL_SKIP would name
    for (const auto& f : r.findings) {
      if (f.disposition != Disposition::Block) continue;
      const Kind k = kind_of(f);
      ++n[static_cast<std::size_t>(k)];
      if (k == Kind::Secret) secret_files.insert(f.path);
      if (std::find(blocking_rules.begin(), blocking_rules.end(), f.rule_id) == blocking_rules.end()) {
        blocking_rules.push_back(f.rule_id);
      }
    }
    const char* what = audience_ == Audience::Committer ? "commit" : audience_ == Audience::Ci ? "scan"
                                                                                               : "push";
    if (blocking > 0) {
      fmt::print(out, "{}vigil: {} blocked: {}{}\n", red(), what, summary(n, secret_files.size()), reset());
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
      // A signature finding names an object, not a path: "commit 25f8e66b26d2".
      const Kind k = kind_of(f);
      const bool tag = k == Kind::UnsignedTag || k == Kind::BadTagSignature;
      const std::string where = f.commit.empty() ? pos
                                : pos.empty()    ? fmt::format("{} {}", tag ? "tag" : "commit", f.commit.substr(0, 12))
                                                 : fmt::format("{} ({})", pos, f.commit.substr(0, 12));
      fmt::print(out, "  {}  {}  {}{}{}\n", where, f.rule_id, to_string(f.severity),
                 f.disposition == Disposition::Warn ? " (warn)" : f.disposition == Disposition::Bypassed ? " (bypassed)"
                                                                                                         : "",
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
      for (const auto& [reason, c] : by_reason) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", c, reason);
      fmt::print(out, "vigil: skipped {} files: {} (--format json lists them)\n", r.skips.size(), parts);
    }
    if (shown > 0 || r.count(Disposition::Bypassed) > 0) {
      // Evidence must be reproducible: name the tool and the effective rules that judged.
      fmt::print(out, "vigil {}, rules {}\n", r.tool_version.empty() ? vigil_version() : r.tool_version,
                 r.rules_version.empty() ? "built-in" : r.rules_version);
    }
    if (blocking == 0) return {};
    auto count = [&](std::initializer_list<Kind> ks) {
      std::size_t c = 0;
      for (const Kind k : ks) c += n[static_cast<std::size_t>(k)];
      return c;
    };
    if (count({Kind::Secret}) > 0) secret_advice(out);
    if (count({Kind::UnsignedCommit, Kind::UnsignedTag, Kind::BadCommitSignature, Kind::BadTagSignature}) > 0) {
      fmt::print(out, "signatures: each note says how to sign, or which key to trust; [signatures] in .vigil.toml "
                      "names the refs that need them\n");
    }
    std::vector<std::string> sections;
    if (count({Kind::File}) > 0) sections.emplace_back("[[files]]");
    if (count({Kind::Message}) > 0) sections.emplace_back("[messages]");
    if (count({Kind::Ref}) > 0) sections.emplace_back("[refs]");
    if (count({Kind::Pusher}) > 0) sections.emplace_back("[pushers]");
    if (count({Kind::Ai}) > 0) sections.emplace_back("[ai]");
    if (!sections.empty()) {
      fmt::print(out, "policy: each note says why the rule exists; the rules live in .vigil.toml ({})\n",
                 fmt::join(sections, ", "));
    }
    bypass_advice(out, r.skip_allowed, blocking_rules);
    return {};
  }

 private:
  void secret_advice(std::FILE* out) const {
    switch (audience_) {
      case Audience::Committer:
        fmt::print(out,
                   "fix: remove the secret and load it from an environment variable or a secret store;\n"
                   "     `git restore --staged <file>` unstages a file\n"
                   "false positive: add `vigil:allow <reason>` on that line, or an [[allow]] entry in .vigil.toml\n");
        break;
      case Audience::Pusher:
        // pre-push runs before anything is sent: the commits are still only on this machine.
        fmt::print(out,
                   "fix: nothing was sent; take the secret out of the commits that add it (`git commit --amend`,\n"
                   "     `git rebase -i @{{upstream}}`) and push again; rotate it if it was shared any other way\n"
                   "false positive: add `vigil:allow <reason>` on that line\n");
        break;
      case Audience::Server:
        fmt::print(out,
                   "fix: rewrite the commits (`git commit --amend`, `git rebase -i`) and rotate the key:\n"
                   "     the push was refused, but the key has left your machine\n"
                   "false positive: add `vigil:allow <reason>` on that line\n");
        break;
      case Audience::Ci:
        fmt::print(out, "fix: rotate each key, then remove it from the code (history rewrite if needed)\n");
        break;
    }
  }
  // The laptop hooks can be passed two ways, and only one of them leaves a record.
  void bypass_advice(std::FILE* out, bool skip_allowed, const std::vector<std::string>& rules) const {
    if (audience_ != Audience::Committer && audience_ != Audience::Pusher) return;
    const char* git = audience_ == Audience::Committer ? "git commit" : "git push";
    if (skip_allowed) {
      fmt::print(out,
                 "bypass once, recorded in the audit log: VIGIL_SKIP={} VIGIL_SKIP_REASON=\"<why>\" {} ...\n"
                 "     (`{} --no-verify` skips vigil too, but nothing records it)\n",
                 fmt::join(rules, ","), git, git);
    } else {
      fmt::print(out, "bypass: this policy does not allow VIGIL_SKIP (settings.allow_skip = false); "
                      "`{} --no-verify` skips every hook, and nothing records it\n",
                 git);
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
