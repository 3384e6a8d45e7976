// PushSnapshot: what ties the server hooks of one push together. git's receive-pack runs `update`
// once per ref and moves each ref right after its hook passes, so a later update hook sees its
// sibling refs (and HEAD's branch, which holds the repository's policy and trusted keys) already
// moved. The first update hook of a push records the refs as they were; the later ones judge
// against that record. pre-receive records what it accepted, so an update hook installed beside
// it neither judges nor audits the same update twice. Records live in $GIT_DIR/vigil-push/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "detectors/gates/push_gate.h"
#include "detectors/git/repo.h"
#include "detectors/git/rev_list.h"

namespace vigil {

/// The push a server hook runs in: the nearest `git receive-pack` among the hook's ancestors, as
/// "<pid>-<start time>" (a reused pid makes a new key). nullopt when none is found (no /proc, or a
/// hosting layer that runs hooks from another process).
std::optional<std::string> push_key();

struct RefsSnapshot {
  std::string head;  // the commit HEAD named before the push; "" when unborn
  std::vector<git::RefValue> refs;
};

/// The refs and HEAD as they were before push `key` moved any: read from the record an earlier
/// update hook of the same push wrote, else taken now (the first hook of a push sees every ref
/// unchanged) and recorded. A record that disagrees with `u`'s old value cannot be this push's
/// and is replaced.
Result<RefsSnapshot> refs_before_update(const git::Repo& repo, const std::string& key, const RefUpdate& u);

/// pre-receive: records the updates it accepted, when an update hook is installed to read them.
void record_accepted(const git::Repo& repo, const std::vector<RefUpdate>& updates);
/// update: true when pre-receive accepted exactly this update moments ago; the record is consumed.
bool take_accepted(const std::string& git_dir, const RefUpdate& u);

/// What the update hook needs before judging one update.
struct UpdateView {
  bool judged_by_pre_receive = false;  // pass: pre-receive judged and recorded exactly this update
  std::optional<RefsSnapshot> before;  // the refs and HEAD before the push
  std::string error;                   // the record could not be read or written (fail closed)
  std::string note;                    // for the audit record: no receive-pack found
};
/// Removes stale records, then looks up what pre-receive accepted and the push's refs record.
UpdateView update_view(const git::Repo& repo, const RefUpdate& u);

/// Removes the refs records of pushes whose receive-pack has exited, and accepted records older
/// than an hour (their update hook never ran: another ref's hook failed, or no update hook runs).
void remove_stale_records(const std::string& git_dir);

}  // namespace vigil
