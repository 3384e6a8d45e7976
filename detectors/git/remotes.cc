#include "detectors/git/remotes.h"

#include <git2.h>

#include <filesystem>

namespace vigil::git {

namespace {

std::string normal_url(std::string u) {
  if (u.rfind("file://", 0) == 0) u = u.substr(7);
  while (u.size() > 1 && u.back() == '/') u.pop_back();
  if (u.size() > 4 && u.compare(u.size() - 4, 4, ".git") == 0) u.resize(u.size() - 4);
  // A local path: the same directory however it is spelled (relative, through a symlink).
  if (!u.empty() && u.find("://") == std::string::npos && u.find(':') == std::string::npos) {
    std::error_code ec;
    auto c = std::filesystem::weakly_canonical(u, ec);
    if (!ec) u = c.string();
    if (u.size() > 4 && u.compare(u.size() - 4, 4, ".git") == 0) u.resize(u.size() - 4);
  }
  return u;
}

}  // namespace

std::optional<std::string> remote_for_url(const Repo& repo, const std::string& url) {
  git_strarray names{};
  if (git_remote_list(&names, repo.raw()) != 0) {
    git_error_clear();
    return std::nullopt;
  }
  const std::string want = normal_url(url);
  std::optional<std::string> found;
  for (std::size_t i = 0; i < names.count && !found; ++i) {
    git_remote* r = nullptr;
    if (git_remote_lookup(&r, repo.raw(), names.strings[i]) != 0) {
      git_error_clear();
      continue;
    }
    for (const char* u : {git_remote_url(r), git_remote_pushurl(r)}) {
      if (u && normal_url(u) == want) found = names.strings[i];
    }
    git_remote_free(r);
  }
  git_strarray_dispose(&names);
  return found;
}

}  // namespace vigil::git
