#include "detectors/git/commit_paths.h"

#include <fmt/format.h>
#include <git2.h>

#include <algorithm>

#include "detectors/git/handles.h"

namespace vigil::git {

Result<std::vector<std::string>> commit_changed_paths(const Repo& repo, const std::string& id) {
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo.raw(), (id + "^{commit}").c_str()) != 0) {
    return git_error(fmt::format("cannot read commit '{}'", id));
  }
  CommitPtr commit(reinterpret_cast<git_commit*>(o));
  git_tree* new_tree = nullptr;
  if (git_commit_tree(&new_tree, commit.get()) != 0) return git_error(fmt::format("cannot read the tree of {}", id));
  TreePtr new_owner(new_tree);
  TreePtr old_owner;
  if (git_commit_parentcount(commit.get()) > 0) {
    git_commit* parent = nullptr;
    if (git_commit_parent(&parent, commit.get(), 0) != 0) return git_error(fmt::format("cannot read the parent of {}", id));
    CommitPtr parent_owner(parent);
    git_tree* old_tree = nullptr;
    if (git_commit_tree(&old_tree, parent) != 0) return git_error(fmt::format("cannot read the parent tree of {}", id));
    old_owner.reset(old_tree);
  }
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  git_diff* diff = nullptr;
  if (git_diff_tree_to_tree(&diff, repo.raw(), old_owner.get(), new_owner.get(), &opts) != 0) {
    return git_error(fmt::format("cannot diff commit {}", id));
  }
  DiffPtr diff_owner(diff);
  std::vector<std::string> out;
  const std::size_t n = git_diff_num_deltas(diff);
  for (std::size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff, i);
    if (d->old_file.path) out.emplace_back(d->old_file.path);
    if (d->new_file.path) out.emplace_back(d->new_file.path);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace vigil::git
