#include "detectors/git/blob_introductions.h"

#include <fmt/format.h>
#include <git2.h>

#include <unordered_map>

#include "detectors/git/handles.h"
#include "detectors/git/repo.h"
#include "detectors/git/walk_order.h"

namespace vigil::git {

namespace {

std::string hex_of(const git_oid& id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &id);
  return buf;
}

class Finder {
 public:
  Finder(git_repository* r, const std::unordered_set<std::string>& wanted, std::vector<BlobIntroduction>& out)
      : r_(r), out_(out) {
    for (const auto& h : wanted) {
      git_oid id;
      if (git_oid_fromstr(&id, h.c_str()) == 0) wanted_.insert(id);
    }
  }

  // What `new_id` holds that `old_id` (null: nothing) does not, under `path`.
  Result<void> diff(const git_oid* old_id, const git_oid& new_id, std::string& path, const HistoryCommit& c) {
    if (old_id && git_oid_equal(old_id, &new_id)) return {};
    auto holds = holds_wanted(new_id);
    if (!holds) return holds.error();
    if (!*holds) return {};
    auto nt = tree(new_id);
    if (!nt) return nt.error();
    TreePtr ot;
    if (old_id) {
      auto t = tree(*old_id);
      if (!t) return t.error();
      ot = std::move(*t);
    }
    for (std::size_t i = 0, n = git_tree_entrycount(nt->get()); i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(nt->get(), i);
      const git_oid* id = git_tree_entry_id(e);
      const git_object_t type = git_tree_entry_type(e);
      const char* name = git_tree_entry_name(e);
      const git_tree_entry* before = ot ? git_tree_entry_byname(ot.get(), name) : nullptr;
      if (before && git_tree_entry_type(before) == type && git_oid_equal(git_tree_entry_id(before), id)) continue;
      const std::size_t len = path.size();
      path += name;
      if (type == GIT_OBJECT_BLOB && wanted_.count(*id)) {
        std::string blob = hex_of(*id);
        if (recorded_.insert(blob + '\0' + path).second) out_.push_back({std::move(blob), path, c});
      } else if (type == GIT_OBJECT_TREE) {
        path += '/';
        const bool was_tree = before && git_tree_entry_type(before) == GIT_OBJECT_TREE;
        auto sub = diff(was_tree ? git_tree_entry_id(before) : nullptr, *id, path, c);
        if (!sub) return sub.error();
      }
      path.resize(len);
    }
    return {};
  }

 private:
  Result<TreePtr> tree(const git_oid& id) {
    git_tree* t = nullptr;
    if (const int rc = git_tree_lookup(&t, r_, &id); rc != 0) return unreadable_object(r_, rc, "tree", hex_of(id));
    return TreePtr(t);
  }

  // Whether a wanted blob is anywhere under tree `id`; each tree is read for it once.
  Result<bool> holds_wanted(const git_oid& id) {
    if (auto it = holds_.find(id); it != holds_.end()) return it->second;
    auto t = tree(id);
    if (!t) return t.error();
    bool any = false;
    for (std::size_t i = 0, n = git_tree_entrycount(t->get()); i < n && !any; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(t->get(), i);
      if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
        any = wanted_.count(*git_tree_entry_id(e)) > 0;
      } else if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
        auto sub = holds_wanted(*git_tree_entry_id(e));
        if (!sub) return sub.error();
        any = *sub;
      }
    }
    holds_.emplace(id, any);
    return any;
  }

  git_repository* r_;
  std::vector<BlobIntroduction>& out_;
  OidSet wanted_;
  std::unordered_map<git_oid, bool, OidHash, OidEq> holds_;
  std::unordered_set<std::string> recorded_;  // blob id + NUL + path
};

}  // namespace

Result<std::vector<BlobIntroduction>> blob_introductions(const Repo& repo, const WalkOptions& opts,
                                                         const std::unordered_set<std::string>& wanted) {
  std::vector<BlobIntroduction> out;
  if (wanted.empty()) return out;
  git_repository* r = repo.raw();
  auto walked = walk_order(repo, opts);
  if (!walked) return walked.error();
  Finder finder(r, wanted, out);
  std::uint32_t ordinal = 0;
  for (const git_oid& oid : walked->commits) {
    git_commit* raw = nullptr;
    if (const int rc = git_commit_lookup(&raw, r, &oid); rc != 0) return unreadable_object(r, rc, "commit", hex_of(oid));
    const CommitPtr c(raw);
    // As walk_history: commits before --since are not judged and get no ordinal.
    const git_signature* committer = git_commit_committer(raw);
    if (opts.since > 0 && committer && committer->when.time < opts.since) continue;
    HistoryCommit info;
    info.id = hex_of(oid);
    if (const git_signature* a = git_commit_author(raw)) {
      info.author = fmt::format("{} <{}>", a->name ? a->name : "", a->email ? a->email : "");
      info.date = iso_time(a->when.time);
    }
    info.ordinal = ordinal++;
    const bool boundary = walked->shallow.count(oid) && git_commit_parentcount(raw) > 0;
    std::optional<git_oid> parent_tree;
    if (!boundary && git_commit_parentcount(raw) > 0) {
      git_commit* parent = nullptr;
      if (const int rc = git_commit_parent(&parent, raw, 0); rc != 0) {
        return unreadable_object(r, rc, fmt::format("parent of commit {}", info.id.substr(0, 12)), hex_of(*git_commit_parent_id(raw, 0)));
      }
      parent_tree = *git_commit_tree_id(parent);
      git_commit_free(parent);
    }
    std::string path;
    if (auto d = finder.diff(parent_tree ? &*parent_tree : nullptr, *git_commit_tree_id(raw), path, info); !d) return d.error();
  }
  return out;
}

}  // namespace vigil::git
