// End-to-end: the hooks are one binary (vigil-hooks) that picks the hook by the name it runs
// under — a vigil-<hook> link, a link installed as git's own hook name, or a link to such a link.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::TempRepo;

TEST_SUITE("e2e") {
  TEST_CASE("vigil-hooks runs the hook its name or its first argument names, and refuses to guess") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("prod.env", "GITHUB_TOKEN=" + fake_github_pat(3) + "\n");
    REQUIRE(repo.run("git add prod.env").status == 0);
    const std::string bin = "$(dirname $VIGIL)";
    // Through the installed vigil-pre-commit link, as git's own hook name, and via a link chain.
    CHECK(repo.run(bin + "/vigil-pre-commit").status == 1);
    REQUIRE(repo.run("mkdir -p links/pre-receive.d && ln -s " + bin + "/vigil-pre-commit links/pre-commit && "
                                                                      "ln -s ../pre-commit links/pre-receive.d/vigil")
                .status == 0);
    CHECK(repo.run("links/pre-commit").status == 1);
    CHECK(repo.run("links/pre-receive.d/vigil").status == 1);
    // Under its own name the hook is the first argument.
    const auto named = repo.run(bin + "/vigil-hooks pre-commit");
    CHECK(named.status == 1);
    CHECK(named.err.find("prod.env:1") != std::string::npos);
    // Neither: a one-line error that says how to call it, exit 2.
    const auto lost = repo.run(bin + "/vigil-hooks");
    CHECK(lost.status == 2);
    CHECK(lost.err.find("vigil: error: vigil-hooks does not know which hook to run") == 0);
    CHECK(repo.run(bin + "/vigil-hooks post-checkout").status == 2);
  }
}
