#include "detectors/gates/policy_gate.h"

#include <algorithm>

#include "detectors/git/commit_info.h"
#include "detectors/git/push_paths.h"
#include "detectors/git/tree_paths.h"

namespace vigil {

namespace {

bool adds_names(const std::vector<git::FileChange>& changes) {
  return std::any_of(changes.begin(), changes.end(), [](const git::FileChange& c) {
    return c.kind == git::ChangeKind::Added || c.kind == git::ChangeKind::Renamed || c.kind == git::ChangeKind::Copied;
  });
}

std::vector<std::string> new_names(const std::vector<git::FileChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) {
    if (c.kind == git::ChangeKind::Added || c.kind == git::ChangeKind::Renamed || c.kind == git::ChangeKind::Copied) out.push_back(c.path);
  }
  return out;
}

/// The paths of `rev`'s tree that can collide with a new name: only those matter, and finding
/// them reads a few directories instead of listing a tree of maybe 100,000 paths.
Result<std::vector<std::string>> collision_candidates(const git::Repo& repo, const std::string& rev,
                                                      const std::vector<git::FileChange>& changes) {
  return git::matching_tree_paths(repo, rev, new_names(changes), [](std::string_view p) { return collision_key(p); });
}

BlobReader reader_for(const git::Repo& repo) {
  return [&repo](const std::string& blob) { return repo.read_blob(blob); };
}

// Symlinks resolve through the tree the changes make: for a commit its own tree; for the index,
// the staged changes over HEAD's tree.
TreeLookup lookup_in(const git::Repo& repo, const std::string& rev, const std::vector<git::FileChange>* staged) {
  return [&repo, rev, staged](const std::string& path) -> Result<std::optional<TreeEntry>> {
    if (staged) {
      for (const auto& c : *staged) {
        if (c.path != path) continue;
        if (c.kind == git::ChangeKind::Deleted) return std::optional<TreeEntry>{};
        return std::optional<TreeEntry>(TreeEntry{c.mode, c.blob});
      }
    }
    auto e = repo.entry_at(rev, path);
    if (!e) return std::optional<TreeEntry>{};
    return std::optional<TreeEntry>(TreeEntry{e->first, e->second});
  };
}

}  // namespace

Result<std::vector<Finding>> staged_file_findings(const git::Repo& repo, const Config& config,
                                                  const std::vector<git::FileChange>& changes) {
  FileCheckInput in;
  in.changes = &changes;
  in.read_blob = reader_for(repo);
  in.lookup = lookup_in(repo, "HEAD", &changes);
  in.mode = config.settings.mode;
  std::vector<std::string> paths;
  // The index is HEAD plus `changes`, so HEAD's paths that match a new name are all it takes.
  if (config.files.case_collision.action != PolicyAction::Off && adds_names(changes)) {
    auto p = collision_candidates(repo, "HEAD", changes);
    if (!p) return p.error();
    paths = std::move(*p);
    in.tree_paths = &paths;
  }
  return check_file_changes(config.files, in);
}

Result<std::vector<Finding>> commit_file_findings(const git::Repo& repo, const Config& config, const std::string& commit,
                                                  const std::vector<git::FileChange>& changes) {
  FileCheckInput in;
  in.changes = &changes;
  in.read_blob = reader_for(repo);
  in.lookup = lookup_in(repo, commit, nullptr);
  in.mode = config.settings.mode;
  in.commit = commit;
  const auto names = new_names(changes);
  std::vector<std::string> paths;
  if (config.files.case_collision.action != PolicyAction::Off && !names.empty()) {
    // Only the commit's tree paths that may collide with a new name (non-ASCII names always may):
    // listing the whole tree of each of a thousand pushed commits cost seconds.
    auto p = git::tree_paths_like(repo, commit, names);
    if (!p) return p.error();
    paths = std::move(*p);
    in.tree_paths = &paths;
  }
  if (config.files.rules.empty() && names.empty()) return std::vector<Finding>{};  // nothing to check
  return check_file_changes(config.files, in);
}

Result<std::vector<Finding>> commit_message_findings(const git::Repo& repo, const Config& config,
                                                     const std::string& commit, const std::string& ref) {
  return commit_message_findings(repo, config.messages, config.settings.mode, commit, ref);
}

Result<std::vector<Finding>> commit_message_findings(const git::Repo& repo, const MessagePolicy& policy, Mode mode,
                                                     const std::string& commit, const std::string& ref) {
  if (!policy.configured()) return std::vector<Finding>{};
  auto c = git::read_commit_info(repo, commit);
  if (!c) return c.error();
  CommitMessageInfo info;
  info.message = clean_commit_message(c->message, MessageCleanup::Whitespace);
  info.author_email = c->author_email;
  info.committer_email = c->committer_email;
  info.merge = c->parent_count > 1;
  info.ref = ref;
  info.commit = c->id;
  info.label = "commit message";
  return check_commit_message(policy, info, mode);
}

std::vector<Finding> ref_update_findings(const Config& config, const RefChange& change) {
  return check_ref_change(config.refs, change, config.settings.mode);
}

}  // namespace vigil
