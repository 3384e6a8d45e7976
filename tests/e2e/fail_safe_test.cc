// End-to-end: fail-safe behaviour. On the server (pre-receive, update) an internal error rejects
// the push and says so (fail closed) unless the policy chooses on_error = "accept", and then the
// audit trail records it. On the laptop an internal error stops the commit or push and names
// `--no-verify` as the escape. (Deadlines and a missing policy file: see push_test.cc.)
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

// A bare server with vigil's pre-receive or update hook, a policy file, and a clone.
struct Server {
  TempDir dir;
  std::string hook;
  std::string bare() const { return dir.path() + "/srv.git"; }
  std::string clone() const { return dir.path() + "/work"; }
  explicit Server(const std::string& hook_name = "pre-receive") : hook(hook_name) {
    const std::string bin = vigil::test::bin_dir();
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git clone -q srv.git work 2>/dev/null && cd work && "
                           "echo base > README && echo 'shared text' > a.txt && git add . && git commit -q -m base && "
                           "git push -q origin HEAD:main 2>/dev/null && cd .. && "
                           "ln -s " +
                               bin + "/vigil-" + hook + " srv.git/hooks/" + hook + " && "
                                                                                   "git -C srv.git config vigil.policy " +
                               dir.path() + "/policy.toml")
                .status == 0);
    policy("");
  }
  void policy(const std::string& extra) const {
    dir.write("policy.toml", "[server]\ndeadline_ms = 300000\n" + extra);
  }
  vigil::test::CmdResult push(const std::string& prep) const {
    REQUIRE(sh(clone(), prep).status == 0);
    return sh(clone(), "git push origin HEAD:main");
  }
  std::string server_ref() const { return sh(bare(), "git rev-parse -q --verify main").out; }
  std::string audit() const { return dir.read("srv.git/vigil-audit.jsonl"); }
  // Corrupts the server's copy of the blob of a.txt, which a new commit then reuses under a new
  // name: the server already has it, so the push does not resend it, and vigil must read it.
  void corrupt_shared_blob() const {
    REQUIRE(sh(bare(), "b=$(git rev-parse main:a.txt) && f=objects/$(echo $b | cut -c1-2)/$(echo $b | cut -c3-) && "
                       "test -f $f && chmod u+w $f && printf 'not zlib at all' > $f")
                .status == 0);
  }
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("fail-safe: a server policy that is a directory or invalid TOML rejects the push, and says so") {
    for (const char* hook : {"pre-receive", "update"}) {
      INFO("hook ", hook);
      Server s(hook);
      const auto before = s.server_ref();
      REQUIRE(sh(s.dir.path(), "rm policy.toml && mkdir policy.toml").status == 0);
      auto r = s.push("echo x > x && git add x && git commit -q -m x");
      CHECK(r.status != 0);
      CHECK(r.err.find("remote: vigil: error:") != std::string::npos);
      CHECK(r.err.find("the server policy is unreadable (fail closed)") != std::string::npos);
      CHECK(s.server_ref() == before);
      REQUIRE(sh(s.dir.path(), "rmdir policy.toml").status == 0);
      s.dir.write("policy.toml", "[server\ndeadline_ms = 300000\n");  // invalid TOML
      r = s.push("true");
      CHECK(r.status != 0);
      CHECK(r.err.find("policy.toml:1") != std::string::npos);  // names the file and line
      CHECK(r.err.find("fail closed") != std::string::npos);
      s.policy("on_error = \"accept\"\n[settings]\nno_such_key = 1\n");  // fail-open cannot rescue a bad policy
      r = s.push("true");
      CHECK(r.status != 0);
      CHECK(r.err.find("fail closed") != std::string::npos);
      CHECK(s.server_ref() == before);
    }
  }

  TEST_CASE("fail-safe: a corrupt object on the server rejects the push by default (fail closed)") {
    for (const char* hook : {"pre-receive", "update"}) {
      INFO("hook ", hook);
      Server s(hook);
      const auto before = s.server_ref();
      s.corrupt_shared_blob();
      const auto r = s.push("cp a.txt b.txt && git add b.txt && git commit -q -m 'reuse a blob'");
      CHECK(r.status != 0);
      CHECK(r.err.find("remote: vigil: error:") != std::string::npos);
      CHECK(r.err.find("push rejected: internal error (fail closed)") != std::string::npos);
      CHECK(s.server_ref() == before);
      CHECK(s.audit().find("\"decision\":\"error-reject\"") != std::string::npos);
      CHECK(sh(s.dir.path(), "$VIGIL audit verify srv.git/vigil-audit.jsonl").status == 0);
    }
  }

  TEST_CASE("fail-safe: with on_error = \"accept\" an internal error lets the push through and the audit trail says so") {
    for (const char* hook : {"pre-receive", "update"}) {
      INFO("hook ", hook);
      Server s(hook);
      s.policy("on_error = \"accept\"\n");
      const auto before = s.server_ref();
      s.corrupt_shared_blob();
      const auto r = s.push("cp a.txt b.txt && git add b.txt && git commit -q -m 'reuse a blob'");
      CHECK(r.status == 0);
      CHECK(r.err.find("push accepted: internal error (fail open, recorded)") != std::string::npos);
      CHECK(s.server_ref() != before);
      const auto audit = s.audit();
      CHECK(audit.find("\"decision\":\"error-accept\"") != std::string::npos);
      CHECK(audit.find("\"reason\":") != std::string::npos);
    }
  }

  TEST_CASE("fail-safe: an audit trail that cannot be written rejects the push (fail closed)") {
    Server s;
    s.policy("audit_log = \"" + s.dir.path() + "/audit-dir\"\n");
    REQUIRE(sh(s.dir.path(), "mkdir audit-dir").status == 0);  // a directory where the log file should be
    const auto before = s.server_ref();
    const auto r = s.push("echo y > y && git add y && git commit -q -m y");
    CHECK(r.status != 0);
    CHECK(r.err.find("the decision could not be recorded (fail closed)") != std::string::npos);
    CHECK(s.server_ref() == before);
  }

  TEST_CASE("fail-safe: on the laptop a broken .vigil.toml stops the commit and names --no-verify; --no-verify commits") {
    TempRepo repo;
    repo.write(".vigil.toml", "[settings\nmode = \"enforce\"\n");
    repo.write("a.txt", "hello\n");
    auto r = repo.run("git add -A && git commit -q -m a");
    CHECK(r.status != 0);
    CHECK(r.err.find("vigil: error: .vigil.toml:1") != std::string::npos);
    CHECK(r.err.find("; bypass once: git commit --no-verify\n") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);       // still one line
    CHECK(repo.run("git rev-parse -q --verify HEAD").out.empty());  // nothing was committed
    r = repo.run("git commit -q --no-verify -m a");
    CHECK(r.status == 0);
  }

  TEST_CASE("fail-safe: on the laptop an unreadable index stops pre-commit with the --no-verify hint") {
    TempRepo repo;
    repo.write("a.txt", "hello\n");
    REQUIRE(repo.run("git add a.txt && mkdir bad-index").status == 0);
    // git passes the index to judge in GIT_INDEX_FILE; here it names a directory.
    const auto r = repo.run("GIT_INDEX_FILE=$PWD/bad-index .git/hooks/pre-commit");
    CHECK(r.status == 2);
    CHECK(r.err.find("vigil: error:") != std::string::npos);
    CHECK(r.err.find("; bypass once: git commit --no-verify\n") != std::string::npos);
  }

  TEST_CASE("fail-safe: on the laptop commit-msg and pre-push errors name --no-verify") {
    TempRepo repo;
    repo.write("a.txt", "hello\n");
    REQUIRE(repo.commit_all("a").status == 0);
    repo.write(".vigil.toml", "version = \"not a number\"\n");
    auto r = repo.run(".git/hooks/commit-msg .git/COMMIT_EDITMSG");
    CHECK(r.status == 2);
    CHECK(r.err.find("; bypass once: git commit --no-verify\n") != std::string::npos);
    REQUIRE(repo.run("git init -q --bare .git/remote.git").status == 0);
    r = repo.run("git push .git/remote.git HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("vigil: error: .vigil.toml") != std::string::npos);
    CHECK(r.err.find("; bypass once: git push --no-verify\n") != std::string::npos);
    CHECK(repo.run("git push -q --no-verify .git/remote.git HEAD:main").status == 0);
  }
}
