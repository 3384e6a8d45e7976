// End-to-end attacks on "everything a push makes reachable is judged": secrets in commit messages,
// identities and tags; refs that name a tree or a blob directly; exemptions scoped to one path
// reused at another. Each is a real `git push --no-verify` into a bare repository running
// vigil-pre-receive, and asserts what the server holds afterwards.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/attack_server.h"
#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

using Server = vigil::test::AttackServer;

// A value only the generic assignment detector finds (no provider rule knows it); lockfiles run
// without the generic detectors.
const std::string kGenericSecret = "db_password = \"Xq7vR2mK9pL4wZ8nT3bY6cH1jF5\"";

std::string token_line(unsigned seed) { return "TOKEN=" + fake_github_pat(seed); }

const char* kFixtureAllow =
    "[[allow]]\npaths = [\"tests/fixtures/**\"]\nreason = \"revoked keys kept as test data\"\n";

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("attack: secret in commit message") {
    Server s;
    const auto before = s.server_ref("main");
    REQUIRE(s.in_clone("git commit -q --no-verify --allow-empty -m 'deploy with " + fake_github_pat(201) + "'").status == 0);
    const auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server_ref("main") == before);
    CHECK(!s.server_has(s.clone_rev("HEAD")));
    CHECK(r.err.find("(commit message)") != std::string::npos);
    CHECK(r.err.find(fake_github_pat(201)) == std::string::npos);  // masked
    CHECK(s.audit().find(fake_github_pat(201)) == std::string::npos);
    CHECK(s.audit().find("(commit message)") != std::string::npos);
  }

  TEST_CASE("attack: secret in author name or e-mail") {
    Server s;
    const auto before = s.server_ref("main");
    REQUIRE(s.in_clone("git commit -q --no-verify --allow-empty --author='" + fake_github_pat(202) +
                       " <a@example.com>' -m ok")
                .status == 0);
    CHECK(s.push("HEAD:refs/heads/by-name").status != 0);
    CHECK(s.server_ref("refs/heads/by-name").empty());
    REQUIRE(s.in_clone("git reset -q --hard origin/main").status == 0);
    REQUIRE(s.in_clone("git commit -q --no-verify --allow-empty --author='Ann <" + fake_github_pat(203) +
                       "@example.com>' -m ok")
                .status == 0);
    const auto r = s.push("HEAD:refs/heads/by-email");
    CHECK(r.status != 0);
    CHECK(s.server_ref("refs/heads/by-email").empty());
    CHECK(r.err.find("(commit author)") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    // Every finding quotes its commit's author: masked there too, on screen and in the audit trail.
    for (unsigned seed : {202u, 203u}) {
      CHECK(r.err.find(fake_github_pat(seed)) == std::string::npos);
      CHECK(s.audit().find(fake_github_pat(seed)) == std::string::npos);
    }
    CHECK(s.audit().find("(commit author)") != std::string::npos);
  }

  TEST_CASE("attack: secret in committer identity") {
    Server s;
    REQUIRE(s.in_clone("GIT_COMMITTER_NAME='" + fake_github_pat(204) + "' git commit -q --no-verify --allow-empty -m ok")
                .status == 0);
    const auto r = s.push("HEAD:refs/heads/c");
    CHECK(r.status != 0);
    CHECK(r.err.find("(commit committer)") != std::string::npos);
    CHECK(s.server_ref("refs/heads/c").empty());
  }

  TEST_CASE("attack: secret in annotated tag message") {
    Server s;
    REQUIRE(s.in_clone("git tag -a -m 'release, key " + fake_github_pat(205) + "' v1").status == 0);
    const auto r = s.push("v1");
    CHECK(r.status != 0);
    CHECK(r.err.find("(tag message)") != std::string::npos);
    CHECK(s.audit().find(fake_github_pat(205)) == std::string::npos);
    CHECK(s.server_ref("refs/tags/v1").empty());
    CHECK(!s.server_has(s.clone_rev("v1")));
    // The same tag with a clean message is accepted: the commit itself is clean.
    REQUIRE(s.in_clone("git tag -f -a -m 'release' v1 >/dev/null").status == 0);
    CHECK(s.push("v1").status == 0);
    CHECK(s.server_ref("refs/tags/v1").substr(0, 40) == s.clone_rev("v1"));
  }

  TEST_CASE("attack: secret in tagger identity") {
    Server s;
    REQUIRE(s.in_clone("GIT_COMMITTER_EMAIL='" + fake_github_pat(206) + "@example.com' git tag -a -m release v2").status == 0);
    CHECK(s.push("v2").status != 0);
    CHECK(s.server_ref("refs/tags/v2").empty());
  }

  TEST_CASE("attack: blob pushed directly as a tag") {
    Server s;
    const auto blob = s.blob(token_line(207));
    REQUIRE(blob.size() == 40);
    const auto r = s.push(blob + ":refs/tags/x");
    CHECK(r.status != 0);
    CHECK(r.err.find("(blob)") != std::string::npos);
    CHECK(s.server_ref("refs/tags/x").empty());
    CHECK(!s.server_has(blob));
    // Judged, not refused: a clean blob is accepted like any clean file.
    const auto clean = s.blob("just some notes");
    CHECK(s.push(clean + ":refs/tags/notes").status == 0);
    CHECK(s.server_ref("refs/tags/notes").substr(0, 40) == clean);
  }

  TEST_CASE("attack: tree pushed as a branch or a tag") {
    Server s;
    REQUIRE(s.in_clone("mkdir -p cfg && echo '" + token_line(208) + "' > cfg/prod.env && git add cfg && "
                                                                    "git commit -q --no-verify -m add")
                .status == 0);
    const auto tree = s.clone_rev("HEAD^{tree}");
    const auto secret_blob = s.clone_rev("HEAD:cfg/prod.env");
    // git itself refuses a tree on a branch, but only after pre-receive let the objects in.
    CHECK(s.push(tree + ":refs/heads/y").status != 0);
    CHECK(!s.server_has(secret_blob));
    const auto r = s.push(tree + ":refs/tags/t");
    CHECK(r.status != 0);
    CHECK(r.err.find("cfg/prod.env") != std::string::npos);
    CHECK(s.server_ref("refs/tags/t").empty());
    CHECK(!s.server_has(secret_blob));
  }

  TEST_CASE("attack: tag of a tag of a blob") {
    Server s;
    const auto blob = s.blob(token_line(209));
    REQUIRE(s.in_clone("git tag -a -m inner inner " + blob + " && git tag -a -m outer outer inner").status == 0);
    const auto r = s.push("outer:refs/tags/outer");
    CHECK(r.status != 0);
    CHECK(s.server_ref("refs/tags/outer").empty());
    CHECK(!s.server_has(blob));
    CHECK(!s.server_has(s.clone_rev("outer")));
  }

  TEST_CASE("attack: tree pushed as a tag carries a file the [[files]] rules forbid") {
    Server s("[[files]]\nglob = \"**/*.pem\"\naction = \"block\"\nreason = \"keys belong in the vault\"\n");
    REQUIRE(s.in_clone("echo 'not a key' > server.pem && git add server.pem && git commit -q --no-verify -m pem").status == 0);
    const auto tree = s.clone_rev("HEAD^{tree}");
    const auto r = s.push(tree + ":refs/tags/pem-tree");
    CHECK(r.status != 0);
    CHECK(r.err.find("server.pem") != std::string::npos);
    CHECK(s.server_ref("refs/tags/pem-tree").empty());
  }

  TEST_CASE("attack: same blob under an allowed path and a normal path in one commit") {
    Server s(kFixtureAllow);
    REQUIRE(s.in_clone("mkdir -p tests/fixtures && echo '" + token_line(210) + "' > tests/fixtures/key.txt && "
                                                                               "mkdir -p web && cp tests/fixtures/key.txt web/deploy.env && git add -A && git commit -q --no-verify -m both")
                .status == 0);
    const auto before = s.server_ref("main");
    // The allowed path sorts first, so it is where the commit introduces the blob.
    const auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("web/deploy.env") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    // Control: the allowed path alone passes, so it is the second path that is judged.
    REQUIRE(s.in_clone("git rm -q -r --cached web && rm -r web && git commit -q --no-verify --amend -m fixture").status == 0);
    CHECK(s.push("HEAD:main").status == 0);
  }

  TEST_CASE("attack: same blob under an allowed path and a normal path in two commits") {
    Server s(kFixtureAllow);
    REQUIRE(s.in_clone("mkdir -p tests/fixtures && echo '" + token_line(211) + "' > tests/fixtures/key.txt && "
                                                                               "git add -A && git commit -q --no-verify -m fixture && "
                                                                               "cp tests/fixtures/key.txt app.env && git add -A && git commit -q --no-verify -m copy")
                .status == 0);
    const auto before = s.server_ref("main");
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server_ref("main") == before);
    // Reversed order: the normal path first, the allowed path later.
    REQUIRE(s.in_clone("git reset -q --hard origin/main && echo '" + token_line(212) + "' > b.env && git add -A && "
                                                                                       "git commit -q --no-verify -m one && mkdir -p tests/fixtures && cp b.env tests/fixtures/b.txt && "
                                                                                       "git add -A && git commit -q --no-verify -m two")
                .status == 0);
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server_ref("main") == before);
  }

  TEST_CASE("attack: blob already on the server under an allowed path, renamed out of it") {
    Server s(kFixtureAllow);
    REQUIRE(s.in_clone("mkdir -p tests/fixtures && echo '" + token_line(213) + "' > tests/fixtures/k.txt && "
                                                                               "git add -A && git commit -q --no-verify -m fixture")
                .status == 0);
    REQUIRE(s.push("HEAD:main").status == 0);  // allowed where it is
    const auto before = s.server_ref("main");
    REQUIRE(s.in_clone("git mv tests/fixtures/k.txt prod.env && git commit -q --no-verify -m move").status == 0);
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server_ref("main") == before);
    // A rename that edits the file keeps only its added lines, but not across an exemption either.
    REQUIRE(s.in_clone("git reset -q --hard origin/main && git mv tests/fixtures/k.txt prod.env && echo more >> prod.env && "
                       "git commit -q -a --no-verify -m 'move and edit'")
                .status == 0);
    CHECK(s.push("HEAD:main").status != 0);
    CHECK(s.server_ref("main") == before);
  }

  TEST_CASE("attack: lockfile exemption reused at a .env path") {
    Server s;
    REQUIRE(s.in_clone("printf '%s\\n' '" + kGenericSecret + "' > package-lock.json && mkdir -p svc && "
                                                             "cp package-lock.json svc/.env && git add -A && git commit -q --no-verify -m deps")
                .status == 0);
    const auto before = s.server_ref("main");
    const auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("svc/.env:1") != std::string::npos);
    CHECK(r.err.find("package-lock.json:1") == std::string::npos);  // the exemption holds where it applies
    CHECK(s.server_ref("main") == before);
    // Control: the lockfile alone passes.
    REQUIRE(s.in_clone("git rm -q -r --cached svc && rm -r svc && git commit -q --no-verify --amend -m deps").status == 0);
    CHECK(s.push("HEAD:main").status == 0);
  }

  TEST_CASE("attack: path waiver reused at another path") {
    Server s("[[waivers]]\nrule = \"github.pat\"\npath = \"docs/examples/**\"\nowner = \"qa@example.com\"\n"
             "reason = \"revoked token in the docs, QA-1\"\nexpires = 2999-12-31\n");
    REQUIRE(s.in_clone("mkdir -p docs/examples && echo '" + token_line(214) + "' > docs/examples/t.md && "
                                                                              "mkdir -p src && cp docs/examples/t.md src/config.txt && git add -A && "
                                                                              "git commit -q --no-verify -m docs")
                .status == 0);
    const auto before = s.server_ref("main");
    const auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("src/config.txt") != std::string::npos);
    CHECK(s.server_ref("main") == before);
  }

  TEST_CASE("attack: an allowed path and a blocked path of one blob pushed as a tree") {
    Server s(kFixtureAllow);
    REQUIRE(s.in_clone("mkdir -p tests/fixtures && echo '" + token_line(215) + "' > tests/fixtures/k.txt && "
                                                                               "cp tests/fixtures/k.txt k.env && git add -A && git commit -q --no-verify -m both")
                .status == 0);
    const auto tree = s.clone_rev("HEAD^{tree}");
    const auto r = s.push(tree + ":refs/tags/both");
    CHECK(r.status != 0);
    CHECK(r.err.find("k.env") != std::string::npos);
    CHECK(s.server_ref("refs/tags/both").empty());
  }

  TEST_CASE("pre-push judges messages, tags and a blob ref before they leave the laptop") {
    Server s;
    REQUIRE(s.in_clone("$VIGIL install --hook pre-push >/dev/null").status == 0);
    REQUIRE(s.in_clone("git commit -q --no-verify --allow-empty -m 'key " + fake_github_pat(216) + "'").status == 0);
    auto r = s.in_clone("git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("(commit message)") != std::string::npos);
    CHECK(r.err.find("remote:") == std::string::npos);  // stopped before reaching the server
    REQUIRE(s.in_clone("git reset -q --hard origin/main && git tag -a -m 'k " + fake_github_pat(217) + "' t1").status == 0);
    r = s.in_clone("git push origin t1");
    CHECK(r.status != 0);
    CHECK(r.err.find("(tag message)") != std::string::npos);
    const auto blob = s.blob(token_line(218));
    r = s.in_clone("git push origin " + blob + ":refs/tags/b1");
    CHECK(r.status != 0);
    CHECK(r.err.find("(blob)") != std::string::npos);
    CHECK(r.err.find("remote:") == std::string::npos);
  }

  TEST_CASE("attack: one secret blob at 5,000 paths, all but the last under an allowed path") {
    Server s("[[allow]]\npaths = [\"allowed/**\"]\nreason = \"test data\"\n");
    const auto blob = s.blob(token_line(219));
    // One commit, written straight into the index: 4,999 allowed paths sort before the leak.
    REQUIRE(s.in_clone("for i in $(seq 1 4999); do printf '100644 " + blob + "\\tallowed/d%d/f.txt\\n' $i; done | "
                                                                             "git update-index --index-info && git update-index --add --cacheinfo 100644," +
                       blob +
                       ",zzz/leak.txt && git commit -q --no-verify -m many")
                .status == 0);
    REQUIRE(s.in_clone("git ls-files | wc -l").out.find("5001") != std::string::npos);
    const auto before = s.server_ref("main");
    const auto r = s.push("HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("zzz/leak.txt") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    CHECK(!s.server_has(blob));
    // Without the leaking path, every path is allowed and the push lands.
    REQUIRE(s.in_clone("git rm -q --cached zzz/leak.txt && git commit -q --no-verify --amend -m many").status == 0);
    CHECK(s.push("HEAD:main").status == 0);
    CHECK(s.server_ref("main").substr(0, 40) == s.clone_rev("HEAD"));
  }

  TEST_CASE("pre-commit: a file renamed out of an allowed path and edited is judged whole") {
    vigil::test::TempRepo repo;
    repo.write(".vigil.toml", kFixtureAllow);
    repo.write("tests/fixtures/k.txt", token_line(220) + "\n");
    REQUIRE(repo.commit_all("fixture").status == 0);  // allowed where it is
    REQUIRE(repo.run("git mv tests/fixtures/k.txt prod.env && echo more >> prod.env && git add prod.env").status == 0);
    const auto r = repo.run("git commit -q -m move");
    CHECK(r.status != 0);
    CHECK((r.out + r.err).find("prod.env:1") != std::string::npos);
    // Renamed within the allowed path, only the added line counts: the commit goes through.
    REQUIRE(repo.run("git reset -q --hard HEAD && git mv tests/fixtures/k.txt tests/fixtures/k2.txt && echo more >> "
                     "tests/fixtures/k2.txt && git add -A")
                .status == 0);
    CHECK(repo.run("git commit -q -m move-inside").status == 0);
  }

  TEST_CASE("push: a commit message over max_file_size is a named skip, never read in silence") {
    Server s("[settings]\nmax_file_size = 1024\n");
    REQUIRE(s.in_clone("git commit -q --no-verify --allow-empty -m \"$(head -c 3000 /dev/zero | tr '\\0' x)\"").status == 0);
    const auto r = s.push("HEAD:refs/heads/long");
    CHECK(r.err.find("(commit message)") != std::string::npos);
    CHECK(r.err.find("max_file_size") != std::string::npos);
  }
}
