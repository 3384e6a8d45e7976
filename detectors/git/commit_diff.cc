// CommitDiff (see commit_diff.h), on libgit2's tree diff.
#include "detectors/git/commit_diff.h"

#include <fmt/format.h>

#include "detectors/git/handles.h"

namespace vigil::git {

namespace {

Result<CommitPtr> lookup(const Repo& repo, const std::string& id) {
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) != 0) return make_error(ErrorCode::Usage, fmt::format("'{}' is not an object id", id));
  git_commit* c = nullptr;
  if (const int rc = git_commit_lookup(&c, repo.raw(), &oid); rc != 0) return unreadable_object(repo.raw(), rc, "commit", id);
  return CommitPtr(c);
}

Result<TreePtr> tree_of(const Repo& repo, const std::string& id) {
  if (id.empty()) return TreePtr();
  auto c = lookup(repo, id);
  if (!c) return c.error();
  git_tree* t = nullptr;
  if (git_commit_tree(&t, c->get()) != 0) return git_error(fmt::format("cannot read the tree of {}", id));
  return TreePtr(t);
}

}  // namespace

Result<std::vector<std::string>> commit_parents(const Repo& repo, const std::string& id) {
  auto c = lookup(repo, id);
  if (!c) return c.error();
  std::vector<std::string> out;
  for (unsigned i = 0; i < git_commit_parentcount(c->get()); ++i) out.push_back(hex(git_commit_parent_id(c->get(), i)));
  return out;
}

Result<std::vector<FileChange>> diff_commits(const Repo& repo, const std::string& from, const std::string& to) {
  auto a = tree_of(repo, from);
  if (!a) return a.error();
  auto b = tree_of(repo, to);
  if (!b) return b.error();
  git_diff_options dopts;
  git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
  dopts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
  git_diff* d = nullptr;
  if (git_diff_tree_to_tree(&d, repo.raw(), a->get(), b->get(), &dopts) != 0) {
    return git_error(fmt::format("cannot diff {} against {}", to, from.empty() ? "the empty tree" : from));
  }
  DiffPtr diff(d);
  git_diff_find_options fopts;
  git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
  fopts.flags = GIT_DIFF_FIND_RENAMES;
  if (git_diff_find_similar(d, &fopts) != 0) return git_error("cannot detect renames");
  std::vector<FileChange> out;
  const std::size_t n = git_diff_num_deltas(d);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(d, i);
    FileChange fc;
    fc.kind = change_kind(delta->status);
    const bool deleted = delta->status == GIT_DELTA_DELETED;
    fc.path = deleted ? delta->old_file.path : delta->new_file.path;
    if (delta->status == GIT_DELTA_RENAMED || delta->status == GIT_DELTA_COPIED) fc.old_path = delta->old_file.path;
    if (!deleted) fc.blob = hex(&delta->new_file.id);
    if (delta->status != GIT_DELTA_ADDED) fc.old_blob = hex(&delta->old_file.id);
    fc.mode = delta->new_file.mode;
    fc.old_mode = delta->old_file.mode;
    out.push_back(std::move(fc));
  }
  return out;
}

}  // namespace vigil::git
