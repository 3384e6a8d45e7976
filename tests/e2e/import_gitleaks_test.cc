// End-to-end: `vigil rules import-gitleaks` converts a gitleaks config, reports what it could not
// map, and its output, appended to .vigil.toml, blocks and allows real commits.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::source_dir;
using vigil::test::TempRepo;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// A made-up token of the fixture's acme-api-key format, built at run time (no literal in the source).
std::string acme_key(unsigned seed) {
  std::mt19937 rng(seed);
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string k = "acme_live_";
  for (int i = 0; i < 32; ++i) k += alphabet[rng() % alphabet.size()];
  return k;
}

std::string fixture(const std::string& name) { return source_dir() + "/tests/fixtures/gitleaks/" + name; }

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("import-gitleaks: reports what did not map, and the output blocks a secret and allows a path") {
    TempRepo repo;
    const auto r = repo.run("$VIGIL rules import-gitleaks '" + fixture("team.gitleaks.toml") + "' -o gitleaks.vigil.toml");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.empty());  // the TOML went to the file
    // One line per unmapped item, each naming the file, line and column, then a summary.
    std::istringstream lines(r.err);
    std::string line;
    int warnings = 0;
    while (std::getline(lines, line)) {
      if (line.rfind("vigil: warning: " + fixture("team.gitleaks.toml") + ":", 0) == 0) ++warnings;
    }
    CHECK(warnings == 11);
    CHECK(has(r.err, "[extend] path 'base.gitleaks.toml' is not followed"));
    CHECK(has(r.err, "rule 'pkcs12-file' not imported: it matches file paths only"));
    CHECK(has(r.err, "rule 'unicode-label-token' not imported: regex: Unicode class"));
    CHECK(has(r.err, "rule 'maybe-empty': regex can match the empty string"));
    CHECK(has(r.err, "global allowlist: commits (1 id) not imported"));
    CHECK(has(r.err, "vigil: 4 rules and 6 allow entries imported from " + fixture("team.gitleaks.toml") +
                         "; 3 rules not imported, 11 notes above\n"));

    // The output passes `vigil rules check` on its own...
    const auto check = repo.run("$VIGIL rules check gitleaks.vigil.toml");
    INFO(check.err);
    CHECK(check.status == 0);
    CHECK(has(check.out, "ok: "));

    // ...and works appended to .vigil.toml.
    repo.write(".vigil.toml", "version = 1\n" + repo.dir().read("gitleaks.vigil.toml"));
    REQUIRE(repo.run("rm gitleaks.vigil.toml").status == 0);
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    CHECK(repo.run("$VIGIL rules check").status == 0);

    const std::string key = acme_key(11);
    repo.write("deploy/notes.txt", "rotate " + key + "\n");
    const auto blocked = repo.commit_all("deploy notes");
    CHECK(blocked.status == 1);
    CHECK(has(blocked.err, "deploy/notes.txt:1:8  acme-api-key"));
    CHECK(!has(blocked.err, key));  // redacted
    CHECK(repo.run("git rev-list --count HEAD").out == "1\n");

    // The same secret under a path of the global allowlist ((?:^|/)vendor/) passes, and so does a
    // path of the rule's own allowlist ((?:^|/)testdata/).
    REQUIRE(repo.run("rm -r deploy && git add -A").status == 0);
    repo.write("third_party/vendor/acme/notes.txt", "rotate " + key + "\n");
    repo.write("pkg/testdata/notes.txt", "rotate " + key + "\n");
    const auto allowed = repo.commit_all("vendored notes");
    INFO(allowed.err);
    CHECK(allowed.status == 0);
    CHECK(repo.run("git rev-list --count HEAD").out == "2\n");
  }

  TEST_CASE("import-gitleaks: unreadable or invalid input exits 2 with one line naming file:line:col") {
    TempRepo repo;
    const auto broken = repo.run("$VIGIL rules import-gitleaks '" + fixture("broken.gitleaks.toml") + "'");
    CHECK(broken.status == 2);
    CHECK(broken.out.empty());
    CHECK(broken.err.rfind("vigil: error: " + fixture("broken.gitleaks.toml") + ":4:", 0) == 0);
    CHECK(std::count(broken.err.begin(), broken.err.end(), '\n') == 1);
    const auto missing = repo.run("$VIGIL rules import-gitleaks no-such.toml");
    CHECK(missing.status == 2);
    CHECK(missing.err == "vigil: error: cannot read 'no-such.toml' — check the path\n");
    // To stdout without -o.
    const auto out = repo.run("$VIGIL rules import-gitleaks '" + fixture("legacy.gitleaks.toml") + "'");
    CHECK(out.status == 0);
    CHECK(has(out.out, "id = 'widget-token'"));
  }
}
