// PushReach: what a push makes reachable besides the blobs of its new commits — commit messages
// and identities, annotated tags (message, tagger, name), and trees or blobs a ref names directly.
#pragma once

#include "detectors/gates/push_gate.h"
#include "detectors/git/commit_walk.h"

namespace vigil {

/// Pseudo-paths under which these findings are reported. They are not file paths: a path-scoped
/// exemption whose glob matches them (for example "**") applies to them as to any file.
inline constexpr const char* kCommitMessagePath = "(commit message)";
inline constexpr const char* kCommitAuthorPath = "(commit author)";
inline constexpr const char* kCommitCommitterPath = "(commit committer)";
inline constexpr const char* kTagMessagePath = "(tag message)";
inline constexpr const char* kTagTaggerPath = "(tag tagger)";
inline constexpr const char* kTagNamePath = "(tag name)";
inline constexpr const char* kBareBlobPath = "(blob)";

/// Scans, under the whole policy, the messages and identities of `walk`'s commits, every tag
/// object on the chain of each updated ref, and each tree or blob a ref ends at (a tree: every
/// blob at its path, with the [[files]] rules; a blob: at the pseudo-path "(blob)"). Appends the
/// findings and skips to `report`; nothing a ref reaches is left out silently. Finally masks any
/// secret in the `author` of every finding in `report` (reports and the audit record print it).
Result<void> judge_push_reach(const git::Repo& repo, const Engine& engine, const PushRequest& req,
                              const git::WalkResult& walk, ScanReport& report);

}  // namespace vigil
