// RawTree: a git tree object parsed from its raw bytes, for walks that read trees themselves
// (from a pack, without libgit2's tree objects and its shared delta-base cache).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::git {

class RawTree {
 public:
  enum class Kind : std::uint8_t { Blob,
                                   Tree,
                                   Submodule };
  struct Entry {
    std::uint32_t name_off = 0;
    std::uint32_t name_len = 0;
    std::uint32_t mode = 0;
    Kind kind = Kind::Blob;
  };

  /// Parses git's tree format, entry after entry "<octal mode> <name>\0<20-byte id>". Returns
  /// nullptr, or what is wrong with the bytes (the tree is then empty).
  const char* parse(std::string bytes);

  std::size_t size() const { return entries_.size(); }
  const Entry& entry(std::size_t i) const { return entries_[i]; }
  std::string_view name(const Entry& e) const { return {bytes_.data() + e.name_off, e.name_len}; }
  const unsigned char* id(const Entry& e) const {
    return reinterpret_cast<const unsigned char*>(bytes_.data()) + e.name_off + e.name_len + 1;
  }

  /// git's order of tree entries: by name, a subtree's name compared as if it ended in '/'.
  /// Negative, zero or positive; zero only for the same name and the same kind of entry.
  static int compare(std::string_view a, bool a_tree, std::string_view b, bool b_tree);

 private:
  std::string bytes_;
  std::vector<Entry> entries_;
};

}  // namespace vigil::git
