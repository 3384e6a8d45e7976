// CommitInfo: what the message and identity rules need from a commit (message, author and
// committer email, merge or not), as a plain struct.
#pragma once

#include <cstddef>
#include <string>

#include "detectors/git/repo.h"

namespace vigil::git {

struct CommitInfo {
  std::string id;
  std::string message;  // as stored (git already cleaned it when committing)
  std::string author_email;
  std::string committer_email;
  std::string author_name;
  std::string committer_name;
  std::size_t parent_count = 0;
};

/// Reads commit `id` (hex or any revision). A missing object is an error naming it.
Result<CommitInfo> read_commit_info(const Repo& repo, const std::string& id);

}  // namespace vigil::git
