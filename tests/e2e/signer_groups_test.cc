// Signer groups and protected paths, end to end: real SSH (and OpenPGP) keys made here, real
// `git push --no-verify` into a bare repository running vigil-pre-receive, each case asserting the
// server's ref. The policy and its keys are read from the old tip; a push never vouches for itself.
#include <doctest/doctest.h>

#include <string>

#include "tests/e2e/signer_site.h"
#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::sh;
using vigil::test::TempDir;

using vigil::test::kPolicy;
using vigil::test::Site;
using vigil::test::trim_nl;

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

  TEST_CASE("trust root: an unreadable trust root file rejects every push") {
    Site s;
    s.set_floor("[server]\ntrust_root = [\"keys/no-such-root.pub\"]\n");
    const auto base = s.server("main");
    s.write("src/app.c", "int main(void) { return 9; }\n");
    s.add_commit("bob", "bob");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("no-such-root.pub") != std::string::npos);
    CHECK(s.server("main") == base);
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
