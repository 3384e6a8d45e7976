// RevList: what one ref newly reaches (`git rev-list NEW --not OLD...`) and every ref with its
// target, for the rules that depend on the ref a commit lands on. Commit ids only; no tree is read.
#pragma once

#include <string>
#include <vector>

#include "detectors/git/repo.h"

namespace vigil::git {

struct RefValue {
  std::string name;    // "refs/heads/main"
  std::string target;  // what the ref names (a tag object for an annotated tag)
  std::string commit;  // `target` peeled to a commit; "" when it is not one (a tagged tree or blob)
};

/// Every ref of the repository (symbolic refs resolved), sorted by name.
Result<std::vector<RefValue>> list_ref_values(const Repo& repo);

/// The commits reachable from `include` and from none of `hide`, parents first. Tags are peeled;
/// a hidden id the repository lacks hides nothing; an included id it lacks is an error.
Result<std::vector<std::string>> rev_list(const Repo& repo, const std::vector<std::string>& include,
                                          const std::vector<std::string>& hide);

}  // namespace vigil::git
