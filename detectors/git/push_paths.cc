#include "detectors/git/push_paths.h"

#include <fmt/format.h>
#include <git2.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "detectors/git/handles.h"
#include "detectors/git/tree_diff.h"
#include "detectors/util/wide_text.h"

namespace vigil::git {

namespace {

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// May `entry` and `component` share a collision key? Exact for ASCII (the key lowercases ASCII
// and '/' never folds), conservative otherwise: NFC and case folding may map non-ASCII text to
// anything, so such names always match and the exact key decides later.
bool may_collide(std::string_view entry, std::string_view component) {
  if (has_non_ascii(entry) || has_non_ascii(component)) return true;
  if (entry.size() != component.size()) return false;
  for (std::size_t i = 0; i < entry.size(); ++i) {
    const auto a = static_cast<unsigned char>(entry[i]), b = static_cast<unsigned char>(component[i]);
    if (a != b && (a | 0x20) != (b | 0x20)) return false;
    if (a != b && !((a | 0x20) >= 'a' && (a | 0x20) <= 'z')) return false;
  }
  return true;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  }
  return out;
}

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    const auto slash = path.find('/', pos);
    out.push_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

struct Walker {
  git_repository* repo;
  std::vector<std::vector<std::string_view>> names;  // components of each name
  std::vector<std::string> out;

  Result<void> visit(const git_tree* tree, const std::string& prefix, const std::vector<std::size_t>& live,
                     std::size_t depth) {
    const std::size_t n = git_tree_entrycount(tree);
    // The names an entry may collide with, found by their ASCII-lowercased component at this
    // depth; names with a non-ASCII component may collide with anything (see may_collide). A
    // directory of 10,000 new files compared every entry with every name: 10^8 calls, 4 s.
    std::unordered_map<std::string, std::vector<std::size_t>> by_key;
    std::vector<std::size_t> wild;
    for (const auto k : live) {
      const auto comp = names[k][depth];
      if (has_non_ascii(comp)) {
        wild.push_back(k);
      } else {
        by_key[ascii_lower(comp)].push_back(k);
      }
    }
    std::vector<std::size_t> next;
    for (std::size_t i = 0; i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree, i);
      const std::string_view name = git_tree_entry_name(e);
      const bool is_tree = git_tree_entry_type(e) == GIT_OBJECT_TREE;
      next.clear();
      bool leaf = false;
      auto consider = [&](std::size_t k) {
        const auto& comps = names[k];
        if (!may_collide(name, comps[depth])) return;
        // Same number of components or no collision: the key never adds or removes a '/'.
        if (depth + 1 == comps.size()) {
          leaf = leaf || !is_tree;
        } else if (is_tree) {
          next.push_back(k);
        }
      };
      if (has_non_ascii(name)) {
        for (const auto k : live) consider(k);
      } else {
        if (auto it = by_key.find(ascii_lower(name)); it != by_key.end()) {
          for (const auto k : it->second) consider(k);
        }
        for (const auto k : wild) consider(k);
      }
      if (leaf) out.push_back(prefix + std::string(name));
      if (!next.empty()) {
        git_tree* sub = nullptr;
        if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) != 0) {
          return git_error(fmt::format("cannot read the tree '{}{}'", prefix, name));
        }
        TreePtr owned(sub);
        auto r = visit(sub, prefix + std::string(name) + "/", next, depth + 1);
        if (!r) return r;
      }
    }
    return {};
  }
};

Result<void> diff_dirs(git_repository* r, const git_tree* a, const git_tree* b, const std::string& prefix,
                       std::vector<TreeChange>& out) {
  auto change = [&](std::string_view name, const git_tree_entry* o, const git_tree_entry* e) {
    TreeChange c;
    c.path = prefix + std::string(name);
    if (o) {
      c.old_id = *git_tree_entry_id(o);
      c.old_mode = static_cast<unsigned>(git_tree_entry_filemode(o));
      c.old_is_tree = git_tree_entry_type(o) == GIT_OBJECT_TREE;
    }
    if (e) {
      c.new_id = *git_tree_entry_id(e);
      c.new_mode = static_cast<unsigned>(git_tree_entry_filemode(e));
      c.new_is_tree = git_tree_entry_type(e) == GIT_OBJECT_TREE;
    }
    out.push_back(std::move(c));
  };
  std::unordered_map<std::string_view, const git_tree_entry*> old_entries;
  const std::size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
  old_entries.reserve(na);
  for (std::size_t i = 0; i < na; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(a, i);
    old_entries.emplace(git_tree_entry_name(e), e);
  }
  for (std::size_t i = 0; i < nb; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(b, i);
    const std::string_view name = git_tree_entry_name(e);
    auto it = old_entries.find(name);
    if (it == old_entries.end()) {
      change(name, nullptr, e);
      continue;
    }
    const git_tree_entry* o = it->second;
    old_entries.erase(it);
    if (git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(e)) && git_tree_entry_filemode(o) == git_tree_entry_filemode(e)) {
      continue;
    }
    if (git_tree_entry_type(o) == GIT_OBJECT_TREE && git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      git_tree* ta = nullptr;
      git_tree* tb = nullptr;
      const std::string sub = prefix + std::string(name);
      if (git_tree_lookup(&ta, r, git_tree_entry_id(o)) != 0) return git_error(fmt::format("cannot read the tree '{}'", sub));
      TreePtr oa(ta);
      if (git_tree_lookup(&tb, r, git_tree_entry_id(e)) != 0) return git_error(fmt::format("cannot read the tree '{}'", sub));
      TreePtr ob(tb);
      auto res = diff_dirs(r, ta, tb, sub + "/", out);
      if (!res) return res;
    } else {
      change(name, o, e);
    }
  }
  for (const auto& [name, o] : old_entries) change(name, o, nullptr);
  return {};
}

}  // namespace

namespace {

int collect_added(const git_diff_delta*, const git_diff_hunk* h, void* payload) {
  auto& lines = *static_cast<std::vector<std::pair<std::size_t, std::size_t>>*>(payload);
  if (h->new_lines > 0) {
    lines.emplace_back(static_cast<std::size_t>(h->new_start), static_cast<std::size_t>(h->new_start + h->new_lines - 1));
  }
  return 0;
}

}  // namespace

Result<std::vector<std::pair<std::size_t, std::size_t>>> added_line_ranges(std::string_view old_bytes,
                                                                           std::string_view new_bytes) {
  git_diff_options dopts = GIT_DIFF_OPTIONS_INIT;
  dopts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
  dopts.context_lines = 0;
  dopts.interhunk_lines = 0;
  std::vector<std::pair<std::size_t, std::size_t>> out;
  // UTF-16/32 text is diffed transcoded (see fill_patch in changes.cc).
  std::string old_utf8, new_utf8;
  old_bytes = as_utf8_text(old_bytes, old_utf8);
  new_bytes = as_utf8_text(new_bytes, new_utf8);
  if (git_diff_buffers(old_bytes.data(), old_bytes.size(), nullptr, new_bytes.data(), new_bytes.size(), nullptr, &dopts,
                       nullptr, nullptr, collect_added, nullptr, &out) != 0) {
    return git_error("cannot diff two versions of a file");
  }
  return out;
}

Result<void> diff_trees(git_repository* repo, const git_tree* a, const git_tree* b, std::vector<TreeChange>& out) {
  return diff_dirs(repo, a, b, "", out);
}

Result<std::vector<std::string>> tree_paths_like(const Repo& repo, const std::string& commit,
                                                 const std::vector<std::string>& names) {
  git_oid oid;
  if (git_oid_fromstr(&oid, commit.c_str()) != 0) return make_error(ErrorCode::Git, fmt::format("invalid commit id '{}'", commit));
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, repo.raw(), &oid) != 0) return git_error(fmt::format("cannot read commit {}", commit));
  CommitPtr owned(c);
  git_tree* t = nullptr;
  if (git_commit_tree(&t, c) != 0) return git_error(fmt::format("cannot read the tree of {}", commit));
  TreePtr tree(t);
  Walker w{repo.raw(), {}, {}};
  std::vector<std::size_t> live;
  for (const auto& n : names) {
    live.push_back(w.names.size());
    w.names.push_back(components(n));
  }
  if (live.empty()) return std::vector<std::string>{};
  auto r = w.visit(tree.get(), "", live, 0);
  if (!r) return r.error();
  std::sort(w.out.begin(), w.out.end());
  w.out.erase(std::unique(w.out.begin(), w.out.end()), w.out.end());
  return std::move(w.out);
}

}  // namespace vigil::git
