// Pusher identity through real servers started by the test: smart HTTP (`git http-backend` behind
// lighttpd with basic authentication, so REMOTE_USER is the login) and gitolite3 behind an sshd of
// the test's own (GL_USER is the owner of the key that authenticated). Every case asserts the
// server's ref, not what was printed.
#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "tests/support/git_servers.h"
#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::GitoliteServer;
using vigil::test::HttpGitServer;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

// A skip only where the program is genuinely absent, and never in CI, which installs them all.
bool have_programs(const std::vector<std::string>& programs) {
  const auto missing = vigil::test::missing_program(programs);
  if (missing.empty()) return true;
  const char* ci = std::getenv("CI");
  if (ci && *ci) {
    FAIL("CI must have " << missing << " installed (.ci/setup-deps lists it)");
  }
  MESSAGE("skipped: " << missing << " is not installed (apt-get install lighttpd gitolite3 openssh-server)");
  return false;
}

const std::string kPolicy =
    "version = 1\n[server]\ndeadline_ms = 300000\n"
    "[pushers]\ncommitter_is_pusher = [\"refs/heads/main\"]\n"
    "[pushers.emails]\nalice = [\"alice@example.org\"]\nbob = [\"bob@example.org\"]\n";

std::string as(const std::string& who) {
  return "GIT_AUTHOR_NAME=" + who + " GIT_AUTHOR_EMAIL=" + who + "@example.org GIT_COMMITTER_NAME=" + who +
         " GIT_COMMITTER_EMAIL=" + who + "@example.org ";
}

// A work tree pushing to `url`, with alice's, bob's and mallory's signing keys; bob's is trusted
// (.vigil/allowed_signers on the old tip, landed before the hook was installed).
struct Client {
  TempDir dir;
  std::string work() const { return dir.path() + "/work"; }
  CmdResult run(const std::string& cmd) const { return sh(work(), cmd); }
  std::string head() const { return run("git rev-parse HEAD").out; }
  /// Seeds the repository at `url` (before vigil is installed) with a first commit trusting bob's key.
  void seed(const std::string& url, const std::string& ssh_command = "") {
    REQUIRE(sh(dir.path(), "ssh-keygen -q -t ed25519 -N '' -C bob -f bob_sign && "
                           "ssh-keygen -q -t ed25519 -N '' -C mallory -f mallory_sign && "
                           "git init -q work && cd work && mkdir .vigil && "
                           "echo \"bob@example.org $(cut -d' ' -f1,2 ../bob_sign.pub)\" > .vigil/allowed_signers && "
                           "echo base > README && git add -A && " +
                               as("alice") + "git commit -q -m base && " +
                               (ssh_command.empty() ? std::string() : "GIT_SSH_COMMAND=\"" + ssh_command + "\" ") + "git push -q '" + url + "' HEAD:main")
                .status == 0);
  }
  void remote(const std::string& url, const std::string& ssh_command = "") {
    REQUIRE(run("git remote add origin '" + url + "'").status == 0);
    if (!ssh_command.empty()) REQUIRE(run("git config core.sshCommand \"" + ssh_command + "\"").status == 0);
  }
  void commit(const std::string& who, const std::string& extra = "") const {
    REQUIRE(run("echo " + who + " >> log.txt && git add -A && " + as(who) + "git " + extra + " commit -q -m 'by " + who + "'").status == 0);
  }
  void signed_commit(const std::string& who, const std::string& key) const {
    commit(who, "-c gpg.format=ssh -c user.signingkey=" + dir.path() + "/" + key + " -c commit.gpgsign=true");
  }
  CmdResult push() const { return run("git push --no-verify origin HEAD:main"); }
  void drop() const { REQUIRE(run("git reset -q --hard HEAD~1").status == 0); }
};

std::string server_ref(const std::string& bare) { return sh(bare, "git rev-parse -q --verify refs/heads/main").out; }

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("pusher over smart HTTP: REMOTE_USER from lighttpd's basic auth is the pusher the policy checks") {
    if (!have_programs({"lighttpd", "/usr/lib/git-core/git-http-backend"})) return;
    std::unique_ptr<HttpGitServer> server;
    try {
      server = std::make_unique<HttpGitServer>(std::vector<std::pair<std::string, std::string>>{{"alice", "a-pass"}, {"bob", "b-pass"}});
    } catch (const std::exception& e) {
      FAIL("lighttpd: " << e.what());
    }
    const std::string bare = server->repos() + "/srv.git";
    REQUIRE(sh(server->repos(), "git init -q --bare srv.git && git -C srv.git config http.receivepack true").status == 0);
    Client c;
    c.seed(bare);
    TempDir policy;
    policy.write("policy.toml", kPolicy);
    REQUIRE(sh(bare, "ln -s '" + vigil::test::bin_dir() + "/vigil-pre-receive' hooks/pre-receive && git config vigil.policy '" +
                         policy.path() + "/policy.toml'")
                .status == 0);
    c.remote(server->url("srv", "alice", "a-pass"));

    // alice pushes her own commit: accepted.
    c.commit("alice");
    auto r = c.push();
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(server_ref(bare) == c.head());
    CHECK(sh(bare, "tail -n1 vigil-audit.jsonl").out.find("\"pusher\":\"alice\"") != std::string::npos);

    // alice pushes a commit bob committed, unsigned: rejected, naming the commit, committer and pusher.
    auto before = server_ref(bare);
    c.commit("bob");
    r = c.push();
    CHECK(r.status != 0);
    CHECK(server_ref(bare) == before);
    CHECK(r.err.find("pusher.committer-mismatch") != std::string::npos);
    CHECK(r.err.find("pushed by 'alice'") != std::string::npos);

    // The same commit pushed by bob himself (his login): accepted.
    REQUIRE(c.run("git remote set-url origin '" + server->url("srv", "bob", "b-pass") + "'").status == 0);
    r = c.push();
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(server_ref(bare) == c.head());

    // alice forwards bob's work signed by bob's trusted key: accepted; signed by an untrusted key: rejected.
    REQUIRE(c.run("git remote set-url origin '" + server->url("srv", "alice", "a-pass") + "'").status == 0);
    c.signed_commit("bob", "mallory_sign");
    before = server_ref(bare);
    CHECK(c.push().status != 0);
    CHECK(server_ref(bare) == before);
    c.drop();
    c.signed_commit("bob", "bob_sign");
    r = c.push();
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(server_ref(bare) == c.head());
  }

  TEST_CASE("pusher over smart HTTP: a push that reaches the hook without a login is rejected when the policy needs a pusher") {
    if (!have_programs({"lighttpd", "/usr/lib/git-core/git-http-backend"})) return;
    std::unique_ptr<HttpGitServer> server;
    try {
      server = std::make_unique<HttpGitServer>(std::vector<std::pair<std::string, std::string>>{{"alice", "a-pass"}});
    } catch (const std::exception& e) {
      FAIL("lighttpd: " << e.what());
    }
    const std::string bare = server->repos() + "/srv.git";
    REQUIRE(sh(server->repos(), "git init -q --bare srv.git && git -C srv.git config http.receivepack true").status == 0);
    Client c;
    c.seed(bare);
    TempDir policy;
    policy.write("policy.toml", kPolicy);
    REQUIRE(sh(bare, "ln -s '" + vigil::test::bin_dir() + "/vigil-pre-receive' hooks/pre-receive && git config vigil.policy '" +
                         policy.path() + "/policy.toml'")
                .status == 0);
    // A server set up with an anonymous push route (a misconfiguration vigil must not trust).
    c.remote(server->url("srv", "alice", "a-pass"));
    c.commit("alice");
    const auto before = server_ref(bare);
    const auto r = c.run("git push --no-verify '" + server->anonymous_url("srv") + "' HEAD:main");
    CHECK(r.status != 0);
    CHECK(server_ref(bare) == before);
    CHECK(r.err.find("pusher.unknown") != std::string::npos);
    // The same commit with the login lands.
    CHECK(c.push().status == 0);
    CHECK(server_ref(bare) == c.head());
  }

  TEST_CASE("pusher over gitolite: GL_USER of the key that authenticated is the pusher the policy checks") {
    if (!have_programs({"gitolite", "/usr/sbin/sshd", "ssh"})) return;
    std::unique_ptr<GitoliteServer> server;
    try {
      server = std::make_unique<GitoliteServer>(std::vector<std::string>{"alice", "bob"}, "srv");
    } catch (const std::exception& e) {
      FAIL("gitolite/sshd: " << e.what());
    }
    const std::string bare = server->bare("srv");
    Client c;
    c.seed(server->url("srv"), server->ssh_command("admin"));
    // gitolite creates repositories with HEAD at master; trusted keys are read where HEAD points.
    REQUIRE(sh(bare, "git symbolic-ref HEAD refs/heads/main").status == 0);
    TempDir policy;
    policy.write("policy.toml", kPolicy);
    const auto inst = sh(policy.path(), "$VIGIL install --server --gitolite --gitolite-home '" + server->home() +
                                            "' --policy '" + policy.path() + "/policy.toml'");
    REQUIRE_MESSAGE(inst.status == 0, inst.err);
    c.remote(server->url("srv"), server->ssh_command("alice"));

    c.commit("alice");
    auto r = c.push();
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(server_ref(bare) == c.head());
    CHECK(sh(bare, "tail -n1 vigil-audit.jsonl").out.find("\"pusher\":\"alice\"") != std::string::npos);

    // bob's commit through alice's key: rejected.
    auto before = server_ref(bare);
    c.commit("bob");
    r = c.push();
    CHECK(r.status != 0);
    CHECK(server_ref(bare) == before);
    CHECK(r.err.find("pushed by 'alice'") != std::string::npos);

    // Through bob's key: accepted.
    REQUIRE(c.run("git config core.sshCommand \"" + server->ssh_command("bob") + "\"").status == 0);
    r = c.push();
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(server_ref(bare) == c.head());

    // Forwarded by alice, signed with bob's trusted key: accepted.
    REQUIRE(c.run("git config core.sshCommand \"" + server->ssh_command("alice") + "\"").status == 0);
    c.signed_commit("bob", "bob_sign");
    r = c.push();
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(server_ref(bare) == c.head());

    // Uninstall leaves no vigil hook behind in gitolite's tree or the repository.
    const auto un = sh(policy.path(), "$VIGIL uninstall --server --gitolite --gitolite-home '" + server->home() + "'");
    CHECK_MESSAGE(un.status == 0, un.err);
    CHECK(sh(bare, "test -e hooks/pre-receive || test -L hooks/pre-receive").status != 0);
    CHECK(sh(server->home(), "test -e .gitolite/hooks/common/pre-receive").status != 0);
  }

  TEST_CASE("AI escalation over smart HTTP: a human member's approval lands an AI-assisted auth change; none, or an AI's own, does not") {
    if (!have_programs({"lighttpd", "/usr/lib/git-core/git-http-backend"})) return;
    std::unique_ptr<HttpGitServer> server;
    try {
      server = std::make_unique<HttpGitServer>(std::vector<std::pair<std::string, std::string>>{{"alice", "a-pass"}});
    } catch (const std::exception& e) {
      FAIL("lighttpd: " << e.what());
    }
    const std::string bare = server->repos() + "/srv.git";
    REQUIRE(sh(server->repos(), "git init -q --bare srv.git && git -C srv.git config http.receivepack true").status == 0);
    // Trusted keys on the old tip: sec (a human) and codebot (an AI tool), both in group security.
    TempDir keys;
    REQUIRE(sh(keys.path(), "ssh-keygen -q -t ed25519 -N '' -C sec -f sec && ssh-keygen -q -t ed25519 -N '' -C bot -f bot").status == 0);
    Client c;
    REQUIRE(sh(c.dir.path(), "git init -q work && cd work && mkdir .vigil && "
                             "echo \"sec@example.org $(cut -d' ' -f1,2 " +
                                 keys.path() + "/sec.pub)\" > .vigil/allowed_signers && "
                                               "echo \"bot@agents.example $(cut -d' ' -f1,2 " +
                                 keys.path() + "/bot.pub)\" >> .vigil/allowed_signers && "
                                               "echo base > README && git add -A && " +
                                 as("alice") + "git commit -q -m base && "
                                               "git push -q '" +
                                 bare + "' HEAD:main")
                .status == 0);
    TempDir policy;
    policy.write("policy.toml", "version = 1\n[server]\ndeadline_ms = 300000\n"
                                "[signers.security]\nmembers = [\"sec@example.org\", \"bot@agents.example\"]\n"
                                "[ai]\nidentities = [\"*@agents.example\"]\n"
                                "[[ai.escalate]]\npaths = [\"auth/**\"]\napprovers = \"security\"\n");
    REQUIRE(sh(bare, "ln -s '" + vigil::test::bin_dir() + "/vigil-pre-receive' hooks/pre-receive && git config vigil.policy '" +
                         policy.path() + "/policy.toml'")
                .status == 0);
    c.remote(server->url("srv", "alice", "a-pass"));
    const auto sign = [&](const std::string& key) {
      return "-c gpg.format=ssh -c user.signingkey=" + keys.path() + "/" + key + " -c commit.gpgsign=true ";
    };

    // alice's AI-assisted change to auth/, unapproved: rejected.
    auto before = server_ref(bare);
    REQUIRE(c.run("git checkout -q -b feature && mkdir -p auth && echo 'check()' > auth/login.c && git add -A && " +
                  as("alice") + "git commit -q -m 'fix: login' -m 'Assisted-by: some-model'")
                .status == 0);
    auto r = c.push();
    CHECK(r.status != 0);
    CHECK(r.err.find("ai.unapproved") != std::string::npos);
    CHECK(server_ref(bare) == before);

    // The AI tool approves its own change (signed with its key, though it is listed as a member): rejected.
    REQUIRE(c.run("git checkout -q main && git checkout -q -b bot && mkdir -p auth && echo 'bot()' > auth/bot.c && git add -A && "
                  "GIT_AUTHOR_NAME=codebot GIT_AUTHOR_EMAIL=bot@agents.example GIT_COMMITTER_NAME=codebot "
                  "GIT_COMMITTER_EMAIL=bot@agents.example git " +
                  sign("bot") + "commit -q -m 'feat: bot auth'")
                .status == 0);
    r = c.push();
    CHECK(r.status != 0);
    CHECK(r.err.find("an AI cannot approve") != std::string::npos);
    CHECK(server_ref(bare) == before);

    // sec, a human member, merges alice's change with a signed merge: accepted.
    REQUIRE(c.run("git checkout -q main && GIT_COMMITTER_NAME=sec GIT_COMMITTER_EMAIL=sec@example.org GIT_AUTHOR_NAME=sec "
                  "GIT_AUTHOR_EMAIL=sec@example.org git " +
                  sign("sec") + "merge -q --no-ff -S -m 'merge: reviewed login fix' feature")
                .status == 0);
    r = c.push();
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(server_ref(bare) == c.head());
    const auto audit = sh(bare, "tail -n1 vigil-audit.jsonl").out;
    CHECK(audit.find("\"ai\":{\"approved\":1,\"assisted\":1,\"escalated\":1") != std::string::npos);
  }
}
