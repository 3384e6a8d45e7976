// Message policy: git's message cleanup, trailer parsing, and each [messages] rule.
#include "detectors/policy/message_policy.h"

#include <doctest/doctest.h>

#include "detectors/policy/config.h"

using namespace vigil;

namespace {

Config config(const std::string& toml) {
  auto c = parse_config("version = 1\n" + toml, ".vigil.toml");
  if (!c) FAIL(c.error().message);
  return *c;
}

std::vector<std::string> ids(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.rule_id);
  return out;
}

CommitMessageInfo msg(std::string text, std::string ref = "refs/heads/main") {
  CommitMessageInfo i;
  i.message = clean_commit_message(text, MessageCleanup::Strip);
  i.author_email = "dev@corp.example";
  i.committer_email = "dev@corp.example";
  i.ref = std::move(ref);
  i.label = "COMMIT_EDITMSG";
  return i;
}

}  // namespace

TEST_CASE("cleanup strips comments, CRs, the scissors tail and extra blank lines as git does") {
  const std::string raw =
      "\n\nfeat: add x  \r\n\r\n\r\nbody line\r\n# Please enter the commit message\n#\tmodified: a\n\n"
      "Signed-off-by: A <a@example.com>\r\n"
      "# ------------------------ >8 ------------------------\n"
      "# Do not modify or remove the line above.\n"
      "diff --git a/x b/x\n";
  CHECK(clean_commit_message(raw, MessageCleanup::Strip) ==
        "feat: add x\n\nbody line\n\nSigned-off-by: A <a@example.com>\n");
  // -m messages keep their '#' lines (git runs the hook with GIT_EDITOR=: and cleans whitespace only).
  CHECK(clean_commit_message("#123 fix the parser\n", MessageCleanup::Whitespace) == "#123 fix the parser\n");
  CHECK(clean_commit_message("; note\nreal\n", MessageCleanup::Strip, ';') == "real\n");
  CHECK(clean_commit_message("# only comments\n\n", MessageCleanup::Strip).empty());
  CHECK(clean_commit_message(" x \n", MessageCleanup::Verbatim) == " x \n");
  // A scissors line the user typed (no -v) is not a cut in strip mode; it is in scissors mode.
  const std::string typed = "subject\n# ------------------------ >8 ------------------------\nkept\n";
  CHECK(clean_commit_message(typed, MessageCleanup::Strip) == "subject\nkept\n");
  CHECK(clean_commit_message(typed, MessageCleanup::Scissors) == "subject\n");
  CHECK(parse_message_cleanup("default", false) == MessageCleanup::Whitespace);
  CHECK(parse_message_cleanup("default", true) == MessageCleanup::Strip);
  CHECK(parse_message_cleanup("bogus", true) == std::nullopt);
}

TEST_CASE("trailers come from the last paragraph only, never from the subject") {
  CHECK(message_trailers("Signed-off-by: A <a@x>\n").empty());
  auto t = message_trailers("subject\n\nbody\n\nRefs: ABC-12\nSigned-off-by: A <a@x>\n");
  REQUIRE(t.size() == 2);
  CHECK(t[0].first == "Refs");
  CHECK(t[0].second == "ABC-12");
  CHECK(message_trailers("subject\n\nThis is prose: not a trailer block\nreally not\n").empty());
  CHECK(message_trailers("subject\n\nRefs: A\nSigned-off-by: x\n\nmore body\n").empty());
}

TEST_CASE("subject regex and length: passing and failing") {
  const auto c = config("[messages]\nsubject = '^(feat|fix|docs)(\\(.+\\))?: \\S'\nmax_subject_length = 20\n");
  CHECK(check_commit_message(c.messages, msg("fix(db): close handles\n")).size() == 1);  // 22 chars
  CHECK(check_commit_message(c.messages, msg("fix: close handles\n")).empty());
  auto fs = check_commit_message(c.messages, msg("Fixed stuff\n"));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule_id == "messages.subject");
  CHECK(fs[0].excerpt == "subject 'Fixed stuff' does not match ^(feat|fix|docs)(\\(.+\\))?: \\S");
  fs = check_commit_message(c.messages, msg("fix: \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n"));
  CHECK(fs.empty());  // 16 characters, 27 bytes: length counts characters
  fs = check_commit_message(c.messages, msg("# only a comment\n"));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].excerpt == "the message is empty");
}

TEST_CASE("required trailers, by name and by name plus value regex") {
  const auto c = config(
      "[messages]\ntrailers = [\"Signed-off-by\", { name = \"Refs\", regex = '^[A-Z]+-\\d+$' }]\n");
  CHECK(check_commit_message(c.messages, msg("fix: x\n\nRefs: PAY-42\nsigned-off-by: A <a@x>\n")).empty());
  auto fs = check_commit_message(c.messages, msg("fix: x\n\nRefs: soon\n"));
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].excerpt == "no 'Signed-off-by:' trailer");
  CHECK(fs[1].excerpt == "no 'Refs:' trailer matching ^[A-Z]+-\\d+$");
}

TEST_CASE("forbidden patterns apply on protected branches only") {
  const auto c = config("[refs]\nprotected = [\"refs/heads/main\", \"refs/heads/release/*\"]\n"
                        "[messages]\nforbidden = ['^(WIP|fixup!|squash!)']\n");
  CHECK(ids(check_commit_message(c.messages, msg("fixup! feat: x\n"))) == std::vector<std::string>{"messages.forbidden"});
  CHECK(ids(check_commit_message(c.messages, msg("WIP\n", "refs/heads/release/1.2"))).size() == 1);
  CHECK(check_commit_message(c.messages, msg("WIP\n", "refs/heads/topic")).empty());
  CHECK(check_commit_message(c.messages, msg("feat: remove the WIP banner\n")).empty());
  // With no protected refs anywhere, the patterns apply on every branch.
  const auto everywhere = config("[messages]\nforbidden = ['^WIP']\n");
  CHECK(check_commit_message(everywhere.messages, msg("WIP\n", "refs/heads/topic")).size() == 1);
}

TEST_CASE("merge commits skip the text rules unless merges = check; emails still apply") {
  const auto c = config("[messages]\nsubject = '^feat: '\nauthor_email = '@corp\\.example$'\n");
  auto m = msg("Merge branch 'topic'\n");
  m.merge = true;
  CHECK(check_commit_message(c.messages, m).empty());
  m.author_email = "me@gmail.com";
  CHECK(ids(check_commit_message(c.messages, m)) == std::vector<std::string>{"messages.author-email"});
  const auto strict = config("[messages]\nsubject = '^feat: '\nmerges = \"check\"\n");
  CHECK(ids(check_commit_message(strict.messages, m)) == std::vector<std::string>{"messages.subject"});
}

TEST_CASE("author and committer email regexes") {
  const auto c = config("[messages]\nauthor_email = '@corp\\.example$'\ncommitter_email = '@corp\\.example$'\n");
  auto m = msg("x\n");
  CHECK(check_commit_message(c.messages, m).empty());
  m.author_email = "dev@home.example";
  m.committer_email = "dev@home.example";
  auto fs = check_commit_message(c.messages, m);
  CHECK(ids(fs) == std::vector<std::string>{"messages.author-email", "messages.committer-email"});
  CHECK(fs[0].excerpt == "author email 'dev@home.example' does not match @corp\\.example$");
}

TEST_CASE("[messages] config errors name the rule and file:line") {
  auto err = [](const std::string& toml) {
    auto c = parse_config("version = 1\n" + toml, ".vigil.toml");
    REQUIRE_FALSE(c.ok());
    return c.error().message;
  };
  CHECK(err("[messages]\nsubject = '^(feat'\n") ==
        ".vigil.toml:3:11: [messages] subject (rule messages.subject): invalid regex '^(feat' at offset 6: "
        "missing closing parenthesis");
  CHECK(err("[messages]\ntrailers = [{ name = \"Refs\", regex = '[' }]\n")
            .find("[messages] trailer 'Refs' (rule messages.trailer): invalid regex '['") != std::string::npos);
  CHECK(err("[messages]\nsubjct = 'x'\n") ==
        ".vigil.toml:3:10: unknown key 'subjct' in [messages] (did you mean 'subject'?)");
}
