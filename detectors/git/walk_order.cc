// WalkOrder: the commits a walk visits, parents before children, and the shallow-clone walk that
// libgit2 1.5 cannot do itself.
#include "detectors/git/walk_order.h"

#include <fmt/format.h>

#include <ctime>
#include <fstream>

#include "detectors/git/handles.h"
#include "detectors/git/refs.h"
#include "detectors/util/glob.h"

namespace vigil::git {

// The commits a shallow clone has cut off from their parents ($GIT_DIR/shallow). libgit2 1.5 does
// not know shallow clones: its revwalk and merge-base fail on the first missing parent, so a
// shallow repository is walked here instead, stopping at these commits.
OidSet shallow_commits(git_repository* r) {
  OidSet out;
  std::string path = git_repository_commondir(r);
  if (!path.empty() && path.back() != '/') path += '/';
  std::ifstream in(path + "shallow");
  for (std::string line; std::getline(in, line);) {
    git_oid oid;
    if (line.size() >= GIT_OID_HEXSZ && git_oid_fromstrn(&oid, line.data(), GIT_OID_HEXSZ) == 0) out.insert(oid);
  }
  return out;
}

Result<std::vector<git_oid>> parents_of(git_repository* r, const git_oid& id, const OidSet& shallow) {
  std::vector<git_oid> out;
  if (shallow.count(id)) return out;
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, r, &id) != 0) return git_error(fmt::format("cannot read commit {}", hex(&id)));
  CommitPtr commit(c);
  for (unsigned i = 0; i < git_commit_parentcount(c); ++i) out.push_back(*git_commit_parent_id(c, i));
  return out;
}

namespace {

// Commits reachable from `include` and not from `hide`, parents before children, never crossing
// a shallow boundary. Hidden commits the clone does not have hide nothing.
Result<std::vector<git_oid>> shallow_walk(git_repository* r, const std::vector<git_oid>& include,
                                          const std::vector<git_oid>& hide, const OidSet& shallow) {
  OidSet hidden;
  std::vector<git_oid> queue;
  for (const auto& h : hide) {
    if (hidden.insert(h).second) queue.push_back(h);
  }
  while (!queue.empty()) {
    const git_oid id = queue.back();
    queue.pop_back();
    auto ps = parents_of(r, id, shallow);
    if (!ps) continue;  // not in the clone: nothing more to hide
    for (const auto& p : *ps) {
      if (hidden.insert(p).second) queue.push_back(p);
    }
  }
  // Iterative depth-first search; a commit is emitted after all of its parents.
  std::vector<git_oid> order;
  OidSet started, done;
  std::vector<std::pair<git_oid, bool>> stack;
  for (const auto& i : include) {
    if (!hidden.count(i)) stack.emplace_back(i, false);
  }
  while (!stack.empty()) {
    auto [id, expanded] = stack.back();
    if (expanded) {
      stack.pop_back();
      if (done.insert(id).second) order.push_back(id);
      continue;
    }
    if (started.count(id)) {
      stack.pop_back();
      continue;
    }
    started.insert(id);
    stack.back().second = true;
    auto ps = parents_of(r, id, shallow);
    if (!ps) return ps.error();
    for (const auto& p : *ps) {
      if (!hidden.count(p) && !started.count(p)) stack.emplace_back(p, false);
    }
  }
  return order;
}

}  // namespace

std::string iso_time(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<WalkOrder> walk_order(const Repo& repo, const WalkOptions& opts) {
  git_repository* r = repo.raw();
  git_revwalk* w = nullptr;
  if (git_revwalk_new(&w, r) != 0) return git_error("cannot walk commits");
  RevwalkPtr walk(w);
  git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  WalkOrder out;
  out.shallow = shallow_commits(r);
  const OidSet& shallow = out.shallow;
  std::vector<git_oid> shallow_include, shallow_hide;  // the same starts, for shallow_walk

  auto push_oid = [&](const std::string& id, bool hide) -> Result<void> {
    git_oid oid;
    if (git_oid_fromstr(&oid, id.c_str()) != 0) return make_error(ErrorCode::Git, fmt::format("invalid object id '{}'", id));
    // Tags are peeled to the commit they name; other objects (a tagged tree or blob) are skipped.
    git_object* obj = nullptr;
    if (git_object_lookup(&obj, r, &oid, GIT_OBJECT_ANY) != 0) {
      if (hide) return {};  // a ref the remote has but we do not: nothing to hide
      return git_error(fmt::format("cannot read object {} (missing object?)", id));
    }
    ObjectPtr o(obj);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) return {};
    ObjectPtr p(peeled);
    if (!shallow.empty()) {
      (hide ? shallow_hide : shallow_include).push_back(*git_object_id(peeled));
      return {};
    }
    const int rc = hide ? git_revwalk_hide(w, git_object_id(peeled)) : git_revwalk_push(w, git_object_id(peeled));
    if (rc != 0) return git_error(fmt::format("cannot walk from {}", id));
    return {};
  };

  for (const auto& id : opts.include) {
    auto res = push_oid(id, false);
    if (!res) return res.error();
  }
  if (opts.all_refs) {
    // Every ref, and HEAD: a detached HEAD's commits are on no branch, but they are history too.
    auto refs = list_refs(repo);
    if (!refs) return refs.error();
    for (const auto& [name, target] : *refs) {
      auto res = push_oid(target, false);
      if (!res) return res.error();
    }
    git_object* head = nullptr;
    if (git_revparse_single(&head, r, "HEAD^{commit}") == 0) {
      ObjectPtr h(head);
      auto res = push_oid(hex(git_object_id(head)), false);
      if (!res) return res.error();
    }
  }
  for (const auto& id : opts.hide) {
    auto res = push_oid(id, true);
    if (!res) return res.error();
  }
  if (opts.hide_all_refs || !opts.hide_ref_globs.empty()) {
    auto refs = list_refs(repo);
    if (!refs) return refs.error();
    for (const auto& [name, target] : *refs) {
      bool hide = opts.hide_all_refs;
      for (const auto& g : opts.hide_ref_globs) hide = hide || glob_match(g, name);
      if (hide) {
        auto res = push_oid(target, true);
        if (!res) return res.error();
      }
    }
  }

  if (!shallow.empty()) {
    auto walked = shallow_walk(r, shallow_include, shallow_hide, shallow);
    if (!walked) return walked.error();
    out.commits = std::move(*walked);
  } else {
    for (git_oid next;;) {
      const int rc = git_revwalk_next(&next, w);
      if (rc == GIT_ITEROVER) break;
      if (rc != 0) return git_error("cannot walk commits");
      out.commits.push_back(next);
    }
  }
  return out;
}

}  // namespace vigil::git
