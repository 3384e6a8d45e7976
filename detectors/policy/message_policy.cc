#include "detectors/policy/message_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "detectors/policy/ref_policy.h"

namespace vigil {

namespace {

std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Subjects are shown in findings; keep them one short, printable line.
std::string shown(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  if (out.size() > 80) out = out.substr(0, 77) + "...";
  return out;
}

// "Token: value" with git's token charset (alphanumerics and '-').
std::optional<std::pair<std::string, std::string>> trailer_line(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto name = rtrim(line.substr(0, colon));
  if (name.empty()) return std::nullopt;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return std::nullopt;
  }
  auto value = line.substr(colon + 1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  return std::make_pair(std::string(name), std::string(rtrim(value)));
}

}  // namespace

bool MessagePolicy::configured() const {
  return subject || max_subject_length > 0 || !trailers.empty() || !forbidden.empty() || author_email ||
         committer_email || std::any_of(added.begin(), added.end(), [](const MessagePolicy& a) { return a.configured(); });
}

std::optional<MessageCleanup> parse_message_cleanup(std::string_view value, bool editor_used) {
  if (value.empty() || value == "default") return editor_used ? MessageCleanup::Strip : MessageCleanup::Whitespace;
  if (value == "strip") return MessageCleanup::Strip;
  if (value == "whitespace") return MessageCleanup::Whitespace;
  if (value == "scissors") return editor_used ? MessageCleanup::Scissors : MessageCleanup::Whitespace;
  if (value == "verbatim") return MessageCleanup::Verbatim;
  return std::nullopt;
}

std::string clean_commit_message(std::string_view raw, MessageCleanup mode, char comment_char) {
  if (mode == MessageCleanup::Verbatim) return std::string(raw);
  const std::string scissors = std::string(1, comment_char) + " ------------------------ >8 ------------------------";
  const std::string scissors_note = std::string(1, comment_char) + " Do not modify or remove the line above.";
  std::string out;
  bool pending_blank = false;
  const auto lines = lines_of(raw);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto line = lines[i];
    // git cuts at the scissors line in scissors mode, and in strip mode only when it wrote the
    // line itself (commit -v), which it always follows with this note. A scissors line the user
    // typed without -v stays part of the message, so it must stay part of what we judge.
    if (rtrim(line) == scissors &&
        (mode == MessageCleanup::Scissors ||
         (mode == MessageCleanup::Strip && i + 1 < lines.size() && rtrim(lines[i + 1]) == scissors_note))) {
      break;
    }
    if (mode == MessageCleanup::Strip && !line.empty() && line.front() == comment_char) continue;
    line = rtrim(line);  // also drops the CR of CRLF line endings
    if (line.empty()) {
      pending_blank = !out.empty();
      continue;
    }
    if (pending_blank) out += '\n';
    pending_blank = false;
    out += line;
    out += '\n';
  }
  return out;
}

std::string_view message_subject(std::string_view message) {
  const auto nl = message.find('\n');
  return rtrim(nl == std::string_view::npos ? message : message.substr(0, nl));
}

std::vector<std::pair<std::string, std::string>> message_trailers(std::string_view message) {
  auto lines = lines_of(message);
  while (!lines.empty() && rtrim(lines.back()).empty()) lines.pop_back();
  // The last paragraph, and never the subject's paragraph.
  std::size_t start = lines.size();
  while (start > 0 && !rtrim(lines[start - 1]).empty()) --start;
  if (start == 0) return {};
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t others = 0;
  bool git_generated = false;
  for (std::size_t i = start; i < lines.size(); ++i) {
    const auto line = lines[i];
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !out.empty()) {
      out.back().second += " " + std::string(rtrim(line.substr(1)));  // continuation line
      continue;
    }
    if (auto t = trailer_line(line)) {
      if (ieq(t->first, "Signed-off-by")) git_generated = true;
      out.push_back(std::move(*t));
    } else {
      if (line.rfind("(cherry picked from commit ", 0) == 0) git_generated = true;
      ++others;
    }
  }
  // interpret-trailers: all trailers, or at least 25% of them with one that git itself writes.
  if (out.empty()) return {};
  if (others == 0 || (git_generated && out.size() * 3 >= others)) return out;
  return {};
}

namespace {

void check_one(const MessagePolicy& p, const CommitMessageInfo& info, Mode mode, std::vector<Finding>& out) {
  if (p.action == PolicyAction::Off) return;
  auto add = [&](std::string_view id, std::string_view name, std::string problem, std::string_view why) {
    auto f = policy_finding(id, name, info.label, p.action, mode, std::move(problem),
                            p.reason.empty() ? std::string(why) : p.reason);
    f.commit = info.commit;
    // Two commits can break the same rule; the fingerprint must tell them apart.
    f.fingerprint = fingerprint(id, info.commit.empty() ? info.message : info.commit);
    out.push_back(std::move(f));
  };
  const bool judge_text = !info.merge || p.check_merges;
  const auto subject = message_subject(info.message);
  if (judge_text) {
    if (p.subject && !p.subject->search(subject)) {
      add("messages.subject", "commit subject",
          info.message.empty() ? std::string("the message is empty")
                               : fmt::format("subject '{}' does not match {}", shown(subject), p.subject->pattern()),
          "the project's commit subject convention");
    }
    if (p.max_subject_length > 0 && utf8_length(subject) > p.max_subject_length) {
      add("messages.subject-length", "commit subject length",
          fmt::format("subject is {} characters, over max_subject_length {}", utf8_length(subject), p.max_subject_length),
          "long subjects are cut off in one-line logs and web views");
    }
    if (!p.trailers.empty()) {
      const auto trailers = message_trailers(info.message);
      for (const auto& need : p.trailers) {
        const bool found = std::any_of(trailers.begin(), trailers.end(), [&](const auto& t) {
          return ieq(t.first, need.name) && (!need.value || need.value->search(t.second));
        });
        if (!found) {
          add("messages.trailer", "required trailer",
              need.value ? fmt::format("no '{}:' trailer matching {}", need.name, need.value->pattern())
                         : fmt::format("no '{}:' trailer", need.name),
              "every commit carries this trailer in its last paragraph");
        }
      }
    }
    const bool protected_ref = p.forbidden_on.empty() ||
                               std::any_of(p.forbidden_on.begin(), p.forbidden_on.end(),
                                           [&](const std::string& g) { return !info.ref.empty() && ref_glob_match(g, info.ref); });
    if (protected_ref) {
      for (const auto& re : p.forbidden) {
        if (re.search(info.message)) {
          add("messages.forbidden", "forbidden message",
              fmt::format("message matches forbidden pattern {}{}", re.pattern(),
                          info.ref.empty() ? "" : fmt::format(" (on {})", info.ref)),
              "work-in-progress and fixup commits do not belong on a protected branch");
        }
      }
    }
  }
  if (p.author_email && info.author_email && !p.author_email->search(*info.author_email)) {
    add("messages.author-email", "author email",
        fmt::format("author email '{}' does not match {}", shown(*info.author_email), p.author_email->pattern()),
        "commits must be authored with an approved email address (set git config user.email)");
  }
  if (p.committer_email && info.committer_email && !p.committer_email->search(*info.committer_email)) {
    add("messages.committer-email", "committer email",
        fmt::format("committer email '{}' does not match {}", shown(*info.committer_email), p.committer_email->pattern()),
        "commits must be committed with an approved email address (set git config user.email)");
  }
}

}  // namespace

std::vector<Finding> check_commit_message(const MessagePolicy& p, const CommitMessageInfo& info, Mode mode) {
  std::vector<Finding> out;
  check_one(p, info, mode, out);
  for (const auto& a : p.added) {
    for (auto& f : check_commit_message(a, info, mode)) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vigil
