// End-to-end: the README's first command ends with `vigil scan .` of this repository, its main
// job out of the box. The tree must scan clean under its own .vigil.toml: fake example secrets live
// only where an [[allow]] with a reason covers them, or are built at run time.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::sh;
using vigil::test::source_dir;

TEST_SUITE("e2e") {
  TEST_CASE("self-scan: vigil scan . of vigil's own tree is clean under its .vigil.toml") {
    if (sh(source_dir(), "git rev-parse --is-inside-work-tree").status != 0) {
      MESSAGE("the sources are not a git work tree (.gitignore cannot exclude build dirs): not checked");
      return;
    }
    const auto r = sh(source_dir(), "$VIGIL scan --format json .");
    INFO(r.err);
    INFO(r.out.substr(0, 2000));
    CHECK(r.status == 0);
  }
}
