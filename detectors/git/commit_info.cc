#include "detectors/git/commit_info.h"

#include <fmt/format.h>
#include <git2.h>

#include "detectors/git/handles.h"

namespace vigil::git {

Result<CommitInfo> read_commit_info(const Repo& repo, const std::string& id) {
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo.raw(), (id + "^{commit}").c_str()) != 0) {
    return git_error(fmt::format("cannot read commit '{}'", id));
  }
  CommitPtr commit(reinterpret_cast<git_commit*>(o));
  CommitInfo info;
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, git_commit_id(commit.get()));
  info.id = buf;
  if (const char* m = git_commit_message_raw(commit.get())) info.message = m;
  if (const git_signature* a = git_commit_author(commit.get())) {
    if (a->email) info.author_email = a->email;
    if (a->name) info.author_name = a->name;
  }
  if (const git_signature* c = git_commit_committer(commit.get())) {
    if (c->email) info.committer_email = c->email;
    if (c->name) info.committer_name = c->name;
  }
  info.parent_count = git_commit_parentcount(commit.get());
  return info;
}

}  // namespace vigil::git
