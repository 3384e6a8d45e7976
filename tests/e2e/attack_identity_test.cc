// Attacks on [pushers] and [ai] through the repository's own .vigil.toml: each is a real
// `git push --no-verify` into a bare repository running vigil-pre-receive, asserting the server's
// ref. The pusher comes from REMOTE_USER, which a local push passes to the hook as a web server
// would (pusher_servers_test.cc proves the real servers set it).
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

std::string as(const std::string& who, const std::string& domain = "example.org") {
  return "GIT_AUTHOR_NAME=" + who + " GIT_AUTHOR_EMAIL=" + who + "@" + domain + " GIT_COMMITTER_NAME=" + who +
         " GIT_COMMITTER_EMAIL=" + who + "@" + domain + " ";
}

struct Server {
  TempDir dir;
  std::string bare() const { return dir.path() + "/srv.git"; }
  std::string clone() const { return dir.path() + "/work"; }
  explicit Server(const std::string& floor) {
    const std::string bin = vigil::test::bin_dir();
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git clone -q srv.git work 2>/dev/null && cd work && "
                           "echo base > README && git add README && " +
                               as("alice") + "git commit -q -m base && "
                                             "git push -q origin HEAD:main 2>/dev/null && ln -s " +
                               bin +
                               "/vigil-pre-receive ../srv.git/hooks/pre-receive")
                .status == 0);
    dir.write("policy.toml", "version = 1\n[server]\ndeadline_ms = 300000\n" + floor);
    REQUIRE(sh(dir.path(), "git -C srv.git config vigil.policy " + dir.path() + "/policy.toml").status == 0);
  }
  CmdResult in_clone(const std::string& cmd) const { return sh(clone(), cmd); }
  void write(const std::string& rel, const std::string& text) const { dir.write("work/" + rel, text); }
  std::string server_ref() const { return sh(bare(), "git rev-parse -q --verify refs/heads/main").out; }
  std::string head() const { return in_clone("git rev-parse HEAD").out; }
  /// Lands the work tree on main with the hook off (the repository's policy as the old tip).
  void land() const {
    REQUIRE(sh(bare(), "mv hooks/pre-receive hooks/off").status == 0);
    REQUIRE(in_clone("git add -A && " + as("alice") + "git commit -q -m policy && git push -q origin HEAD:main").status == 0);
    REQUIRE(sh(bare(), "mv hooks/off hooks/pre-receive").status == 0);
  }
  CmdResult commit_and_push(const std::string& who, const std::string& pusher, const std::string& msg = "change",
                            const std::string& domain = "example.org") const {
    REQUIRE(in_clone("echo " + who + " >> log.txt && git add -A && " + as(who, domain) + "git commit -q -m '" + msg + "'").status == 0);
    return in_clone((pusher.empty() ? std::string("env -u REMOTE_USER ") : "REMOTE_USER=" + pusher + " ") +
                    "git push --no-verify origin HEAD:main");
  }
};

const std::string kFloor = "[pushers]\ncommitter_is_pusher = [\"refs/heads/main\"]\n"
                           "[pushers.emails]\nalice = [\"alice@example.org\"]\n";

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("attack: repo maps its pusher to someone else's e-mail") {
    Server s(kFloor);
    s.write(".vigil.toml", "version = 1\n[pushers.emails]\nmallory = [\"bob@example.org\"]\n");
    s.land();
    const auto before = s.server_ref();
    const auto r = s.commit_and_push("bob", "mallory");
    CHECK(r.status != 0);
    CHECK(r.err.find("pusher.committer-mismatch") != std::string::npos);
    CHECK(s.server_ref() == before);
  }

  TEST_CASE("attack: repo turns [pushers] off, or allows forwarded work the floor refuses") {
    Server s("[pushers]\ncommitter_is_pusher = [\"refs/heads/main\"]\nallow_signed_forward = false\n"
             "[pushers.emails]\nalice = [\"alice@example.org\"]\n");
    REQUIRE(s.in_clone("ssh-keygen -q -t ed25519 -N '' -C bob -f ../bob && mkdir -p .vigil && "
                       "echo \"bob@example.org $(cut -d' ' -f1,2 ../bob.pub)\" > .vigil/allowed_signers")
                .status == 0);
    s.write(".vigil.toml", "version = 1\n[pushers]\naction = \"off\"\nallow_signed_forward = true\n");
    s.land();
    const auto before = s.server_ref();
    REQUIRE(s.in_clone("echo x >> log.txt && git add -A && " + as("bob") +
                       "git -c gpg.format=ssh -c user.signingkey=../bob commit -q -S -m forwarded")
                .status == 0);
    const auto r = s.in_clone("REMOTE_USER=alice git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("pusher.committer-mismatch") != std::string::npos);
    CHECK(s.server_ref() == before);
    // Control: alice's own commit lands.
    REQUIRE(s.in_clone("git reset -q --hard origin/main").status == 0);
    const auto ok = s.commit_and_push("alice", "alice");
    CHECK_MESSAGE(ok.status == 0, ok.err);
    CHECK(s.server_ref() == s.head());
  }

  TEST_CASE("attack: push with no pusher where the policy needs one") {
    Server s("[pushers]\nrequire_pusher = true\n");
    const auto before = s.server_ref();
    const auto r = s.commit_and_push("alice", "");
    CHECK(r.status != 0);
    CHECK(r.err.find("pusher.unknown") != std::string::npos);
    CHECK(s.server_ref() == before);
    // Deleting a branch needs a pusher too.
    REQUIRE(sh(s.bare(), "git branch side main").status == 0);
    CHECK(s.in_clone("env -u REMOTE_USER git push --no-verify origin :side").status != 0);
    CHECK(sh(s.bare(), "git rev-parse -q --verify refs/heads/side").status == 0);
  }

  TEST_CASE("attack: repo turns [ai] disclosure off that the floor requires") {
    Server s("[ai]\nrequire_disclosure = [\"refs/heads/main\"]\nidentities = [\"*@agents.example\"]\n");
    s.write(".vigil.toml", "version = 1\n[ai]\naction = \"off\"\n");
    s.land();
    const auto before = s.server_ref();
    auto r = s.commit_and_push("codebot", "alice", "feat: generated", "agents.example");
    CHECK(r.status != 0);
    CHECK(r.err.find("ai.undisclosed") != std::string::npos);
    CHECK(s.server_ref() == before);
    // Disclosed, it lands, and the audit record counts it.
    REQUIRE(s.in_clone(as("codebot", "agents.example") + "git commit -q --amend -m 'feat: generated' -m 'Assisted-by: codebot'").status == 0);
    r = s.in_clone("REMOTE_USER=alice git push --no-verify origin HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server_ref() == s.head());
    CHECK(sh(s.bare(), "tail -n1 vigil-audit.jsonl").out.find("\"ai\":{\"approved\":0,\"assisted\":1") != std::string::npos);
    // `vigil report` counts it, and the refused push before it.
    const auto rep = sh(s.bare(), "$VIGIL report vigil-audit.jsonl");
    REQUIRE(rep.status == 0);
    CHECK(rep.out.find("AI-assisted commits landed: 1  escalated: 0  approved by a human: 0  refused: 0 unapproved, "
                       "1 undisclosed") != std::string::npos);
    const auto json = sh(s.bare(), "$VIGIL report -f json vigil-audit.jsonl");
    CHECK(json.out.find("\"undisclosed_blocks\": 1") != std::string::npos);
  }

  TEST_CASE("attack: AI-assisted change to a protected path with no approval") {
    Server s("[ai]\n[[ai.escalate]]\npaths = [\"auth/**\"]\napprovers = \"security\"\n");
    const auto before = s.server_ref();
    s.write("auth/login.c", "int login(void) { return 1; }\n");
    REQUIRE(s.in_clone("git add -A && " + as("alice") + "git commit -q -m 'fix: login' -m 'Co-authored-by: Claude <noreply@anthropic.com>'").status == 0);
    const auto r = s.in_clone("REMOTE_USER=alice git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("ai.unapproved") != std::string::npos);
    CHECK(s.server_ref() == before);
    // The same change without AI assistance is not escalated.
    REQUIRE(s.in_clone(as("alice") + "git commit -q --amend -m 'fix: login'").status == 0);
    CHECK(s.in_clone("REMOTE_USER=alice git push --no-verify origin HEAD:main").status == 0);
    CHECK(s.server_ref() == s.head());
  }
}
