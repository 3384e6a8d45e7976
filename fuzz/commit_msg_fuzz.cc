// Fuzz target: commit message parsing. The first byte picks git's cleanup mode (strip,
// whitespace, scissors, verbatim), the comment character and whether the commit is a merge; the
// rest is the raw message file. It goes through clean_commit_message, message_subject,
// message_trailers and check_commit_message under a policy that sets every [messages] rule
// (subject pattern and length, required trailers with a value pattern, forbidden patterns, email
// patterns), as the commit-msg and push gates do. The first line also goes through
// parse_message_cleanup, as commit.cleanup's value would.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "detectors/policy/config.h"
#include "detectors/policy/message_policy.h"

namespace {

std::optional<vigil::Config> g_config;

constexpr std::string_view kPolicy = R"(version = 1
[settings]
builtin_rules = false
[refs]
protected = ["refs/heads/main", "refs/heads/release/*"]
[messages]
subject = '^(feat|fix|docs|chore|refactor|test)(\([a-z0-9-]+\))?!?: \S'
max_subject_length = 72
trailers = ["Signed-off-by", { name = "Refs", regex = '^[A-Z]+-\d+$' }]
forbidden = ['^(WIP|fixup!|squash!)', '(?i)do not merge']
author_email = '@corp\.example$'
committer_email = '@corp\.example$'
merges = "check"
action = "block"
)";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto c = vigil::parse_config(kPolicy, "commit_msg_fuzz.toml");
  if (!c) {
    std::fprintf(stderr, "commit_msg_fuzz: policy: %s\n", c.error().message.c_str());
    std::abort();
  }
  g_config = std::move(*c);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr vigil::MessageCleanup kModes[] = {vigil::MessageCleanup::Strip, vigil::MessageCleanup::Whitespace,
                                                     vigil::MessageCleanup::Scissors, vigil::MessageCleanup::Verbatim};
  static constexpr char kComments[] = {'#', ';', '%', '*'};
  const unsigned sel = data[0];
  const std::string_view raw(reinterpret_cast<const char*>(data) + 1, size - 1);

  (void)vigil::parse_message_cleanup(raw.substr(0, raw.find('\n')), (sel & 0x40) != 0);

  vigil::CommitMessageInfo info;
  info.message = vigil::clean_commit_message(raw, kModes[sel & 3], kComments[(sel >> 2) & 3]);
  // git's cleanup never grows a message except for the final newline it adds.
  if (info.message.size() > raw.size() + 1) std::abort();
  if (!info.message.empty() && info.message.back() != '\n' && kModes[sel & 3] != vigil::MessageCleanup::Verbatim) {
    std::abort();
  }
  const auto subject = vigil::message_subject(info.message);
  if (subject.size() > info.message.size()) std::abort();
  (void)vigil::message_trailers(info.message);

  info.merge = (sel & 0x10) != 0;
  info.ref = (sel & 0x20) ? "refs/heads/main" : "refs/heads/topic";
  info.author_email = "dev@corp.example";
  // The committer's email is the last line of the raw message, to reach the email rules.
  const auto last_nl = raw.rfind('\n');
  info.committer_email = std::string(last_nl == std::string_view::npos ? raw : raw.substr(last_nl + 1));
  info.commit = "0123456789abcdef0123456789abcdef01234567";
  info.label = "COMMIT_EDITMSG";
  for (const auto mode : {vigil::Mode::Enforce, vigil::Mode::Warn}) {
    (void)vigil::check_commit_message(g_config->messages, info, mode);
  }
  return 0;
}
