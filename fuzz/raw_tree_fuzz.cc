// Fuzz target: the tree parser of the history walk (git's tree format, read from packs the
// scanner does not trust). Arbitrary bytes as a tree; every entry the parser accepts has its
// name, id and kind read, and its order against the entry before computed, as the walk does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "detectors/git/raw_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vigil::git::RawTree t;
  if (t.parse(std::string(reinterpret_cast<const char*>(data), size)) != nullptr) {
    if (t.size() != 0) __builtin_trap();  // a refused tree has no entries
    return 0;
  }
  std::size_t sum = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto& e = t.entry(i);
    const auto name = t.name(e);
    if (name.empty()) __builtin_trap();
    sum += static_cast<unsigned char>(name.back()) + t.id(e)[0] + t.id(e)[19];
    if (i > 0) {
      const auto& p = t.entry(i - 1);
      sum += static_cast<std::size_t>(vigil::git::RawTree::compare(t.name(p), p.kind == vigil::git::RawTree::Kind::Tree, name,
                                                                   e.kind == vigil::git::RawTree::Kind::Tree) > 0);
    }
  }
  return sum == SIZE_MAX ? 1 : 0;
}
