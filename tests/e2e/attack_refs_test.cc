// End-to-end attacks on the per-ref rules of the server gate: signatures, message rules scoped to
// refs, protected tags, and the update hook's view of a push. Each attack is a real
// `git push --no-verify` into a bare repository running vigil's server hook(s); each asserts what
// landed on the server (`git rev-parse` in the bare repository), not what was printed.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/attack_server.h"
#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

using vigil::test::ServerHooks;

/// The shared attack server with two SSH signing keys: alice (trusted by the repository's
/// .vigil/allowed_signers) and mallory (not). The first commit (signed by alice, holding the
/// trusted key list) is pushed to main before any policy is set (set_policy).
struct Server : vigil::test::AttackServer {
  explicit Server(ServerHooks hooks = ServerHooks::PreReceive)
      : AttackServer(std::nullopt, hooks,
                     "ssh-keygen -q -t ed25519 -N '' -C alice -f ../alice && "
                     "ssh-keygen -q -t ed25519 -N '' -C mallory -f ../mallory && mkdir .vigil && "
                     "echo \"committer@example.com $(cat ../alice.pub)\" > .vigil/allowed_signers && "
                     "echo base > README && git add -A && " +
                         sign_with("../alice") + " commit -q -m base") {}
  static std::string sign_with(const std::string& key) {
    return "git -c gpg.format=ssh -c user.signingkey=" + key + " -c commit.gpgsign=true";
  }
  /// `git` with SSH signing by `who` ("alice" or "mallory").
  std::string sign(const std::string& who) const { return sign_with(dir.path() + "/" + who); }
  /// A new commit in the clone (one file written), by `git_cmd` ("git" or sign(...)); its id.
  std::string commit(const std::string& file, const std::string& msg, const std::string& git_cmd = "git") const {
    auto r = in_clone("echo '" + msg + "' >> " + file + " && git add -A && " + git_cmd + " commit -q -m '" + msg +
                      "' && git rev-parse HEAD");
    REQUIRE_MESSAGE(r.status == 0, r.err);
    return trim_nl(r.out);
  }
};

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

const char* kMainSigned = "[signatures]\nrequire = [\"refs/heads/main\"]\n";
const char* kWipOnMain = "[messages]\nforbidden = ['^WIP']\nforbidden_on = [\"refs/heads/main\"]\n";

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("attack: unsigned commit via an unprotected branch, then fast-forward main") {
    Server s;
    s.set_policy(kMainSigned);
    const auto main_before = s.server_ref("main");
    const auto x = s.commit("a.txt", "unsigned work");
    REQUIRE(s.push("HEAD:refs/heads/feature").status == 0);  // a free branch: no signature needed
    REQUIRE(s.server_ref("feature") == x);
    const auto r = s.push("HEAD:main");  // the commit is not new to the repository, but new to main
    CHECK(r.status != 0);
    CHECK(r.err.find("signature.unsigned") != std::string::npos);
    CHECK(s.server_ref("main") == main_before);
  }

  TEST_CASE("attack: one push updates a free branch and main with the same unsigned commit") {
    Server s;
    s.set_policy(kMainSigned);
    const auto main_before = s.server_ref("main");
    s.commit("a.txt", "unsigned work");
    CHECK(s.push("HEAD:refs/heads/feature HEAD:main").status != 0);
    CHECK(s.server_ref("main") == main_before);
    CHECK(s.server_ref("refs/heads/feature").empty());
  }

  TEST_CASE("attack: create a protected branch at an unsigned commit only a free branch had") {
    Server s;
    s.set_policy("[signatures]\nrequire = [\"refs/heads/main\", \"refs/heads/release/*\"]\n");
    const auto x = s.commit("a.txt", "unsigned work");
    REQUIRE(s.push("HEAD:refs/heads/feature").status == 0);
    const auto r = s.push(x + ":refs/heads/release/1");
    CHECK(r.status != 0);
    CHECK(s.server_ref("refs/heads/release/1").empty());
    // The signed history main already has is not judged again when a branch is created on it.
    REQUIRE(s.in_clone("git checkout -q -b rel origin/main").status == 0);
    const auto y = s.commit("b.txt", "signed release fix", s.sign("alice"));
    CHECK(s.push(y + ":refs/heads/release/2").status == 0);
    CHECK(s.server_ref("refs/heads/release/2") == y);
  }

  TEST_CASE("attack: forbidden_on message rule on the second ref of a push") {
    Server s;
    s.set_policy(kWipOnMain);
    const auto main_before = s.server_ref("main");
    REQUIRE(s.push("HEAD:refs/heads/aaa").status == 0);
    s.commit("a.txt", "WIP half done");
    // Existing refs are sent sorted, so aaa comes first: the old gate judged every message as
    // landing on the first ref of the push only.
    const auto r = s.push("HEAD:refs/heads/aaa HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("messages.forbidden") != std::string::npos);
    CHECK(s.server_ref("main") == main_before);
    CHECK(s.server_ref("refs/heads/aaa") == main_before);
  }

  TEST_CASE("attack: a WIP commit pushed to a free branch, then fast-forwarded onto main") {
    Server s;
    s.set_policy(kWipOnMain);
    const auto main_before = s.server_ref("main");
    const auto x = s.commit("a.txt", "WIP half done");
    REQUIRE(s.push("HEAD:refs/heads/topic").status == 0);  // allowed off main
    REQUIRE(s.server_ref("refs/heads/topic") == x);
    const auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("messages.forbidden") != std::string::npos);
    CHECK(s.server_ref("main") == main_before);
  }

  TEST_CASE("attack: update hook only, unsigned commit lands on a sibling first, then main in the same push") {
    Server s(ServerHooks::Update);
    s.set_policy(kMainSigned);
    const auto main_before = s.server_ref("main");
    s.commit("a.txt", "unsigned work");
    REQUIRE(s.push("HEAD:refs/heads/feature").status == 0);  // feature exists: it is updated first
    s.commit("b.txt", "more unsigned work");
    // receive-pack moves feature before main's update hook runs: main must not count it as judged.
    const auto r = s.push("HEAD:refs/heads/feature HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server_ref("main") == main_before);
  }

  TEST_CASE("attack: update hook only, a push edits the policy on main and lands a sibling ref") {
    Server s(ServerHooks::Update);
    s.set_policy("");
    s.in_clone("printf 'version = 1\\n[[files]]\\nglob = \"*.pem\"\\non = [\"add\"]\\nreason = \"keys stay out\"\\n' > .vigil.toml");
    s.commit(".vigil.toml", "# forbid pem files");
    REQUIRE(s.push("HEAD:main").status == 0);
    const auto main_policy = s.server_ref("main");
    // main drops the rule; a new sibling (updated after main) adds a .pem file off the old tip.
    REQUIRE(s.in_clone("git rm -q .vigil.toml && git commit -q -m 'drop the files rule'").status == 0);
    const auto new_main = trim_nl(s.in_clone("git rev-parse HEAD").out);
    REQUIRE(s.in_clone("git checkout -q -b side " + main_policy + " && echo k > server.pem && git add server.pem && "
                                                                  "git commit -q -m key")
                .status == 0);
    const auto r = s.push(new_main + ":refs/heads/main HEAD:refs/heads/side");
    CHECK(s.server_ref("main") != main_policy);  // main's own update is judged by the old policy and passes
    CHECK(r.status != 0);
    CHECK(s.server_ref("refs/heads/side").empty());  // judged by the policy before the push, not main's new one
  }

  TEST_CASE("attack: update hook only, trusted keys changed in the same push") {
    Server s(ServerHooks::Update);
    REQUIRE(s.push("HEAD:refs/heads/release/0").status == 0);
    s.set_policy("[signatures]\nrequire = [\"refs/heads/release/*\"]\n");
    const auto rel_before = s.server_ref("refs/heads/release/0");
    // main (free) trusts mallory's key; release/0 (updated after main) gets a commit mallory signed.
    REQUIRE(s.in_clone("echo \"committer@example.com $(cat ../mallory.pub)\" >> .vigil/allowed_signers && "
                       "git commit -q -am 'trust mallory'")
                .status == 0);
    const auto new_main = trim_nl(s.in_clone("git rev-parse HEAD").out);
    REQUIRE(s.in_clone("git checkout -q -b rel " + rel_before).status == 0);
    s.commit("r.txt", "release work", s.sign("mallory"));
    const auto r = s.push(new_main + ":refs/heads/main HEAD:refs/heads/release/0");
    CHECK(r.status != 0);
    CHECK(r.err.find("signature.unknown-key") != std::string::npos);
    CHECK(s.server_ref("refs/heads/release/0") == rel_before);
  }

  TEST_CASE("attack: move a protected lightweight tag forward") {
    Server s;
    s.set_policy("[refs]\nprotected = [\"refs/heads/main\", \"refs/tags/v*\"]\n");
    REQUIRE(s.in_clone("git tag v1.0").status == 0);
    REQUIRE(s.push("v1.0").status == 0);
    const auto tag_before = s.server_ref("refs/tags/v1.0");
    s.commit("a.txt", "later work");
    const auto r = s.push("-f HEAD:refs/tags/v1.0");  // a fast-forward, not a force-push
    CHECK(r.status != 0);
    CHECK(r.err.find("never moved") != std::string::npos);
    CHECK(s.server_ref("refs/tags/v1.0") == tag_before);
  }

  TEST_CASE("attack: move a protected annotated tag") {
    Server s;
    s.set_policy("[refs]\nprotected = [\"refs/tags/v*\"]\n");
    REQUIRE(s.in_clone("git tag -a -m 'release 2' v2.0").status == 0);
    REQUIRE(s.push("v2.0").status == 0);
    const auto tag_before = s.server_ref("refs/tags/v2.0");
    s.commit("a.txt", "later work");
    REQUIRE(s.in_clone("git tag -f -a -m 'release 2, again' v2.0 >/dev/null").status == 0);
    const auto r = s.push("-f v2.0");
    CHECK(r.status != 0);
    CHECK(r.err.find("refs.protected-tag-move") != std::string::npos);
    CHECK(s.server_ref("refs/tags/v2.0") == tag_before);
  }

  TEST_CASE("attack: delete and recreate a protected tag, in one push and in two") {
    Server s;
    s.set_policy("[refs]\nprotected = [\"refs/tags/v*\"]\n");
    REQUIRE(s.in_clone("git tag v3.0").status == 0);
    REQUIRE(s.push("v3.0").status == 0);
    const auto tag_before = s.server_ref("refs/tags/v3.0");
    const auto x = s.commit("a.txt", "later work");
    CHECK(s.push("-f :refs/tags/v3.0 " + x + ":refs/tags/v3.0").status != 0);
    CHECK(s.server_ref("refs/tags/v3.0") == tag_before);
    const auto del = s.push(":refs/tags/v3.0");
    CHECK(del.status != 0);
    CHECK(del.err.find("refs.protected-delete") != std::string::npos);
    CHECK(s.push("-f " + x + ":refs/tags/v3.0").status != 0);
    CHECK(s.server_ref("refs/tags/v3.0") == tag_before);
  }

  TEST_CASE("attack: update hook only, a WIP commit lands on a sibling first, then main in the same push") {
    Server s(ServerHooks::Update);
    s.set_policy(kWipOnMain);
    const auto main_before = s.server_ref("main");
    REQUIRE(s.push("HEAD:refs/heads/feature").status == 0);
    s.commit("a.txt", "WIP half done");
    const auto r = s.push("HEAD:refs/heads/feature HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("messages.forbidden") != std::string::npos);
    CHECK(s.server_ref("main") == main_before);
  }

  TEST_CASE("push: with pre-receive and update installed, a push is judged and recorded once") {
    Server s(ServerHooks::Both);
    s.set_policy(kWipOnMain);
    s.commit("a.txt", "clean work");
    const auto x = s.commit("b.txt", "more clean work");
    const auto before = s.audit().size();  // the set-up push is recorded too
    REQUIRE(s.push("HEAD:main HEAD:refs/heads/feature HEAD:refs/heads/other").status == 0);
    CHECK(s.server_ref("main") == x);
    CHECK(s.server_ref("refs/heads/other") == x);
    const auto log = s.audit().substr(before);
    CHECK(count(log, "\"hook\":") == 1);
    CHECK(count(log, "\"hook\":\"pre-receive\"") == 1);
    CHECK(count(log, "refs/heads/other") == 1);
    // A rejected push is recorded once too, by pre-receive; no update hook runs.
    s.commit("c.txt", "WIP nope");
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(count(s.audit().substr(before), "\"hook\":") == 2);
    CHECK(s.server_ref("main") == x);
    // Uninstall takes the hooks' per-push records with it.
    REQUIRE(sh(s.dir.path(), "$VIGIL uninstall --server srv.git >/dev/null").status == 0);
    CHECK(sh(s.bare(), "test -e vigil-push").status != 0);
  }

  TEST_CASE("push: update hook only, each ref of a push is recorded once against the refs before the push") {
    Server s(ServerHooks::Update);
    s.set_policy(kMainSigned);
    const auto y = s.commit("a.txt", "signed", s.sign("alice"));
    const auto before = s.audit().size();  // the set-up push is recorded too
    REQUIRE(s.push("HEAD:main HEAD:refs/heads/feature").status == 0);
    CHECK(s.server_ref("main") == y);
    CHECK(count(s.audit().substr(before), "\"hook\":\"update\"") == 2);
    // The record of the push's refs does not outlive the next push.
    s.commit("b.txt", "next", s.sign("alice"));
    REQUIRE(s.push("HEAD:main").status == 0);
    CHECK(sh(s.bare(), "ls vigil-push | grep -c '^refs-'").out == "1\n");
  }
}

TEST_SUITE("e2e") {
  TEST_CASE("fail-safe: update hook only, a record of the refs that cannot be written rejects the push, recorded") {
    Server s(ServerHooks::Update);
    s.set_policy(kMainSigned);
    REQUIRE(sh(s.bare(), "rm -rf vigil-push && echo not-a-directory > vigil-push").status == 0);
    const auto main_before = s.server_ref("main");
    s.commit("a.txt", "signed", s.sign("alice"));
    const auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("push rejected: internal error (fail closed)") != std::string::npos);
    CHECK(s.server_ref("main") == main_before);
    CHECK(s.audit().find("\"decision\":\"error-reject\"") != std::string::npos);
  }
}

TEST_SUITE("e2e") {
  TEST_CASE("pre-push: a push by URL does not re-judge what the remote already has") {
    Server s;
    s.set_policy("[server]\nrepo_config = false\n");
    REQUIRE(sh(s.dir.path(), "rm srv.git/hooks/pre-receive").status == 0);  // the secret got there some other way
    REQUIRE(s.in_clone("echo 'TOKEN=" + fake_github_pat(31) + "' > old.env && git add old.env && git commit -q -m old && "
                                                              "git push -q --no-verify origin HEAD:main")
                .status == 0);
    REQUIRE(sh(s.clone(), "$VIGIL install --hook pre-push >/dev/null").status == 0);
    s.commit("clean.txt", "clean work");
    // A new branch by URL: git names no remote; the tracking refs of the remote with that URL do.
    const auto r = s.in_clone("git push " + s.bare() + " HEAD:refs/heads/topic");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(!s.server_ref("refs/heads/topic").empty());
    // New work is still judged by URL.
    REQUIRE(s.in_clone("echo 'TOKEN=" + fake_github_pat(32) + "' > new.env && git add new.env && git commit -q -m new").status == 0);
    CHECK(s.in_clone("git push " + s.bare() + " HEAD:refs/heads/topic2").status != 0);
    CHECK(s.server_ref("refs/heads/topic2").empty());
  }
}
