// End-to-end: the live progress line of `vigil scan` shows on a terminal (a pseudo-terminal made
// by script(1)), and never when stderr is a pipe or file, with --quiet, or with NO_PROGRESS set.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::sh;
using vigil::test::TempRepo;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("scan progress: drawn on a terminal, absent in pipes, with --quiet and with NO_PROGRESS") {
    TempRepo repo;
    for (int i = 0; i < 30; ++i) repo.write("src/f" + std::to_string(i) + ".txt", "plain text " + std::to_string(i) + "\n");
    REQUIRE(repo.commit_all("files").status == 0);
    if (sh(repo.path(), "command -v script").status != 0) {
      MESSAGE("script(1) is missing (util-linux/bsdutils): terminal case not checked");
    } else {
      // script gives vigil a pseudo-terminal as stderr and copies what it draws to stdout.
      const auto tty = sh(repo.path(), "script -qec '$VIGIL scan --format json -o /dev/null src' /dev/null");
      INFO(tty.out);
      CHECK(tty.status == 0);
      CHECK(has(tty.out, "30/30 files"));
      CHECK(has(tty.out, "ETA"));
      const auto hist = sh(repo.path(), "script -qec '$VIGIL scan --history --format json -o /dev/null .' /dev/null");
      CHECK(has(hist.out, "1/1 commits"));  // the walk and the scan overlap: the bar counts commits
      CHECK(has(hist.out, "ETA"));
      const auto quiet = sh(repo.path(), "script -qec '$VIGIL scan -q src' /dev/null");
      CHECK_FALSE(has(quiet.out, "ETA"));
      const auto off = sh(repo.path(), "NO_PROGRESS=1 script -qec '$VIGIL scan src' /dev/null");
      CHECK_FALSE(has(off.out, "ETA"));
      const auto hist_off = sh(repo.path(), "NO_PROGRESS=1 script -qec '$VIGIL scan --history .' /dev/null");
      CHECK_FALSE(has(hist_off.out, "ETA"));
    }
    const auto piped = sh(repo.path(), "$VIGIL scan src 2>&1 | cat");
    CHECK(piped.status == 0);
    CHECK_FALSE(has(piped.out, "ETA"));
    CHECK(has(piped.out, "scanned 30 files"));
  }
}
