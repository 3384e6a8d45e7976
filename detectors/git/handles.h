// RAII owners for libgit2 handles (internal to detectors/git).
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "detectors/util/c_free.h"

#include "detectors/git/changes.h"

namespace vigil::git {

using BlobPtr = std::unique_ptr<git_blob, CFree<git_blob_free>>;
using ObjectPtr = std::unique_ptr<git_object, CFree<git_object_free>>;
using TreePtr = std::unique_ptr<git_tree, CFree<git_tree_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, CFree<git_tree_entry_free>>;
using CommitPtr = std::unique_ptr<git_commit, CFree<git_commit_free>>;
using IndexPtr = std::unique_ptr<git_index, CFree<git_index_free>>;
using DiffPtr = std::unique_ptr<git_diff, CFree<git_diff_free>>;
using ConfigPtr = std::unique_ptr<git_config, CFree<git_config_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, CFree<git_revwalk_free>>;
using ReferencePtr = std::unique_ptr<git_reference, CFree<git_reference_free>>;
using OdbPtr = std::unique_ptr<git_odb, CFree<git_odb_free>>;
using OdbObjectPtr = std::unique_ptr<git_odb_object, CFree<git_odb_object_free>>;
using TagPtr = std::unique_ptr<git_tag, CFree<git_tag_free>>;
using PatchPtr = std::unique_ptr<git_patch, CFree<git_patch_free>>;

/// An object id as 40 hex digits.
inline std::string hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

/// The error for an object libgit2 could not read (rc from the lookup): "missing object" — naming
/// the promisor remote in a partial clone — or "corrupt object ... run git fsck".
Error unreadable_object(git_repository* r, int rc, const std::string& what, const std::string& id);

/// libgit2's delta status as our change kind (shared by the staged and the commit diffs).
inline ChangeKind change_kind(git_delta_t s) {
  switch (s) {
    case GIT_DELTA_ADDED: return ChangeKind::Added;
    case GIT_DELTA_DELETED: return ChangeKind::Deleted;
    case GIT_DELTA_RENAMED: return ChangeKind::Renamed;
    case GIT_DELTA_COPIED: return ChangeKind::Copied;
    case GIT_DELTA_TYPECHANGE: return ChangeKind::TypeChange;
    default: return ChangeKind::Modified;
  }
}

}  // namespace vigil::git
