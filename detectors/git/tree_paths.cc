#include "detectors/git/tree_paths.h"

#include <fmt/format.h>
#include <git2.h>

#include <algorithm>

#include "detectors/git/handles.h"

namespace vigil::git {

Result<std::vector<std::string>> index_paths(const Repo& repo, const std::string& index_file) {
  git_index* idx = nullptr;
  if (!index_file.empty()) {
    if (git_index_open(&idx, index_file.c_str()) != 0) return git_error(fmt::format("cannot read the index '{}'", index_file));
  } else if (git_repository_index(&idx, repo.raw()) != 0) {
    return git_error("cannot read the repository index");
  }
  IndexPtr index(idx);
  std::vector<std::string> out;
  const std::size_t n = git_index_entrycount(idx);
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (const git_index_entry* e = git_index_get_byindex(idx, i)) out.emplace_back(e->path);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

int collect(const char* root, const git_tree_entry* entry, void* payload) {
  if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) return 0;
  static_cast<std::vector<std::string>*>(payload)->push_back(std::string(root) + git_tree_entry_name(entry));
  return 0;
}

}  // namespace

Result<std::vector<std::string>> tree_paths(const Repo& repo, const std::string& rev) {
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo.raw(), (rev + "^{tree}").c_str()) != 0) {
    return git_error(fmt::format("cannot read the tree of '{}'", rev));
  }
  TreePtr tree(reinterpret_cast<git_tree*>(o));
  std::vector<std::string> out;
  if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, collect, &out) != 0) {
    return git_error(fmt::format("cannot walk the tree of '{}'", rev));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vigil::git
