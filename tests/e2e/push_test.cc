// End-to-end: real `git push` to bare repositories with vigil's pre-receive (server) and
// pre-push (laptop) hooks.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

// A bare "server" repository with vigil-pre-receive installed, and a clone to push from.
struct Server {
  TempDir dir;
  std::string bare() const { return dir.path() + "/srv.git"; }
  std::string clone() const { return dir.path() + "/work"; }
  explicit Server(std::string policy = "") {
    const std::string bin = vigil::test::bin_dir();
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git -C srv.git config receive.advertisePushOptions true && "
                           "ln -s " +
                               bin + "/vigil-pre-receive srv.git/hooks/pre-receive && "
                                     "git clone -q srv.git work 2>/dev/null && cd work && echo base > README && git add README && "
                                     "git commit -q -m base && git push -q origin HEAD:main 2>/dev/null")
                .status == 0);
    // A generous deadline unless a test is about deadlines: sanitizer builds and a cold rules
    // cache are slow, and only the deadline tests should depend on time.
    set_policy(policy);
  }
  void set_policy(std::string text) const {
    if (text.find("deadline_ms") == std::string::npos) {
      const auto at = text.find("[server]\n");
      text = at == std::string::npos ? "[server]\ndeadline_ms = 300000\n" + text
                                     : text.insert(at + 9, "deadline_ms = 300000\n");
    }
    dir.write("policy.toml", text);
    REQUIRE(sh(dir.path(), "git -C srv.git config vigil.policy " + dir.path() + "/policy.toml").status == 0);
  }
  vigil::test::CmdResult in_clone(const std::string& cmd) const { return sh(clone(), cmd); }
  std::string server_ref(const std::string& ref) const { return sh(bare(), "git rev-parse -q --verify " + ref).out; }
  std::string audit() const { return dir.read("srv.git/vigil-audit.jsonl"); }
};

std::string add_secret_cmd(const std::string& file, unsigned seed) {
  return "echo 'TOKEN=" + fake_github_pat(seed) + "' > " + file + " && git add " + file + " && git commit -q -m 'add " + file + "'";
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("push: a clean push is accepted and recorded in the audit trail") {
    Server s;
    const auto before = s.server_ref("main");
    REQUIRE(s.in_clone("echo x > x.txt && git add x.txt && git commit -q -m x").status == 0);
    const auto r = s.in_clone("git push -q origin HEAD:main");
    CHECK(r.status == 0);
    CHECK(s.server_ref("main") != before);
    CHECK(s.audit().find("\"decision\":\"accept\"") != std::string::npos);
    CHECK(sh(s.dir.path(), "$VIGIL audit verify srv.git/vigil-audit.jsonl").status == 0);
  }

  TEST_CASE("push: a secret is rejected with file:line, the rule, and the fix, redacted") {
    Server s;
    const auto before = s.server_ref("main");
    REQUIRE(s.in_clone(add_secret_cmd("deploy.env", 11)).status == 0);
    const auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("remote: vigil: push blocked: 1 secret in 1 file") != std::string::npos);
    CHECK(r.err.find("deploy.env:1:7") != std::string::npos);
    CHECK(r.err.find("github.pat") != std::string::npos);
    CHECK(r.err.find("rotate the key") != std::string::npos);
    CHECK(r.err.find(fake_github_pat(11)) == std::string::npos);
    CHECK(s.audit().find(fake_github_pat(11)) == std::string::npos);
    CHECK(s.server_ref("main") == before);  // the ref did not move
  }

  TEST_CASE("push: a secret added then removed in a later commit of the same push is still rejected") {
    Server s;
    REQUIRE(s.in_clone(add_secret_cmd("tmp.env", 12) + " && git rm -q tmp.env && git commit -q -m cleanup").status == 0);
    CHECK(s.in_clone("git push -q origin HEAD:main").status != 0);
  }

  TEST_CASE("push: a new branch from an old commit judges nothing old again") {
    Server s;
    // An old secret that reached the server before vigil was installed.
    REQUIRE(sh(s.bare(), "mv hooks/pre-receive hooks/off").status == 0);
    REQUIRE(s.in_clone(add_secret_cmd("legacy.env", 13) + " && git push -q origin HEAD:main").status == 0);
    REQUIRE(sh(s.bare(), "mv hooks/off hooks/pre-receive").status == 0);
    const auto r = s.in_clone("git push -q origin HEAD~1:refs/heads/old-branch && git push -q origin HEAD:refs/heads/copy");
    CHECK(r.status == 0);
  }

  TEST_CASE("push: tags, light and annotated, carry their commits through the gate") {
    Server s;
    REQUIRE(s.in_clone("git tag light && git tag -a -m release v1").status == 0);
    CHECK(s.in_clone("git push -q origin light v1").status == 0);
    REQUIRE(s.in_clone(add_secret_cmd("t.env", 14) + " && git tag -a -m bad v2").status == 0);
    CHECK(s.in_clone("git push -q origin v2").status != 0);
    CHECK(s.server_ref("refs/tags/v2").empty());
  }

  TEST_CASE("push: a name colliding by case or Unicode normalization with a file already pushed is rejected") {
    Server s;
    // Files in nested directories, so the server looks them up level by level.
    REQUIRE(s.in_clone("mkdir -p docs/api caf\xc3\xa9 && echo a > docs/api/Guide.md && echo b > caf\xc3\xa9/x.txt && "
                       "echo c > docs/api/other.md && git add . && git commit -q -m docs && git push -q origin HEAD:main")
                .status == 0);
    REQUIRE(s.in_clone("mkdir -p Docs/API && echo d > Docs/API/guide.MD && git add . && git commit -q -m 'same name, other case'").status == 0);
    auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("files.case-collision") != std::string::npos);
    CHECK(r.err.find("collides with 'docs/api/Guide.md'") != std::string::npos);
    // NFD spelling of a directory already there in NFC.
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && mkdir -p cafe\xcc\x81 && echo e > cafe\xcc\x81/x.txt && git add . && "
                       "git commit -q -m nfd")
                .status == 0);
    r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("files.case-collision") != std::string::npos);
    // A new name next to them that collides with nothing passes.
    CHECK(s.in_clone("git reset -q --hard HEAD~1 && echo f > docs/api/guide2.md && git add . && git commit -q -m ok && "
                     "git push -q origin HEAD:main")
              .status == 0);
  }

  TEST_CASE("push: a file moved to another directory and edited is judged by its added lines") {
    Server s;
    REQUIRE(s.in_clone("mkdir -p a/deep && for i in $(seq 1 40); do echo \"line $i of the settings\"; done > a/deep/conf.txt && "
                       "git add . && git commit -q -m conf && git push -q origin HEAD:main")
                .status == 0);
    REQUIRE(s.in_clone("mkdir -p b && git mv a/deep/conf.txt b/conf.txt && echo 'TOKEN=" + fake_github_pat(21) +
                       "' >> b/conf.txt && git commit -q -am 'move and edit'")
                .status == 0);
    const auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("b/conf.txt:41:7") != std::string::npos);
    CHECK(r.err.find("github.pat") != std::string::npos);
  }

  TEST_CASE("push: protected branch refuses force-push and deletion") {
    Server s("[refs]\nprotected = [\"refs/heads/main\"]\n");
    REQUIRE(s.in_clone("echo y > y && git add y && git commit -q -m y && git push -q origin HEAD:main").status == 0);
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && echo z > z && git add z && git commit -q -m z").status == 0);
    auto r = s.in_clone("git push -q --force origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("refs.protected-force-push") != std::string::npos);
    r = s.in_clone("git push -q origin :main");
    CHECK(r.status != 0);
    CHECK(!s.server_ref("main").empty());
    CHECK(s.in_clone("git push -q origin HEAD:refs/heads/other && git push -q --force origin HEAD~1:other && "
                     "git push -q origin :other")
              .status == 0);  // unprotected refs are free
  }

  TEST_CASE("push: a push that disables a rule in .vigil.toml and adds a secret is judged by the old policy") {
    Server s;
    REQUIRE(s.in_clone("printf '[settings]\\ndisable = [\"github.pat\", \"generic.assignment\"]\\n' > .vigil.toml && "
                       "git add .vigil.toml && git commit -q -m 'relax policy' && " +
                       add_secret_cmd("k.env", 15))
                .status == 0);
    const auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("github.pat") != std::string::npos);
  }

  TEST_CASE("push: the repository can tighten the server floor but not loosen it") {
    Server s;
    // Once on the server (old tip), the repository's own disable is ignored...
    REQUIRE(sh(s.bare(), "mv hooks/pre-receive hooks/off").status == 0);
    REQUIRE(s.in_clone("printf '[settings]\\ndisable = [\"github.pat\", \"generic.assignment\"]\\n' > .vigil.toml && "
                       "git add .vigil.toml && git commit -q -m relax && git push -q origin HEAD:main")
                .status == 0);
    REQUIRE(sh(s.bare(), "mv hooks/off hooks/pre-receive").status == 0);
    REQUIRE(s.in_clone(add_secret_cmd("k2.env", 16)).status == 0);
    auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.audit().find("ignored: the repository disables rule 'github.pat'") != std::string::npos);
    // ...while a rule it adds is enforced.
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && printf \"[[rules]]\\nid = 'acme.key'\\nregex = '''(acme_[a-z0-9]{20})'''\\n\" > .vigil.toml && "
                       "git add .vigil.toml && git commit -q -m tighten")
                .status == 0);
    REQUIRE(sh(s.bare(), "mv hooks/pre-receive hooks/off").status == 0);
    REQUIRE(s.in_clone("git push -q -f origin HEAD:main").status == 0);
    REQUIRE(sh(s.bare(), "mv hooks/off hooks/pre-receive").status == 0);
    REQUIRE(s.in_clone("echo 'x acme_q8zr2lmt7vxk9pwn4syb' > a.txt && git add a.txt && git commit -q -m a").status == 0);  // vigil:allow fake
    r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("acme.key") != std::string::npos);
  }

  TEST_CASE("push: bypass with a reason is accepted and recorded where the policy allows it") {
    Server s("[server]\nbypass = true\nbypass_max_severity = \"critical\"\n");
    REQUIRE(s.in_clone(add_secret_cmd("b.env", 17)).status == 0);
    auto r = s.in_clone("git push -o 'vigil.bypass=incident 42: key already rotated' origin HEAD:main");
    CHECK(r.status == 0);
    CHECK(r.err.find("accepted with a recorded bypass") != std::string::npos);
    CHECK(s.audit().find("\"decision\":\"bypass\"") != std::string::npos);
    CHECK(s.audit().find("incident 42: key already rotated") != std::string::npos);
  }

  TEST_CASE("push: bypass is refused without permission, without a reason, or above the allowed severity") {
    {
      Server s;  // default policy: no bypass
      REQUIRE(s.in_clone(add_secret_cmd("b.env", 18)).status == 0);
      const auto r = s.in_clone("git push -o 'vigil.bypass=please' origin HEAD:main");
      CHECK(r.status != 0);
      CHECK(r.err.find("bypass refused: bypass is not allowed") != std::string::npos);
    }
    {
      Server s("[server]\nbypass = true\nbypass_max_severity = \"high\"\n");  // github.pat is critical
      REQUIRE(s.in_clone(add_secret_cmd("b.env", 19)).status == 0);
      auto r = s.in_clone("git push -o 'vigil.bypass=please' origin HEAD:main");
      CHECK(r.status != 0);
      CHECK(r.err.find("critical findings (github.pat) cannot be bypassed") != std::string::npos);
      s.set_policy("[server]\nbypass = true\nbypass_max_severity = \"critical\"\n");
      r = s.in_clone("git push -o 'vigil.bypass=' origin HEAD:main");
      CHECK(r.status != 0);
      CHECK(r.err.find("needs a reason") != std::string::npos);
    }
  }

  TEST_CASE("push: past the deadline the push is rejected (fail closed) or accepted and recorded (fail open)") {
    Server s("[server]\ndeadline_ms = 1\n");
    REQUIRE(s.in_clone("echo x > x && git add x && git commit -q -m x").status == 0);
    auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("did not finish within 1 ms") != std::string::npos);
    CHECK(s.audit().find("timeout-reject") != std::string::npos);
    s.set_policy("[server]\ndeadline_ms = 1\non_timeout = \"accept\"\n");
    r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status == 0);
    CHECK(s.audit().find("timeout-accept") != std::string::npos);
  }

  TEST_CASE("push: an unreadable server policy rejects the push (fail closed)") {
    Server s;
    REQUIRE(sh(s.bare(), "git config vigil.policy /nonexistent/policy.toml").status == 0);
    REQUIRE(s.in_clone("echo x > x && git add x && git commit -q -m x").status == 0);
    const auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("fail closed") != std::string::npos);
  }

  TEST_CASE("push: 30 concurrent pushes keep the audit chain intact") {
    Server s;
    std::string script = "set -e; for i in $(seq 1 30); do git clone -q srv.git c$i 2>/dev/null; done; "
                         "for i in $(seq 1 30); do (cd c$i && echo $i > f$i && git add f$i && git commit -q -m c$i && "
                         "git push -q origin HEAD:refs/heads/b$i 2>/dev/null) & done; wait";
    REQUIRE(sh(s.dir.path(), script).status == 0);
    const auto v = sh(s.dir.path(), "$VIGIL audit verify srv.git/vigil-audit.jsonl");
    CHECK(v.status == 0);
    CHECK(v.out.find("intact: 31 records") != std::string::npos);  // the base push + 30
    // Tampering is detected: an edit, a deletion and a truncation.
    REQUIRE(sh(s.dir.path(), "cp srv.git/vigil-audit.jsonl a.jsonl && cp srv.git/vigil-audit.jsonl.head a.jsonl.head && "
                             "sed -i '5s/accept/reject/' a.jsonl")
                .status == 0);
    auto t = sh(s.dir.path(), "$VIGIL audit verify a.jsonl");
    CHECK(t.status == 1);
    CHECK(t.err.find("line 6: hash chain broken") != std::string::npos);
    REQUIRE(sh(s.dir.path(), "cp srv.git/vigil-audit.jsonl a.jsonl && sed -i '7d' a.jsonl").status == 0);
    t = sh(s.dir.path(), "$VIGIL audit verify a.jsonl");
    CHECK(t.err.find("line 7: sequence 8 where 7 was expected") != std::string::npos);
    REQUIRE(sh(s.dir.path(), "cp srv.git/vigil-audit.jsonl a.jsonl && sed -i '$d' a.jsonl").status == 0);
    t = sh(s.dir.path(), "$VIGIL audit verify a.jsonl");
    CHECK(t.status == 1);
    CHECK(t.err.find("truncated") != std::string::npos);
  }

  TEST_CASE("pre-push blocks a secret locally, judging only commits the remote lacks") {
    Server s;
    REQUIRE(sh(s.clone(), "$VIGIL install --hook pre-push >/dev/null").status == 0);
    REQUIRE(s.in_clone(add_secret_cmd("local.env", 20)).status == 0);
    auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("vigil: push blocked") != std::string::npos);
    CHECK(r.err.find("remote:") == std::string::npos);  // stopped before reaching the server
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && echo ok > ok && git add ok && git commit -q -m ok").status == 0);
    CHECK(s.in_clone("git push -q origin HEAD:main").status == 0);
    CHECK(s.in_clone("git push -q origin :refs/heads/nothing 2>/dev/null; git push -q origin HEAD:refs/heads/feature").status == 0);
  }

  TEST_CASE("push: a required signature is enforced at the server; a push cannot add its own key") {
    Server s("[signatures]\nrequire = [\"refs/heads/main\"]\n");
    REQUIRE(s.in_clone("echo u > u && git add u && git commit -q -m unsigned").status == 0);
    auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("signature.unsigned") != std::string::npos);
    // Sign with a fresh SSH key and add that key to the trusted list in the same push.
    REQUIRE(s.in_clone("ssh-keygen -q -t ed25519 -N '' -C me -f ../k && mkdir -p .vigil && "
                       "echo \"committer@example.com $(cat ../k.pub)\" > .vigil/allowed_signers && "
                       "git add .vigil && git -c gpg.format=ssh -c user.signingkey=$PWD/../k commit -q -S -m 'sign and trust myself' && "
                       "git reset -q --soft HEAD~2 && git -c gpg.format=ssh -c user.signingkey=$PWD/../k commit -q -S -m signed")
                .status == 0);
    r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("signature.unknown-key") != std::string::npos);
  }
}
