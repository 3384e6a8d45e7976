// Path classes: paths that share one get the same findings for the same bytes; paths under a
// different exemption do not share it.
#include "detectors/gates/path_class.h"

#include <doctest/doctest.h>

using namespace vigil;

TEST_CASE("path class: lockfiles, path-scoped allows and waivers each split the paths") {
  auto c = parse_config("version = 1\n"
                        "[[allow]]\npaths = [\"tests/fixtures/**\"]\nreason = \"test data\"\n"
                        "[[allow]]\nregexes = ['^EXAMPLE']\nreason = \"placeholders\"\n"
                        "[[waivers]]\nrule = \"github.pat\"\npath = \"docs/**\"\nowner = \"a@example.com\"\n"
                        "reason = \"revoked\"\nexpires = 2999-01-01\n",
                        ".vigil.toml");
  REQUIRE(c.ok());
  const auto plain = path_class(*c, "src/app.env");
  CHECK(path_class(*c, "deploy/.env") == plain);
  CHECK(path_class(*c, "package-lock.json") != plain);
  CHECK(path_class(*c, "web/package-lock.json") == path_class(*c, "package-lock.json"));
  CHECK(path_class(*c, "tests/fixtures/k.txt") != plain);
  CHECK(path_class(*c, "tests/fixtures/a/b.txt") == path_class(*c, "tests/fixtures/k.txt"));
  CHECK(path_class(*c, "docs/x.md") != plain);
  CHECK(path_class(*c, "docs/x.md") != path_class(*c, "tests/fixtures/k.txt"));
  // Without path-scoped entries, only the lockfile distinction remains.
  auto bare = parse_config("version = 1\n", ".vigil.toml");
  REQUIRE(bare.ok());
  CHECK(path_class(*bare, "a") == path_class(*bare, "tests/fixtures/k.txt"));
}
