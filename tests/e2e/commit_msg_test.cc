// End-to-end: the commit-msg hook judges the message git is about to record.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::bin_dir;
using vigil::test::fake_github_pat;
using vigil::test::TempRepo;

namespace {

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

void seed(TempRepo& repo, const std::string& config) {
  repo.write(".vigil.toml", "version = 1\n" + config);
  const auto r = repo.run("git add -A && git commit -q --no-verify -m 'chore: initial'");
  REQUIRE_MESSAGE(r.status == 0, r.err);
}

std::string last_message(const TempRepo& repo) { return repo.run("git log -1 --format=%B").out; }

const char* kConventional = "[messages]\nsubject = '^(feat|fix|chore|docs)(\\([a-z-]+\\))?: \\S'\nmax_subject_length = 50\n";

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("commit-msg: subject pattern and length, passing and failing") {
    TempRepo repo;
    seed(repo, kConventional);
    repo.write("a.txt", "a\n");
    auto r = repo.commit_all("updated stuff");
    CHECK(r.status == 1);
    CHECK(has(r.err, "vigil: commit blocked: 1 message rule broken\n"
                     "  COMMIT_EDITMSG  messages.subject  high\n"
                     "      subject 'updated stuff' does not match ^(feat|fix|chore|docs)(\\([a-z-]+\\))?: \\S\n"));
    r = repo.commit_all("feat(parser): accept a very long subject line that goes on and on");
    CHECK(r.status == 1);
    CHECK(has(r.err, "messages.subject-length"));
    r = repo.commit_all("feat(parser): accept tabs");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }

  TEST_CASE("commit-msg: CRLF line endings and comment lines are judged as git records them") {
    TempRepo repo;
    seed(repo, std::string(kConventional) + "trailers = [\"Signed-off-by\"]\nforbidden = ['WIP']\n");
    repo.write("msg.txt",
               "# a comment that says WIP\r\n"
               "fix: handle CRLF   \r\n"
               "\r\n"
               "Signed-off-by: Dev <dev@example.com>\r\n");
    // The "editor" puts msg.txt above git's template; with -v the template ends in git's scissors
    // line and the staged diff (which says WIP), and git drops all of that after the hook.
    repo.write("editor.sh", "#!/bin/sh\n{ cat msg.txt; cat \"$1\"; } > \"$1.new\" && mv \"$1.new\" \"$1\"\n");
    repo.write("a.txt", "WIP notes\n");
    auto r = repo.run("chmod +x editor.sh && git add a.txt && GIT_EDITOR=./editor.sh git commit -q -v");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(last_message(repo) == "fix: handle CRLF\n\nSigned-off-by: Dev <dev@example.com>\n\n");
    // Without -v a typed scissors line cuts nothing: git keeps the WIP below it, and so do we.
    repo.write("msg.txt",
               "fix: more\r\n\r\nSigned-off-by: Dev <dev@example.com>\r\n"
               "# ------------------------ >8 ------------------------\r\nWIP\r\n");
    repo.write("a.txt", "more\n");
    r = repo.run("git add a.txt && GIT_EDITOR=true git commit -q -e -F msg.txt");
    CHECK(r.status == 1);
    CHECK(has(r.err, "messages.forbidden"));
  }

  TEST_CASE("commit-msg: with -m, a leading '#' is part of the message, not a comment") {
    TempRepo repo;
    seed(repo, kConventional);
    repo.write("a.txt", "a\n");
    auto r = repo.commit_all("#12 fix: the parser");
    CHECK(r.status == 1);
    CHECK(has(r.err, "subject '#12 fix: the parser' does not match"));
  }

  TEST_CASE("commit-msg: required trailers, by name and with a ticket regex") {
    TempRepo repo;
    seed(repo, "[messages]\ntrailers = [\"Signed-off-by\", { name = \"Refs\", regex = '^[A-Z]+-[0-9]+$' }]\n");
    repo.write("a.txt", "a\n");
    auto r = repo.run("git add a.txt && git commit -q -s -m 'fix: x' -m 'Refs: later'");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  COMMIT_EDITMSG  messages.trailer  high\n      no 'Refs:' trailer matching ^[A-Z]+-[0-9]+$\n"));
    CHECK_FALSE(has(r.err, "Signed-off-by"));
    r = repo.run("git commit -q -s -m 'fix: x' -m 'Refs: PAY-7'");
    CHECK(r.status == 0);
  }

  TEST_CASE("commit-msg: forbidden patterns apply on protected branches only") {
    TempRepo repo;
    seed(repo, "[refs]\nprotected = [\"refs/heads/main\"]\n[messages]\nforbidden = ['^(WIP|fixup!)']\n");
    repo.write("a.txt", "a\n");
    auto r = repo.commit_all("WIP parser");
    CHECK(r.status == 1);
    CHECK(has(r.err, "      message matches forbidden pattern ^(WIP|fixup!) (on refs/heads/main)\n"));
    REQUIRE(repo.run("git switch -q -c topic").status == 0);
    CHECK(repo.commit_all("WIP parser").status == 0);
  }

  TEST_CASE("commit-msg: author and committer email rules") {
    TempRepo repo;
    seed(repo, "[messages]\nauthor_email = '@corp\\.example$'\ncommitter_email = '@corp\\.example$'\n");
    repo.write("a.txt", "a\n");
    auto r = repo.commit_all("x");
    CHECK(r.status == 1);
    CHECK(has(r.err, "      author email 'author@example.com' does not match @corp\\.example$\n"));
    CHECK(has(r.err, "      committer email 'committer@example.com' does not match @corp\\.example$\n"));
    r = repo.run("GIT_COMMITTER_EMAIL=me@corp.example git commit -q --author='Me <me@corp.example>' -m x");
    CHECK_MESSAGE(r.status == 0, r.err);
  }

  TEST_CASE("commit-msg: an empty message fails a subject rule; without rules git's own check decides") {
    TempRepo repo;
    seed(repo, kConventional);
    repo.write("a.txt", "a\n");
    auto r = repo.run("git add a.txt && git commit -q --allow-empty-message -m ''");
    CHECK(r.status == 1);
    CHECK(has(r.err, "      the message is empty\n"));
    repo.write(".vigil.toml", "version = 1\n");
    r = repo.run("git add -A && git commit -q -m ''");
    CHECK(r.status != 0);
    CHECK_FALSE(has(r.err, "vigil"));
    CHECK(has(r.err, "empty commit message"));
  }

  TEST_CASE("commit-msg: a merge commit's default message passes the subject rule unless merges = check") {
    TempRepo repo;
    seed(repo, kConventional);
    REQUIRE(repo.run("git switch -q -c topic && echo t > t.txt && git add t.txt && git commit -q -m 'feat: t' && "
                     "git switch -q main && echo m > m.txt && git add m.txt && git commit -q -m 'feat: m'")
                .status == 0);
    auto r = repo.run("git merge -q --no-edit topic");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(last_message(repo) == "Merge branch 'topic'\n\n");
    repo.write(".vigil.toml", std::string("version = 1\n") + kConventional + "merges = \"check\"\n");
    REQUIRE(repo.run("git add -A && git commit -q -m 'chore: check merges' && git switch -q topic && "
                     "echo u > u.txt && git add u.txt && git commit -q -m 'feat: u' && git switch -q main")
                .status == 0);
    r = repo.run("git merge -q --no-edit topic");
    CHECK(r.status != 0);
    CHECK(has(r.err, "subject 'Merge branch 'topic'' does not match"));
  }

  TEST_CASE("commit-msg: a secret in the message is blocked and never printed in full") {
    TempRepo repo;
    seed(repo, "");
    repo.write("a.txt", "a\n");
    auto r = repo.commit_all("deploy with token " + fake_github_pat(3));
    CHECK(r.status == 1);
    CHECK(has(r.err, "COMMIT_EDITMSG:1:19  github.pat"));
    CHECK_FALSE(has(r.err, fake_github_pat(3)));
  }

  TEST_CASE("commit-msg: a malformed message regex is an error (exit 2) naming the rule") {
    TempRepo repo;
    repo.write(".vigil.toml", "version = 1\n[messages]\nsubject = '^(feat'\n");
    repo.write("msg", "feat: x\n");
    auto r = repo.run("'" + bin_dir() + "/vigil-commit-msg' msg");
    CHECK(r.status == 2);
    CHECK(r.err == "vigil: error: .vigil.toml:3:11: [messages] subject (rule messages.subject): invalid regex "
                   "'^(feat' at offset 6: missing closing parenthesis; bypass once: git commit --no-verify\n");
    r = repo.run("'" + bin_dir() + "/vigil-commit-msg'");
    CHECK(r.status == 2);
  }
}
