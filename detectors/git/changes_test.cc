// Parsing git diff-index's raw -z output into the changes pre-commit judges.
#include "detectors/git/changes.h"

#include <doctest/doctest.h>

using namespace vigil;
using namespace vigil::git;

namespace {
std::string z(std::initializer_list<std::string_view> fields) {
  std::string s;
  for (auto f : fields) {
    s += f;
    s += '\0';
  }
  return s;
}
const std::string A(40, 'a'), B(40, 'b'), Z(40, '0');
}  // namespace

TEST_CASE("raw diff records become changes: add, modify, delete, rename, type change") {
  const auto raw = z({":000000 100644 " + Z + " " + A + " A", "new file.txt",
                      ":100644 100755 " + A + " " + B + " M", "dir/run.sh",
                      ":100644 000000 " + A + " " + Z + " D", "gone\nwith newline",
                      ":100644 100644 " + A + " " + B + " R086", "old/name.c", "new/name.c",
                      ":100644 120000 " + A + " " + B + " T", "link"});
  auto r = parse_diff_raw_z(raw);
  REQUIRE(r);
  REQUIRE(r->size() == 5);
  const auto& c = *r;
  CHECK(c[0].kind == ChangeKind::Added);
  CHECK(c[0].path == "new file.txt");
  CHECK(c[0].blob == A);
  CHECK(c[0].old_blob.empty());
  CHECK(c[0].mode == 0100644);
  CHECK(c[1].kind == ChangeKind::Modified);
  CHECK(c[1].mode == 0100755);
  CHECK(c[1].old_mode == 0100644);
  CHECK(c[2].kind == ChangeKind::Deleted);
  CHECK(c[2].path == "gone\nwith newline");
  CHECK(c[2].blob.empty());
  CHECK(c[2].mode == 0100644);
  CHECK(c[3].kind == ChangeKind::Renamed);
  CHECK(c[3].old_path == "old/name.c");
  CHECK(c[3].path == "new/name.c");
  CHECK(c[4].kind == ChangeKind::TypeChange);
  CHECK(c[4].mode == 0120000);
}

TEST_CASE("unmerged entries are skipped and malformed output is an error, not a partial list") {
  auto r = parse_diff_raw_z(z({":000000 000000 " + Z + " " + Z + " U", "conflicted"}));
  REQUIRE(r);
  CHECK(r->empty());
  CHECK_FALSE(parse_diff_raw_z("garbage"));
  CHECK_FALSE(parse_diff_raw_z(z({":100644 100644 " + A + " " + B + " R100", "only-one-path"})));
  CHECK_FALSE(parse_diff_raw_z(z({":100644 100644 " + A})));
  CHECK(parse_diff_raw_z("")->empty());
}
