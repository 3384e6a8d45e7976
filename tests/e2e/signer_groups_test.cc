// Signer groups and protected paths, end to end: real SSH (and OpenPGP) keys made here, real
// `git push --no-verify` into a bare repository running vigil-pre-receive, each case asserting the
// server's ref. The policy and its keys are read from the old tip; a push never vouches for itself.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The repository policy most cases start from: an admin guards the policy, alice and bob guard
// src/auth/ on main, where a signed merge by a member who is not the author also approves.
const char* kPolicy =
    "version = 1\n"
    "[signers.policy]\nmembers = [\"admin@example.org\"]\n"
    "[signers.maintainers]\nmembers = [\"alice@example.org\", \"bob@example.org\"]\n"
    "[[files]]\nglob = \"src/auth/**\"\nsigners = \"maintainers\"\napproval = \"merge\"\n"
    "refs = [\"refs/heads/main\"]\nreason = \"authentication code needs a maintainer\"\n";

/// A bare server with vigil-pre-receive, a floor policy, SSH keys for admin, alice, bob and mallory
/// (all trusted; mallory is in no group), and a clone to push from without client hooks.
class Site {
 public:
  explicit Site(const std::string& floor = "", bool seed = true) {
    const std::string bin = vigil::test::bin_dir();
    REQUIRE(sh(dir_.path(), "mkdir keys && git init -q --bare srv.git && ln -s " + bin +
                                "/vigil-pre-receive srv.git/hooks/pre-receive && git clone -q srv.git work 2>/dev/null")
                .status == 0);
    for (const char* who : {"admin", "alice", "bob", "mallory", "carol", "root"}) {
      REQUIRE(sh(dir_.path() + "/keys", std::string("ssh-keygen -q -t ed25519 -N '' -C ") + who + " -f " + who).status == 0);
    }
    set_floor(floor);
    if (!seed) return;
    write("src/auth/login.c", "int login(void) { return 0; }\n");
    write("src/app.c", "int main(void) { return 0; }\n");
    write(".vigil.toml", kPolicy);
    write(".vigil/allowed_signers", signer_line("admin") + signer_line("alice") + signer_line("bob") + signer_line("mallory"));
    land();
  }
  const std::string& root() const { return dir_.path(); }
  std::string bare() const { return dir_.path() + "/srv.git"; }
  std::string keys() const { return dir_.path() + "/keys"; }
  void set_floor(std::string floor) const {
    if (floor.find("[server]") == std::string::npos) floor += "\n[server]\n";
    floor.insert(floor.find("[server]\n") + 9, "deadline_ms = 300000\n");
    dir_.write("policy.toml", floor);
    REQUIRE(sh(bare(), "git config vigil.policy " + dir_.path() + "/policy.toml").status == 0);
  }
  /// "<who>@example.org ssh-ed25519 AAAA...\n" for allowed_signers.
  std::string signer_line(const std::string& who) const {
    auto pub = sh(keys(), "cut -d' ' -f1,2 " + who + ".pub");
    REQUIRE(pub.status == 0);
    return who + "@example.org " + trim_nl(pub.out) + "\n";
  }
  CmdResult git(const std::string& cmd) const { return sh(dir_.path() + "/work", cmd); }
  void write(const std::string& rel, const std::string& text) const { dir_.write("work/" + rel, text); }
  std::string server(const std::string& ref) const { return trim_nl(sh(bare(), "git rev-parse -q --verify " + ref).out); }
  std::string head() const { return trim_nl(git("git rev-parse HEAD").out); }

  /// Commits everything as `who` (author and committer <who>@example.org), SSH-signed by the key
  /// `key` ("" = unsigned). Returns the commit id.
  std::string commit(const std::string& who, const std::string& key, const std::string& msg = "change") const {
    auto c = git(identity(who) + " git " + signing(key) + " commit -q --no-verify -m '" + msg + "' && git rev-parse HEAD");
    REQUIRE_MESSAGE(c.status == 0, c.err);
    return trim_nl(c.out);
  }
  std::string add_commit(const std::string& who, const std::string& key, const std::string& msg = "change") const {
    REQUIRE(git("git add -A").status == 0);
    return commit(who, key, msg);
  }
  /// A merge of `branch` into the checked-out branch, as `who`, signed by `key` ("" = unsigned).
  std::string merge(const std::string& branch, const std::string& who, const std::string& key) const {
    auto c = git(identity(who) + " git " + signing(key) + " merge -q --no-ff --no-verify -m 'merge " + branch + "' " +
                 branch + " && git rev-parse HEAD");
    REQUIRE_MESSAGE(c.status == 0, c.err);
    return trim_nl(c.out);
  }
  CmdResult push(const std::string& refspec) const { return git("git push --no-verify origin " + refspec); }
  /// Lands the work tree on main with the server hook off (the state before vigil, or an admin's).
  void land(const std::string& msg = "set-up") const {
    REQUIRE(sh(bare(), "mv hooks/pre-receive hooks/off").status == 0);
    REQUIRE(git("git add -A && git commit -q --no-verify -m '" + msg + "' && git push -q origin HEAD:main").status == 0);
    REQUIRE(sh(bare(), "mv hooks/off hooks/pre-receive").status == 0);
  }
  /// Back to the server's main, dropping refused local commits and their files.
  void reset() const { REQUIRE(git("git fetch -q origin && git checkout -q -B main origin/main && git reset -q --hard origin/main && git clean -qfdx").status == 0); }

  std::string identity(const std::string& who) const {
    const std::string e = who + "@example.org";
    return "GIT_AUTHOR_NAME=" + who + " GIT_AUTHOR_EMAIL=" + e + " GIT_COMMITTER_NAME=" + who + " GIT_COMMITTER_EMAIL=" + e;
  }
  std::string signing(const std::string& key) const {
    if (key.empty()) return "-c commit.gpgsign=false";
    return "-c gpg.format=ssh -c user.signingkey=" + keys() + "/" + key + " -c commit.gpgsign=true";
  }

 private:
  TempDir dir_;
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("signer groups: a member's signed change to a protected path lands; a non-member's and an unsigned one do not") {
    Site s;
    const auto base = s.server("main");
    s.write("src/auth/login.c", "int login(void) { return 1; }\n");
    s.add_commit("mallory", "mallory");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server("main") == base);
    CHECK(r.err.find("src/auth/login.c") != std::string::npos);
    CHECK(r.err.find("maintainers") != std::string::npos);
    CHECK(r.err.find("alice@example.org, bob@example.org") != std::string::npos);
    CHECK(r.err.find("git merge --no-ff -S") != std::string::npos);

    REQUIRE(s.git("git reset -q --soft HEAD~1").status == 0);
    s.commit("mallory", "");
    r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("not signed") != std::string::npos);
    CHECK(s.server("main") == base);

    REQUIRE(s.git("git reset -q --soft HEAD~1").status == 0);
    const auto good = s.commit("alice", "alice");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == good);

    // Paths the rule does not name need nobody.
    s.write("src/app.c", "int main(void) { return 2; }\n");
    const auto free_change = s.add_commit("mallory", "");
    CHECK(s.push("HEAD:main").status == 0);
    CHECK(s.server("main") == free_change);
  }

  TEST_CASE("signer groups: a signed merge by another member approves a change; the author's own merge does not") {
    Site s;
    REQUIRE(s.git("git checkout -q -b feature").status == 0);
    s.write("src/auth/login.c", "int login(void) { return 3; }\n");
    const auto change = s.add_commit("alice", "");  // alice, unsigned: needs review
    // The rule covers main only: the branch itself may hold it.
    REQUIRE(s.push("HEAD:refs/heads/feature").status == 0);
    REQUIRE(s.git("git checkout -q main").status == 0);
    const auto base = s.server("main");

    s.merge("feature", "alice", "alice");  // her own change, her own merge
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("its own author") != std::string::npos);
    CHECK(s.server("main") == base);

    REQUIRE(s.git("git reset -q --hard " + base).status == 0);
    s.merge("feature", "mallory", "mallory");  // signed, but not by a member
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server("main") == base);

    REQUIRE(s.git("git reset -q --hard " + base).status == 0);
    const auto approved = s.merge("feature", "bob", "bob");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == approved);
    CHECK(sh(s.bare(), "git merge-base --is-ancestor " + change + " main").status == 0);
  }

  TEST_CASE("attack: a push adds its own key to the trusted keys, or its own group membership") {
    Site s;
    const auto base = s.server("main");
    // carol's key is trusted nowhere yet: she adds it and signs with it.
    s.write(".vigil/allowed_signers", s.git("cat .vigil/allowed_signers").out + s.signer_line("carol"));
    s.write("src/auth/login.c", "int login(void) { return 4; }\n");
    s.add_commit("carol", "carol");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server("main") == base);
    CHECK(r.err.find("policy") != std::string::npos);

    // alice (a maintainer with a trusted key) makes herself a policy member.
    s.reset();
    std::string policy = kPolicy;
    policy.replace(policy.find("[\"admin@example.org\"]"), 21, "[\"admin@example.org\", \"alice@example.org\"]");
    s.write(".vigil.toml", policy);
    s.add_commit("alice", "alice");
    r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find(".vigil.toml") != std::string::npos);
    CHECK(s.server("main") == base);
  }

  TEST_CASE("trust policy: an admin-signed key addition lands, and the new key counts from the next push") {
    Site s;
    const auto base = s.server("main");
    std::string policy = kPolicy;
    policy.replace(policy.find("\"bob@example.org\"]"), 18, "\"bob@example.org\", \"carol@example.org\"]");
    s.write(".vigil.toml", policy);
    s.write(".vigil/allowed_signers", s.git("cat .vigil/allowed_signers").out + s.signer_line("carol"));
    const auto admin = s.add_commit("admin", "admin", "trust carol");
    // In the same push, carol's key is not trusted yet: the keys come from the old tip.
    s.write("src/auth/login.c", "int login(void) { return 5; }\n");
    s.add_commit("carol", "carol");
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server("main") == base);

    auto r = s.push(admin + ":refs/heads/main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == admin);
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == s.head());
  }

  TEST_CASE("trust root: an empty repository's first policy commit must be signed by the server's trust root") {
    Site s("[server]\ntrust_root = [\"keys/root.pub\"]\n", false);
    s.write(".vigil.toml", kPolicy);
    s.write(".vigil/allowed_signers", s.signer_line("admin") + s.signer_line("alice"));
    s.add_commit("admin", "admin", "bootstrap");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("trust root") != std::string::npos);
    CHECK(s.server("main").empty());

    REQUIRE(s.git("git " + s.signing("root") + " commit -q --amend --no-edit --no-verify").status == 0);
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == s.head());

    // From now on the repository's policy group decides (and the root still may).
    s.write(".vigil/allowed_signers", s.git("cat .vigil/allowed_signers").out + s.signer_line("bob"));
    s.add_commit("admin", "admin", "trust bob");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == s.head());
  }

  TEST_CASE("trust root: given as an SSH fingerprint") {
    TempDir probe;
    REQUIRE(sh(probe.path(), "ssh-keygen -q -t ed25519 -N '' -f k").status == 0);
    Site s("", false);
    const auto fp = trim_nl(sh(s.keys(), "ssh-keygen -lf root.pub | cut -d' ' -f2").out);
    REQUIRE(fp.rfind("SHA256:", 0) == 0);
    s.set_floor("[server]\ntrust_root = [\"" + fp + "\"]\n");
    s.write(".vigil.toml", kPolicy);
    s.add_commit("alice", "alice", "bootstrap");
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server("main").empty());
    REQUIRE(s.git("git " + s.signing("root") + " commit -q --amend --no-edit --no-verify").status == 0);
    auto r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == s.head());
  }

  TEST_CASE("key revocation: a removed key stops counting for new commits; history it signed stays") {
    Site s;
    s.write("src/auth/login.c", "int login(void) { return 6; }\n");
    const auto signed_before = s.add_commit("alice", "alice");
    REQUIRE(s.push("HEAD:main").status == 0);
    // A branch alice signed before her key was revoked, not yet on main.
    REQUIRE(s.git("git checkout -q -b old-work").status == 0);
    s.write("src/auth/login.c", "int login(void) { return 7; }\n");
    const auto stale = s.add_commit("alice", "alice", "written before the revocation");
    REQUIRE(s.git("git checkout -q main").status == 0);

    // The admin revokes alice's key (removes it from allowed_signers).
    s.write(".vigil/allowed_signers", s.signer_line("admin") + s.signer_line("bob") + s.signer_line("mallory"));
    const auto revoke = s.add_commit("admin", "admin", "revoke the key of alice");
    REQUIRE(s.push("HEAD:main").status == 0);
    REQUIRE(s.server("main") == revoke);

    s.write("src/auth/login.c", "int login(void) { return 8; }\n");
    s.add_commit("alice", "alice");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server("main") == revoke);

    // Newly pushed history signed before the revocation needs a key valid now, whatever its date
    // (a force-push puts alice's old commit on main).
    r = s.push("+" + stale + ":refs/heads/main");
    CHECK(r.status != 0);
    CHECK(r.err.find("src/auth/login.c") != std::string::npos);
    CHECK(s.server("main") == revoke);

    // History already on main stays accepted: a new change on top of alice's signed commit lands.
    s.reset();
    s.write("src/auth/login.c", "int login(void) { return 9; }\n");
    const auto bob = s.add_commit("bob", "bob");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == bob);
    CHECK(sh(s.bare(), "git merge-base --is-ancestor " + signed_before + " main").status == 0);
  }
}
