#include "detectors/git/raw_tree.h"

#include <algorithm>
#include <cstring>

namespace vigil::git {

const char* RawTree::parse(std::string bytes) {
  bytes_ = std::move(bytes);
  entries_.clear();
  const auto refuse = [this](const char* why) {
    entries_.clear();
    bytes_.clear();
    return why;
  };
  if (bytes_.size() > UINT32_MAX) return refuse("a tree over 4 GiB");
  const char* p = bytes_.data();
  const char* const end = p + bytes_.size();
  while (p < end) {
    Entry e;
    // The mode: octal digits up to a space (git writes 40000 for a tree, no leading zero).
    const char* m = p;
    while (p < end && *p >= '0' && *p <= '7' && p - m < 7) e.mode = e.mode * 8 + static_cast<std::uint32_t>(*p++ - '0');
    if (p == m || p >= end || *p != ' ') return refuse("a tree entry without a valid mode");
    ++p;
    const void* nul = std::memchr(p, '\0', static_cast<std::size_t>(end - p));
    if (!nul || nul == p) return refuse("a tree entry without a name");
    e.name_off = static_cast<std::uint32_t>(p - bytes_.data());
    e.name_len = static_cast<std::uint32_t>(static_cast<const char*>(nul) - p);
    p = static_cast<const char*>(nul) + 1;
    if (end - p < 20) return refuse("a tree entry cut short of its object id");
    p += 20;
    // As git reads a mode: a directory, a gitlink (submodule), anything else a blob (a file or
    // a symbolic link).
    switch (e.mode & 0170000) {
      case 0040000: e.kind = Kind::Tree; break;
      case 0160000: e.kind = Kind::Submodule; break;
      default: e.kind = Kind::Blob; break;
    }
    entries_.push_back(e);
  }
  return nullptr;
}

int RawTree::compare(std::string_view a, bool a_tree, std::string_view b, bool b_tree) {
  const std::size_t n = std::min(a.size(), b.size());
  if (const int c = n ? std::memcmp(a.data(), b.data(), n) : 0; c != 0) return c;
  const unsigned ca = a.size() > n ? static_cast<unsigned char>(a[n]) : (a_tree ? '/' : 0u);
  const unsigned cb = b.size() > n ? static_cast<unsigned char>(b[n]) : (b_tree ? '/' : 0u);
  return static_cast<int>(ca) - static_cast<int>(cb);
}

}  // namespace vigil::git
