// Refs and object facts for the push gate: every ref's target, ancestry (shallow-aware), object
// types.
#include "detectors/git/refs.h"

#include <git2.h>

#include "detectors/git/handles.h"
#include "detectors/git/walk_order.h"

namespace vigil::git {

Result<std::vector<std::pair<std::string, std::string>>> list_refs(const Repo& repo) {
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, repo.raw()) != 0) return git_error("cannot list refs");
  std::vector<std::pair<std::string, std::string>> out;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    ReferencePtr owned(ref);
    git_object* peeled = nullptr;
    if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
      ObjectPtr p(peeled);
      out.emplace_back(git_reference_name(ref), hex(git_object_id(peeled)));
    }
  }
  git_reference_iterator_free(it);
  return out;
}

bool is_ancestor(const Repo& repo, const std::string& ancestor, const std::string& descendant) {
  git_oid a, d;
  if (git_oid_fromstr(&a, ancestor.c_str()) != 0 || git_oid_fromstr(&d, descendant.c_str()) != 0) return false;
  if (git_oid_equal(&a, &d)) return true;
  const OidSet shallow = shallow_commits(repo.raw());
  if (shallow.empty()) return git_graph_descendant_of(repo.raw(), &d, &a) == 1;
  OidSet seen{d};
  std::vector<git_oid> queue{d};
  while (!queue.empty()) {
    const git_oid id = queue.back();
    queue.pop_back();
    auto ps = parents_of(repo.raw(), id, shallow);
    if (!ps) return false;
    for (const auto& p : *ps) {
      if (git_oid_equal(&p, &a)) return true;
      if (seen.insert(p).second) queue.push_back(p);
    }
  }
  return false;
}

std::string object_type(const Repo& repo, const std::string& oid) {
  git_oid o;
  if (git_oid_fromstr(&o, oid.c_str()) != 0) return "";
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo.raw()) != 0) return "";
  OdbPtr owned(odb);
  size_t len = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (git_odb_read_header(&len, &type, odb, &o) != 0) return "";
  return git_object_type2string(type);
}

}  // namespace vigil::git
