// Attacks on signer-protected paths: each tries to land a change to src/auth/ (guarded by the
// maintainers group) without a maintainer's approval, by a real `git push --no-verify`, and asserts
// what the server's refs hold afterwards.
#include <doctest/doctest.h>

#include <string>

#include "tests/e2e/signer_site.h"
#include "tests/support/temp_repo.h"

using vigil::test::kPolicy;
using vigil::test::sh;
using vigil::test::Site;

namespace {

/// kPolicy with its rule judged on every ref (no `refs` line).
std::string every_ref_policy() {
  std::string p = kPolicy;
  p.erase(p.find("refs = [\"refs/heads/main\"]\n"), 27);
  return p;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("attack: protected path reached via rename (out of it and into it)") {
    Site s;
    const auto base = s.server("main");
    REQUIRE(s.git("git mv src/auth/login.c src/login.c").status == 0);
    s.commit("mallory", "mallory");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("src/auth/login.c") != std::string::npos);
    CHECK(s.server("main") == base);

    s.reset();
    REQUIRE(s.git("git mv src/app.c src/auth/app.c").status == 0);
    s.commit("mallory", "");
    r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("src/auth/app.c") != std::string::npos);
    CHECK(s.server("main") == base);

    // The same rename signed by a maintainer lands.
    s.reset();
    REQUIRE(s.git("git mv src/app.c src/auth/app.c").status == 0);
    const auto ok = s.commit("bob", "bob");
    CHECK(s.push("HEAD:main").status == 0);
    CHECK(s.server("main") == ok);
  }

  TEST_CASE("attack: protected path reached via a symlink") {
    Site s;
    const auto base = s.server("main");
    // The directory becomes a link to files the attacker controls.
    REQUIRE(s.git("mkdir -p evil && echo 'int login(void) { return 1; }' > evil/login.c && git rm -q -r src/auth && "
                  "ln -s ../evil src/auth && git add -A")
                .status == 0);
    s.commit("mallory", "mallory");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server("main") == base);

    // The file itself becomes a link.
    s.reset();
    REQUIRE(s.git("git rm -q src/auth/login.c && mkdir -p src/auth && ln -s ../../evil.c src/auth/login.c && git add -A").status == 0);
    s.commit("mallory", "");
    r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("src/auth/login.c") != std::string::npos);
    CHECK(s.server("main") == base);
  }

  TEST_CASE("attack: protected path reached via case variants on a case-insensitive checkout") {
    // The floor turns the collision check off, so only the signer rule can stop these.
    Site s("[[files]]\nid = \"files.case-collision\"\naction = \"off\"\nreason = \"test: signer rules alone\"\n");
    REQUIRE(sh(s.bare(), "git config core.ignorecase true").status == 0);
    const auto base = s.server("main");
    s.write("SRC/Auth/login.c", "int login(void) { return 1; }\n");
    s.add_commit("mallory", "");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("SRC/Auth/login.c") != std::string::npos);
    CHECK(s.server("main") == base);

    s.reset();
    s.write("src/AUTH/backdoor.c", "int backdoor;\n");
    s.add_commit("mallory", "mallory");
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server("main") == base);
  }

  TEST_CASE("attack: protected path reached via a different ref, then fast-forwarded onto main") {
    Site s;
    const auto base = s.server("main");
    s.write("src/auth/login.c", "int login(void) { return 1; }\n");
    const auto change = s.add_commit("mallory", "");
    // The rule covers main only: a topic branch may hold the change.
    REQUIRE(s.push("HEAD:refs/heads/topic").status == 0);
    REQUIRE(s.server("topic") == change);
    // Moving main to the commit the server already has is judged as what main newly reaches.
    auto r = s.push(change + ":refs/heads/main");
    CHECK(r.status != 0);
    CHECK(s.server("main") == base);
  }

  TEST_CASE("attack: protected path reached via a tag") {
    Site s;
    s.write(".vigil.toml", every_ref_policy());
    s.land("rule on every ref");
    const auto base = s.server("main");
    s.write("src/auth/login.c", "int login(void) { return 1; }\n");
    const auto change = s.add_commit("mallory", "");
    REQUIRE(s.git("git tag -a -m release v1 HEAD && git tag light HEAD").status == 0);
    CHECK(s.push("refs/tags/v1").status != 0);
    CHECK(s.server("refs/tags/v1").empty());
    CHECK(s.push("refs/tags/light").status != 0);
    CHECK(s.server("refs/tags/light").empty());
    CHECK(sh(s.bare(), "git cat-file -e " + change).status != 0);
    CHECK(s.server("main") == base);
  }

  TEST_CASE("attack: a merge brings an unsigned change, or changes the protected path itself") {
    Site s;
    const auto base = s.server("main");
    // A clean topic branch (no protected path) merged by mallory, who edits src/auth in the merge.
    REQUIRE(s.git("git checkout -q -b topic").status == 0);
    s.write("src/app.c", "int main(void) { return 1; }\n");
    s.add_commit("mallory", "");
    REQUIRE(s.git("git checkout -q main").status == 0);
    REQUIRE(s.git("GIT_AUTHOR_EMAIL=mallory@example.org GIT_COMMITTER_EMAIL=mallory@example.org "
                  "git merge -q --no-ff --no-commit topic && echo 'int login(void) { return 1; }' > src/auth/login.c && "
                  "git add -A")
                .status == 0);
    s.commit("mallory", "mallory", "merge topic");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("src/auth/login.c") != std::string::npos);
    CHECK(s.server("main") == base);

    // An approved merge approves what it brings, not an unsigned commit stacked on top of it.
    s.reset();
    REQUIRE(s.git("git branch -q -D topic && git checkout -q -b topic").status == 0);
    s.write("src/auth/login.c", "int login(void) { return 2; }\n");
    s.add_commit("mallory", "");
    REQUIRE(s.git("git checkout -q main").status == 0);
    s.merge("topic", "bob", "bob");
    s.write("src/auth/login.c", "int login(void) { return 3; }\n");
    s.add_commit("mallory", "");
    r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server("main") == base);
    // Without the extra commit, bob's signed merge approves mallory's change.
    REQUIRE(s.git("git reset -q --hard HEAD~1").status == 0);
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == s.head());
  }

  TEST_CASE("attack: a repository policy cannot drop the floor's signer group members or trust roots") {
    // The floor guards src/auth/ with its own maintainers (alice only) and names a trust root.
    Site s("[signers.maintainers]\nmembers = [\"alice@example.org\"]\n"
           "[[files]]\nglob = \"src/auth/**\"\nsigners = \"maintainers\"\nreason = \"floor: auth needs alice\"\n"
           "[server]\ntrust_root = [\"keys/root.pub\"]\n");
    const auto base = s.server("main");
    // The repository's kPolicy lists bob as a maintainer too: the floor's group stands.
    s.write("src/auth/login.c", "int login(void) { return 1; }\n");
    s.add_commit("bob", "bob");
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server("main") == base);
    // The root still may change the policy although the repository's policy group names only admin.
    s.reset();
    s.write(".vigil/allowed_signers", s.git("cat .vigil/allowed_signers").out + s.signer_line("carol"));
    s.add_commit("admin", "root");
    auto r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == s.head());
  }

  TEST_CASE("attack: a push adds its own key where [signatures] keeps the trusted keys outside .vigil/") {
    Site s;
    std::string policy = std::string(kPolicy) + "[signatures]\nallowed_signers = [\"keys/signers\"]\n";
    s.write(".vigil.toml", policy);
    s.write("keys/signers", s.git("cat .vigil/allowed_signers").out);
    s.land("keys moved");
    const auto base = s.server("main");
    s.write("keys/signers", s.git("cat keys/signers").out + s.signer_line("carol"));
    s.add_commit("carol", "carol");
    auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("keys/signers") != std::string::npos);
    CHECK(s.server("main") == base);
    // Signed by the policy group, the same change lands.
    REQUIRE(s.git("git reset -q --soft HEAD~1").status == 0);
    s.commit("admin", "admin");
    r = s.push("HEAD:main");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server("main") == s.head());
  }
}
