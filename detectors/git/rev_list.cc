#include "detectors/git/rev_list.h"

#include <git2.h>

#include <algorithm>

#include "detectors/git/handles.h"
#include "detectors/git/walk_order.h"

namespace vigil::git {

namespace {

std::string hex_of(const git_oid* id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, id);
  return buf;
}

}  // namespace

Result<std::vector<RefValue>> list_ref_values(const Repo& repo) {
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, repo.raw()) != 0) return git_error("cannot list refs");
  std::vector<RefValue> out;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    ReferencePtr owned(ref);
    git_reference* resolved = nullptr;
    if (git_reference_resolve(&resolved, ref) != 0) continue;  // a dangling symbolic ref names nothing
    ReferencePtr res(resolved);
    const git_oid* target = git_reference_target(resolved);
    if (!target) continue;
    RefValue t{git_reference_name(ref), hex_of(target), ""};
    git_object* peeled = nullptr;
    if (git_reference_peel(&peeled, resolved, GIT_OBJECT_COMMIT) == 0) {
      ObjectPtr p(peeled);
      t.commit = hex_of(git_object_id(peeled));
    }
    out.push_back(std::move(t));
  }
  git_reference_iterator_free(it);
  std::sort(out.begin(), out.end(), [](const RefValue& a, const RefValue& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<std::string>> rev_list(const Repo& repo, const std::vector<std::string>& include,
                                          const std::vector<std::string>& hide) {
  std::vector<std::string> out;
  if (include.empty()) return out;
  WalkOptions opts;
  opts.include = include;
  opts.hide = hide;
  auto order = walk_order(repo, opts);
  if (!order) return order.error();
  out.reserve(order->commits.size());
  for (const auto& c : order->commits) out.push_back(hex_of(&c));
  return out;
}

}  // namespace vigil::git
