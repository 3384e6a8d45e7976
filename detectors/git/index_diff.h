// Index diff: the staged changes (the index against HEAD's tree) computed in this process, for the
// pre-commit hook's common case: `git diff-index` costs a process and a second read of the whole
// index, most of what a commit waits for (docs/performance.md); this descends only where the
// index's cache-tree differs from HEAD.
// Anything this reader leaves to git makes it decline, and the caller asks git instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/git/changes.h"

namespace vigil::git {

/// The staged changes, or why git must compute them (`changes` empty then).
struct IndexDiff {
  std::optional<std::vector<FileChange>> changes;  // sorted by path; sizes not filled in
  std::string declined;                            // why git is asked instead, for VIGIL_TRACE
};

/// Compares the index file at `index_path` with the tree `head_tree` (40 hex digits; empty before
/// the first commit), the way `git diff-index --cached -M` does. Declines on a split or sparse
/// index, any other mandatory extension, unmerged or intent-to-add entries, an index it cannot
/// parse, a change set where git's rename detection could pair a deleted and an added file, or
/// when more than a few hundred trees would have to be read (no cache-tree).
IndexDiff diff_index_in_process(const Repo& repo, const std::string& index_path, const std::string& head_tree);

/// One parsed index entry (exposed for the fuzzer and tests), 16 bytes: the fixed fields are read
/// from the file when asked for, because a hook parses every entry (docs/performance.md).
struct IndexEntry {
  const unsigned char* raw = nullptr;  // the entry in the file: mode at +24, id at +40, flags at +60
  std::uint32_t path_off = 0;          // the path, in ParsedIndex::path()
  std::uint32_t path_len = 0;
  std::uint32_t mode() const {
    return (std::uint32_t{raw[24]} << 24) | (std::uint32_t{raw[25]} << 16) | (std::uint32_t{raw[26]} << 8) | raw[27];
  }
  const unsigned char* oid() const { return raw + 40; }  // 20 bytes
  int stage() const { return (raw[60] >> 4) & 3; }
  bool intent_to_add() const { return (raw[60] & 0x40) != 0 && (raw[62] & 0x20) != 0; }  // extended flags
};

/// A node of the index's cache-tree extension ("TREE"): a directory whose tree id is known when
/// `valid`.
struct CacheTreeNode {
  std::string_view name;
  bool valid = false;
  std::size_t entries = 0;  // index entries under it, when valid
  const unsigned char* oid = nullptr;
  std::vector<CacheTreeNode> children;
  const CacheTreeNode* child(std::string_view n) const;
};

/// An index file parsed without copying: views into `bytes`, which must outlive it. v4 paths are
/// rebuilt into `v4_paths`.
struct ParsedIndex {
  int version = 0;
  std::vector<IndexEntry> entries;
  std::optional<CacheTreeNode> cache_tree;
  std::string v4_paths;
  const char* file = nullptr;  // the bytes parsed: v2 and v3 paths are in them
  std::string_view path(const IndexEntry& e) const {
    return {(version == 4 ? v4_paths.data() : file) + e.path_off, e.path_len};
  }
};

/// Parses index bytes (versions 2-4). nullopt with `why` set when the file is damaged or uses an
/// extension this reader does not handle (split index "link", sparse index "sdir", ...).
std::optional<ParsedIndex> parse_index(std::string_view bytes, std::string& why);

}  // namespace vigil::git
