// Fuzz target: the in-process index reader of the pre-commit hook (git's index file, versions
// 2-4, with its cache-tree). Arbitrary bytes as .git/index; every entry the parser accepts has its
// fields read the way the diff reads them, so a bound the parser forgot shows up here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "detectors/git/index_diff.h"

namespace {

std::size_t walk(const vigil::git::CacheTreeNode& n, std::size_t depth) {
  std::size_t sum = n.name.size() + n.entries + (n.oid ? n.oid[0] + n.oid[19] : 0);
  if (depth < 64) {
    for (const auto& c : n.children) sum += walk(c, depth + 1);
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string why;
  const auto ix = vigil::git::parse_index(std::string_view(reinterpret_cast<const char*>(data), size), why);
  if (!ix) {
    if (why.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  std::size_t sum = 0;
  for (const auto& e : ix->entries) {
    const std::string_view path = ix->path(e);
    sum += path.size() + (path.empty() ? 0 : static_cast<unsigned char>(path.back()));
    sum += e.mode() + static_cast<std::size_t>(e.stage()) + (e.intent_to_add() ? 1 : 0);
    sum += e.oid()[0] + e.oid()[19];
  }
  if (ix->cache_tree) sum += walk(*ix->cache_tree, 0);
  return sum == 0xFFFFFFFF ? 1 : 0;
}
