// RawTree: git's tree format and git's order of entries, and damaged trees refused.
#include "detectors/git/raw_tree.h"

#include <doctest/doctest.h>

#include <string>

using vigil::git::RawTree;

namespace {

std::string entry(const std::string& mode, const std::string& name, char id_byte = 'x') {
  return mode + " " + name + std::string(1, '\0') + std::string(20, id_byte);
}

}  // namespace

TEST_CASE("raw tree: entries, modes and kinds") {
  RawTree t;
  REQUIRE(t.parse(entry("100644", "a.txt", 'a') + entry("40000", "dir", 'b') + entry("120000", "link") + entry("160000", "sub") +
                  entry("100755", "x.sh")) == nullptr);
  REQUIRE(t.size() == 5);
  CHECK(t.name(t.entry(0)) == "a.txt");
  CHECK(t.entry(0).mode == 0100644);
  CHECK(t.entry(0).kind == RawTree::Kind::Blob);
  CHECK(t.id(t.entry(0))[0] == 'a');
  CHECK(t.id(t.entry(0))[19] == 'a');
  CHECK(t.entry(1).kind == RawTree::Kind::Tree);
  CHECK(t.id(t.entry(1))[0] == 'b');
  CHECK(t.entry(2).kind == RawTree::Kind::Blob);  // a symbolic link is a blob
  CHECK(t.entry(3).kind == RawTree::Kind::Submodule);
  CHECK(t.entry(4).mode == 0100755);
  RawTree empty;
  CHECK(empty.parse("") == nullptr);
  CHECK(empty.size() == 0);
}

TEST_CASE("raw tree: damaged trees are refused, with what is wrong") {
  const std::string good = entry("100644", "a");
  for (const std::string& bad : {std::string("100644 a"),                       // no NUL, no id
                                 good.substr(0, good.size() - 1),               // id cut short
                                 entry("10a644", "a"), entry("", "a"),          // not a mode
                                 entry("1006440000", "a"),                      // a mode too long
                                 std::string("100644") + std::string(1, '\0'),  // no space
                                 entry("100644", ""),                           // no name
                                 good + "4"}) {                                 // trailing garbage
    RawTree t;
    const char* why = t.parse(bad);
    CHECK(why != nullptr);
    CHECK(t.size() == 0);
  }
}

TEST_CASE("raw tree: git's order compares a subtree as if its name ended in '/'") {
  // "a.c" < "a/" < "a0" as git sorts them ('.' < '/' < '0'); a file "a" comes before "a.c".
  CHECK(RawTree::compare("a", true, "a.c", false) > 0);
  CHECK(RawTree::compare("a", true, "a0", false) < 0);
  CHECK(RawTree::compare("a", false, "a.c", false) < 0);
  CHECK(RawTree::compare("a", false, "a", true) < 0);  // same name, other kind: not the same entry
  CHECK(RawTree::compare("a", true, "a", true) == 0);
  CHECK(RawTree::compare("b", false, "a", true) > 0);
  CHECK(RawTree::compare("\xc3\xa9", false, "z", false) > 0);  // bytes compare unsigned
}
