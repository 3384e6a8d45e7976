#include "detectors/git/index_diff.h"

#include <fmt/format.h>
#include <git2.h>

#include <algorithm>
#include <cstring>

#include "detectors/git/handles.h"
#include "detectors/util/mapped_file.h"
#include "detectors/util/trace.h"

namespace vigil::git {

const CacheTreeNode* CacheTreeNode::child(std::string_view n) const {
  for (const auto& c : children) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

namespace {

constexpr std::size_t kOidLen = 20;  // SHA-1 repositories (libgit2 1.5 opens no other kind)
constexpr std::size_t kMaxTreeDepth = 512;
constexpr int kMaxTreeReads = 400;  // beyond this git's own diff is as fast: decline

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// "<name>\0<entries> <subtrees>\n[<20-byte id>]" then the subtrees, depth first.
bool parse_cache_tree(const unsigned char*& p, const unsigned char* end, CacheTreeNode& node, std::size_t depth) {
  if (depth > kMaxTreeDepth) return false;
  const auto* nul = static_cast<const unsigned char*>(std::memchr(p, 0, static_cast<std::size_t>(end - p)));
  if (!nul) return false;
  node.name = std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(nul - p));
  p = nul + 1;
  auto number = [&](long& v, char stop) {
    bool neg = false;
    if (p < end && *p == '-') {
      neg = true;
      ++p;
    }
    const auto* start = p;
    v = 0;
    while (p < end && *p >= '0' && *p <= '9' && v < 100'000'000) v = v * 10 + (*p++ - '0');
    if (p == start || p >= end || *p != stop) return false;
    ++p;
    if (neg) v = -v;
    return true;
  };
  long entries = 0, subtrees = 0;
  if (!number(entries, ' ') || !number(subtrees, '\n') || subtrees < 0) return false;
  if (entries >= 0) {
    if (end - p < static_cast<std::ptrdiff_t>(kOidLen)) return false;
    node.valid = true;
    node.entries = static_cast<std::size_t>(entries);
    node.oid = p;
    p += kOidLen;
  }
  if (subtrees > end - p) return false;  // each subtree takes at least a byte
  node.children.resize(static_cast<std::size_t>(subtrees));
  for (auto& c : node.children) {
    if (!parse_cache_tree(p, end, c, depth + 1)) return false;
  }
  return true;
}

// git's offset varint (index v4 prefix lengths).
bool varint(const unsigned char*& p, const unsigned char* end, std::size_t& out) {
  if (p >= end) return false;
  unsigned char c = *p++;
  std::size_t v = c & 127;
  while (c & 128) {
    if (p >= end || v > (SIZE_MAX >> 8)) return false;
    c = *p++;
    v = ((v + 1) << 7) | (c & 127);
  }
  out = v;
  return true;
}

bool valid_mode(std::uint32_t m) {
  return m == 0100644 || m == 0100755 || m == 0120000 || m == 0160000;
}

}  // namespace

std::optional<ParsedIndex> parse_index(std::string_view bytes, std::string& why) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 12 + kOidLen || std::memcmp(data, "DIRC", 4) != 0) {
    why = "not an index file";
    return std::nullopt;
  }
  ParsedIndex ix;
  ix.file = bytes.data();
  ix.version = static_cast<int>(be32(data + 4));
  if (ix.version < 2 || ix.version > 4) {
    why = fmt::format("index version {}", ix.version);
    return std::nullopt;
  }
  const std::uint32_t count = be32(data + 8);
  // The trailing checksum is not verified: git verified it when it read this index to run the
  // commit, and the bounds checks below keep a damaged file from being misread into memory.
  const unsigned char* const end = data + bytes.size() - kOidLen;
  const unsigned char* p = data + 12;
  if (count > static_cast<std::size_t>(end - p) / 40 || bytes.size() > UINT32_MAX) {
    why = "entry count larger than the file";
    return std::nullopt;
  }
  ix.entries.reserve(count);  // not resize: each entry's page is written once, by the parse
  std::size_t prev_len = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (end - p < 62) {
      why = "truncated entry";
      return std::nullopt;
    }
    IndexEntry e;
    e.raw = p;
    const std::uint16_t flags = be16(p + 60);
    const unsigned char* q = p + 62;
    if (flags & 0x4000) {  // extended flags (v3+): skip-worktree, intent-to-add
      if (ix.version < 3 || end - q < 2) {
        why = "bad extended flags";
        return std::nullopt;
      }
      q += 2;
    }
    if (const auto mode = e.mode(); !valid_mode(mode)) {
      why = mode == 040000 ? "sparse directory entry" : fmt::format("entry mode {:o}", mode);
      return std::nullopt;
    }
    if (ix.version == 4) {
      std::size_t strip = 0;
      if (!varint(q, end, strip) || strip > prev_len) {
        why = "bad v4 path prefix";
        return std::nullopt;
      }
      const auto* nul = static_cast<const unsigned char*>(std::memchr(q, 0, static_cast<std::size_t>(end - q)));
      if (!nul) {
        why = "unterminated path";
        return std::nullopt;
      }
      const std::size_t keep = prev_len - strip;
      const std::size_t start = ix.v4_paths.size();
      // The previous path is the last one appended.
      ix.v4_paths.append(ix.v4_paths, start - prev_len, keep);
      ix.v4_paths.append(reinterpret_cast<const char*>(q), static_cast<std::size_t>(nul - q));
      prev_len = ix.v4_paths.size() - start;
      if (ix.v4_paths.size() > UINT32_MAX) {
        why = "v4 paths too long";
        return std::nullopt;
      }
      e.path_off = static_cast<std::uint32_t>(start);
      e.path_len = static_cast<std::uint32_t>(prev_len);
      p = nul + 1;
    } else {
      std::size_t len = flags & 0xFFF;
      if (len == 0xFFF) {
        const auto* nul = static_cast<const unsigned char*>(std::memchr(q, 0, static_cast<std::size_t>(end - q)));
        if (!nul) {
          why = "unterminated path";
          return std::nullopt;
        }
        len = static_cast<std::size_t>(nul - q);
      }
      const std::size_t size = (static_cast<std::size_t>(q - p) + len + 8) & ~std::size_t{7};
      if (static_cast<std::size_t>(end - p) < size || q[len] != 0) {
        why = "truncated entry";
        return std::nullopt;
      }
      e.path_off = static_cast<std::uint32_t>(q - data);
      e.path_len = static_cast<std::uint32_t>(len);
      p += size;
    }
    ix.entries.push_back(e);
  }
  // Extensions: a lower-case signature is one a reader must understand (split index "link",
  // sparse index "sdir"); upper-case ones are optional.
  while (end - p >= 8) {
    const unsigned char* sig = p;
    const std::uint32_t len = be32(p + 4);
    p += 8;
    if (len > static_cast<std::size_t>(end - p)) {
      why = "truncated extension";
      return std::nullopt;
    }
    if (sig[0] >= 'a' && sig[0] <= 'z') {
      why = fmt::format("index extension '{}'", std::string_view(reinterpret_cast<const char*>(sig), 4));
      return std::nullopt;
    }
    if (std::memcmp(sig, "TREE", 4) == 0 && len > 0) {
      const unsigned char* t = p;
      CacheTreeNode root;
      // A damaged cache-tree is only a lost shortcut; git rebuilds it on the next write.
      if (parse_cache_tree(t, p + len, root, 0) && root.name.empty()) ix.cache_tree = std::move(root);
    }
    p += len;
  }
  if (p != end) {
    why = "trailing bytes after the extensions";
    return std::nullopt;
  }
  // git keeps entries sorted by path (then stage). The diff checks the order of the entries it
  // reads; those under an unchanged directory it skips by the cache-tree's count, unread.
  return ix;
}

namespace {

std::string hex(const unsigned char* id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(2 * kOidLen, '0');
  for (std::size_t i = 0; i < kOidLen; ++i) {
    s[2 * i] = kHex[id[i] >> 4];
    s[2 * i + 1] = kHex[id[i] & 15];
  }
  return s;
}

bool same_type(std::uint32_t a, std::uint32_t b) { return (a & 0170000) == (b & 0170000); }

struct TreeItem {
  std::string_view name;
  std::uint32_t mode;
  const git_oid* oid;
  bool matched = false;
};

// The diff of the index entries under one directory against that directory's tree in HEAD.
class Differ {
 public:
  Differ(git_repository* repo, const ParsedIndex& ix) : repo_(repo), ix_(ix) {}

  bool dir(const std::string& prefix, const git_oid* head, std::size_t lo, std::size_t hi, const CacheTreeNode* node) {
    if (head && node && node->valid && std::memcmp(node->oid, head->id, kOidLen) == 0) return true;  // unchanged
    TreePtr tree;
    std::vector<TreeItem> items;
    if (head) {
      if (!load(*head, tree, items)) return false;
    }
    std::size_t i = lo;
    while (i < hi) {
      if (i > lo && !in_order(i)) return false;
      const std::string_view rest = path(i).substr(prefix.size());
      const auto slash = rest.find('/');
      if (slash == std::string_view::npos) {
        if (!file(prefix, i, find(items, rest))) return false;
        ++i;
        continue;
      }
      const std::string_view sub = rest.substr(0, slash);
      const std::string sub_prefix = fmt::format("{}{}/", prefix, sub);
      const CacheTreeNode* child = node ? node->child(sub) : nullptr;
      // The directory's entries: counted by its cache-tree node where that is valid and agrees
      // with the entries at both ends, else read one by one.
      std::size_t j = i + 1;
      if (child && child->valid && child->entries > 0 && child->entries <= hi - i &&
          path(i + child->entries - 1).starts_with(sub_prefix) &&
          (i + child->entries == hi || !path(i + child->entries).starts_with(sub_prefix))) {
        j = i + child->entries;
      } else {
        while (j < hi && path(j).starts_with(sub_prefix)) {
          if (!in_order(j)) return false;
          ++j;
        }
      }
      TreeItem* t = find(items, sub);
      const git_oid* sub_head = nullptr;
      if (t) {
        t->matched = true;
        if ((t->mode & 0170000) == 0040000) sub_head = t->oid;
        else deleted(prefix + std::string(sub), *t);  // a file became a directory
      }
      if (!dir(sub_prefix, sub_head, i, j, child)) return false;
      i = j;
    }
    return delete_unmatched(prefix, items);  // in HEAD, not in the index
  }

  std::vector<FileChange> out;
  std::string why;

 private:
  bool load(const git_oid& id, TreePtr& tree, std::vector<TreeItem>& items) {
    if (++reads_ > kMaxTreeReads) {
      why = fmt::format("more than {} trees to read", kMaxTreeReads);
      return false;
    }
    git_tree* t = nullptr;
    if (git_tree_lookup(&t, repo_, &id) != 0) {
      why = "a tree of HEAD is unreadable";  // git reports it precisely
      return false;
    }
    tree.reset(t);
    const std::size_t n = git_tree_entrycount(t);
    items.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      const git_tree_entry* te = git_tree_entry_byindex(t, k);
      items.push_back({git_tree_entry_name(te), static_cast<std::uint32_t>(git_tree_entry_filemode(te)), git_tree_entry_id(te)});
    }
    std::sort(items.begin(), items.end(), [](const TreeItem& a, const TreeItem& b) { return a.name < b.name; });
    return true;
  }

  bool in_order(std::size_t k) {
    if (path(k - 1) < path(k)) return true;
    why = "index entries out of order";
    return false;
  }

  static TreeItem* find(std::vector<TreeItem>& items, std::string_view name) {
    auto it = std::lower_bound(items.begin(), items.end(), name, [](const TreeItem& a, std::string_view n) { return a.name < n; });
    return it != items.end() && it->name == name ? &*it : nullptr;
  }

  bool file(const std::string& prefix, std::size_t i, TreeItem* t) {
    const IndexEntry& e = ix_.entries[i];
    const std::uint32_t mode = e.mode();
    FileChange c;
    c.path = std::string(path(i));
    c.blob = hex(e.oid());
    c.mode = mode;
    if (t) t->matched = true;
    if (t && (t->mode & 0170000) == 0040000) {
      // A directory became a file: its files are deleted, the file is added.
      if (!all_deleted(prefix + std::string(t->name) + "/", *t->oid)) return false;
      t = nullptr;
    }
    if (!t) {
      c.kind = ChangeKind::Added;
    } else {
      if (t->mode == mode && std::memcmp(t->oid->id, e.oid(), kOidLen) == 0) return true;
      c.kind = same_type(t->mode, mode) ? ChangeKind::Modified : ChangeKind::TypeChange;
      c.old_blob = hex(t->oid->id);
      c.old_mode = t->mode;
    }
    out.push_back(std::move(c));
    return true;
  }

  void deleted(const std::string& path, const TreeItem& t) {
    FileChange c;
    c.kind = ChangeKind::Deleted;
    c.path = path;
    c.old_blob = hex(t.oid->id);
    c.old_mode = c.mode = t.mode;
    out.push_back(std::move(c));
  }

  // Every file under the tree `id` (at `prefix`) as deleted.
  bool all_deleted(const std::string& prefix, const git_oid& id) {
    TreePtr tree;
    std::vector<TreeItem> items;
    return load(id, tree, items) && delete_unmatched(prefix, items);
  }

  // The items no index entry matched as deleted, descending into directories.
  bool delete_unmatched(const std::string& prefix, const std::vector<TreeItem>& items) {
    for (const auto& t : items) {
      if (t.matched) continue;
      const std::string path = prefix + std::string(t.name);
      if ((t.mode & 0170000) == 0040000) {
        if (!all_deleted(path + "/", *t.oid)) return false;
      } else {
        deleted(path, t);
      }
    }
    return true;
  }

  std::string_view path(std::size_t i) const { return ix_.path(ix_.entries[i]); }

  git_repository* repo_;
  const ParsedIndex& ix_;
  int reads_ = 0;
};

}  // namespace

IndexDiff diff_index_in_process(const Repo& repo, const std::string& index_path, const std::string& head_tree) {
  IndexDiff r;
  // Every page is parsed: mapping them all at once costs less than a fault per 16 pages (the
  // file is in the page cache: git just wrote it).
  const MappedFile file(index_path, MappedFile::Access::Populate);
  if (!file.ok()) {
    r.declined = "cannot map the index";
    return r;
  }
  auto ix = parse_index(file.bytes(), r.declined);
  trace("index parsed");
  if (!ix) return r;
  for (const auto& e : ix->entries) {
    if (e.stage() != 0) {
      r.declined = "unmerged entries";
      return r;
    }
    if (e.intent_to_add()) {
      r.declined = "intent-to-add entries";
      return r;
    }
  }
  git_oid head{};
  const bool has_head = !head_tree.empty();
  if (has_head && git_oid_fromstrn(&head, head_tree.data(), head_tree.size()) != 0) {
    r.declined = "bad HEAD tree id";
    return r;
  }
  Differ d(repo.raw(), *ix);
  const CacheTreeNode* root = ix->cache_tree ? &*ix->cache_tree : nullptr;
  if (!d.dir("", has_head ? &head : nullptr, 0, ix->entries.size(), root)) {
    r.declined = d.why;
    return r;
  }
  // git -M pairs a deleted and an added file by content; leave that judgement to git.
  bool added = false, removed = false;
  for (const auto& c : d.out) {
    if ((c.mode & 0170000) == 0160000) continue;
    added = added || c.kind == ChangeKind::Added;
    removed = removed || c.kind == ChangeKind::Deleted;
  }
  if (added && removed) {
    r.declined = "possible renames";
    return r;
  }
  std::sort(d.out.begin(), d.out.end(), [](const FileChange& a, const FileChange& b) { return a.path < b.path; });
  r.changes = std::move(d.out);
  return r;
}

}  // namespace vigil::git
