// End-to-end: `vigil scan --history` judges a blob again at each path where the history brings it
// in when its first path is exempt (a path-scoped allow, a lockfile), so an exemption holds only
// at the path it names — through copies, directory copies, later commits and the clean cache.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::TempRepo;

namespace {

const char* kAllow = "[[allow]]\npaths = [\"tests/fixtures/**\"]\nreason = \"revoked keys kept as test data\"\n";
const std::string kGenericSecret = "db_password = \"Xq7vR2mK9pL4wZ8nT3bY6cH1jF5\"\n";

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("history paths: a blob at an allowed path and at another path of the same commit is found at the other") {
    TempRepo repo;
    repo.write(".vigil.toml", kAllow);
    repo.write("tests/fixtures/k.txt", "TOKEN=" + fake_github_pat(301) + "\n");
    repo.write("z.env", "TOKEN=" + fake_github_pat(301) + "\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m both").status == 0);
    const auto h = repo.run("$VIGIL scan --history");
    CHECK(h.status == 1);
    CHECK(has(h.out + h.err, "z.env:1:7"));
    CHECK(!has(h.out + h.err, "tests/fixtures/k.txt:1"));
  }

  TEST_CASE("history paths: an allowed directory copied elsewhere in a later commit is found at the copy") {
    TempRepo repo;
    repo.write(".vigil.toml", kAllow);
    repo.write("tests/fixtures/sub/k.txt", "TOKEN=" + fake_github_pat(302) + "\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m fixture").status == 0);
    CHECK(repo.run("$VIGIL scan --history").status == 0);
    // The copied directory has the same tree id: the first walk skips it as already seen.
    REQUIRE(repo.run("mkdir -p app && cp -r tests/fixtures/sub app/ && git add -A && git commit -q --no-verify -m copy && "
                     "git gc -q")
                .status == 0);
    const auto h = repo.run("$VIGIL scan --history");
    CHECK(h.status == 1);
    CHECK(has(h.out + h.err, "app/sub/k.txt:1:7"));
  }

  TEST_CASE("history paths: a lockfile's blob copied to a .env path is found there, also with the clean cache") {
    TempRepo repo;
    repo.write("package-lock.json", kGenericSecret);
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m deps").status == 0);
    const std::string env = "VIGIL_CACHE_DIR=" + repo.path() + "/.vigil-cache ";
    // The lockfile alone: nothing found (no generic detectors there), and nothing cached clean.
    CHECK(repo.run(env + "$VIGIL scan --history --incremental").status == 0);
    REQUIRE(repo.run("mkdir -p svc && cp package-lock.json svc/.env && git add -A && git commit -q --no-verify -m env").status == 0);
    for (const std::string flags : {"", " --incremental"}) {
      CAPTURE(flags);
      const auto h = repo.run(env + "$VIGIL scan --history" + flags);
      CHECK(h.status == 1);
      CHECK(has(h.out + h.err, "svc/.env:1"));
      CHECK(!has(h.out + h.err, "package-lock.json:1"));
    }
  }

  TEST_CASE("history paths: a secret in the author of a leaking commit is masked in every report format") {
    TempRepo repo;
    repo.write("a.env", "TOKEN=" + fake_github_pat(303) + "\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify --author='" + fake_github_pat(304) + " <a@example.com>' -m x")
                .status == 0);
    for (const char* format : {"text", "json", "sarif", "csv", "junit", "gitlab"}) {
      CAPTURE(format);
      const auto h = repo.run(std::string("$VIGIL scan --history --format ") + format);
      CHECK(h.status == 1);
      CHECK(!has(h.out + h.err, fake_github_pat(304)));
      CHECK(!has(h.out + h.err, fake_github_pat(303)));
    }
  }
}
