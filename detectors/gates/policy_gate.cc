#include "detectors/gates/policy_gate.h"

#include <algorithm>

#include "detectors/git/commit_info.h"
#include "detectors/git/tree_paths.h"

namespace vigil {

namespace {

bool adds_names(const std::vector<git::FileChange>& changes) {
  return std::any_of(changes.begin(), changes.end(), [](const git::FileChange& c) {
    return c.kind == git::ChangeKind::Added || c.kind == git::ChangeKind::Renamed || c.kind == git::ChangeKind::Copied;
  });
}

BlobReader reader_for(const git::Repo& repo) {
  return [&repo](const std::string& blob) { return repo.read_blob(blob); };
}

}  // namespace

Result<std::vector<Finding>> staged_file_findings(const git::Repo& repo, const Config& config,
                                                  const std::vector<git::FileChange>& changes,
                                                  const std::string& index_file) {
  FileCheckInput in;
  in.changes = &changes;
  in.read_blob = reader_for(repo);
  in.mode = config.settings.mode;
  std::vector<std::string> paths;
  // Reading the whole index costs a little; only a new name can create a collision.
  if (config.files.case_collision.action != PolicyAction::Off && adds_names(changes)) {
    auto p = git::index_paths(repo, index_file);
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
  in.mode = config.settings.mode;
  in.commit = commit;
  std::vector<std::string> paths;
  if (config.files.case_collision.action != PolicyAction::Off && adds_names(changes)) {
    auto p = git::tree_paths(repo, commit);
    if (!p) return p.error();
    paths = std::move(*p);
    in.tree_paths = &paths;
  }
  return check_file_changes(config.files, in);
}

Result<std::vector<Finding>> commit_message_findings(const git::Repo& repo, const Config& config,
                                                     const std::string& commit, const std::string& ref) {
  if (!config.messages.configured()) return std::vector<Finding>{};
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
  return check_commit_message(config.messages, info, config.settings.mode);
}

std::vector<Finding> ref_update_findings(const Config& config, const RefChange& change) {
  return check_ref_change(config.refs, change, config.settings.mode);
}

}  // namespace vigil
