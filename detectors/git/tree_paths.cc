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

Result<std::vector<std::string>> matching_tree_paths(const Repo& repo, const std::string& rev,
                                                     const std::vector<std::string>& names,
                                                     const std::function<std::string(std::string_view)>& key_of) {
  std::vector<std::string> out;
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo.raw(), (rev + "^{tree}").c_str()) != 0) {
    if (rev == "HEAD" && git_repository_head_unborn(repo.raw()) == 1) return out;
    return git_error(fmt::format("cannot read the tree of '{}'", rev));
  }
  TreePtr root(reinterpret_cast<git_tree*>(o));
  for (const auto& name : names) {
    std::vector<std::string> parts;
    for (std::size_t b = 0; b <= name.size();) {
      auto e = name.find('/', b);
      if (e == std::string::npos) e = name.size();
      parts.push_back(key_of(std::string_view(name).substr(b, e - b)));
      b = e + 1;
    }
    // Breadth-first over the directories that match so far: "Docs/A.md" has to look into both
    // "docs/" and "DOCS/" if both exist.
    std::vector<std::pair<const git_tree*, std::string>> frontier{{root.get(), ""}};
    std::vector<TreePtr> owned;
    for (std::size_t level = 0; level < parts.size() && !frontier.empty(); ++level) {
      const bool last = level + 1 == parts.size();
      std::vector<std::pair<const git_tree*, std::string>> next;
      for (const auto& [tree, prefix] : frontier) {
        const std::size_t n = git_tree_entrycount(tree);
        for (std::size_t i = 0; i < n; ++i) {
          const git_tree_entry* e = git_tree_entry_byindex(tree, i);
          if (key_of(git_tree_entry_name(e)) != parts[level]) continue;
          const bool is_tree = git_tree_entry_type(e) == GIT_OBJECT_TREE;
          std::string path = prefix + git_tree_entry_name(e);
          if (last) {
            if (!is_tree) out.push_back(std::move(path));
          } else if (is_tree) {
            git_tree* sub = nullptr;
            if (git_tree_lookup(&sub, repo.raw(), git_tree_entry_id(e)) != 0) {
              return git_error(fmt::format("cannot read the tree '{}' of '{}'", path, rev));
            }
            owned.emplace_back(sub);
            next.emplace_back(sub, path + "/");
          }
        }
      }
      frontier = std::move(next);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace vigil::git
