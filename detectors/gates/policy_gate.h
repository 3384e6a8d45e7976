// Policy checks as the gates run them: the file, message and ref policies of a Config applied to
// staged changes (pre-commit) or to the commits and ref updates of a push. Git-aware glue over the
// git-agnostic detectors/policy/{file,message,ref}_policy.
#pragma once

#include <string>
#include <vector>

#include "detectors/finding.h"
#include "detectors/git/changes.h"
#include "detectors/git/repo.h"
#include "detectors/policy/config.h"

namespace vigil {

/// pre-commit: [[files]] rules and path checks over the staged changes (the whole index-vs-HEAD
/// diff). The paths a new file may collide with come from HEAD's tree.
Result<std::vector<Finding>> staged_file_findings(const git::Repo& repo, const Config& config,
                                                  const std::vector<git::FileChange>& changes);

/// Push time: the same over one new commit's changes (against its first parent). Collisions are
/// checked against the commit's own tree, so a file added in one commit and its case twin in
/// a later commit of the same push are caught at the later one. Findings carry `commit`.
Result<std::vector<Finding>> commit_file_findings(const git::Repo& repo, const Config& config,
                                                  const std::string& commit,
                                                  const std::vector<git::FileChange>& changes);

/// Push time: [messages] rules for one new commit landing on `ref` (full name). Reads the message,
/// author and committer from the commit; merges are recognised by their parents.
Result<std::vector<Finding>> commit_message_findings(const git::Repo& repo, const Config& config,
                                                     const std::string& commit, const std::string& ref);
/// The same under one MessagePolicy (a part of the [messages] rules, see per_ref.h).
Result<std::vector<Finding>> commit_message_findings(const git::Repo& repo, const MessagePolicy& policy, Mode mode,
                                                     const std::string& commit, const std::string& ref);

/// Push time: [refs] rules for one ref update. The caller says whether it is a force-push.
std::vector<Finding> ref_update_findings(const Config& config, const RefChange& change);

}  // namespace vigil
