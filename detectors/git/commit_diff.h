// CommitDiff: a commit's parents and what changed between two commits' trees (renames detected),
// for rules that judge one commit against each of its parents (signer-protected paths, merges).
#pragma once

#include <string>
#include <vector>

#include "detectors/git/changes.h"
#include "detectors/git/repo.h"

namespace vigil::git {

/// The parent ids of commit `id` (none for a root commit). A missing object is an error.
Result<std::vector<std::string>> commit_parents(const Repo& repo, const std::string& id);

/// The changes from commit `from` (empty: the empty tree) to commit `to`, with renames detected.
/// Only kind, path, old_path, blob ids and modes are filled (no sizes, no added lines).
Result<std::vector<FileChange>> diff_commits(const Repo& repo, const std::string& from, const std::string& to);

}  // namespace vigil::git
