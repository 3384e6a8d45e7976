// RefPolicy: rules for the refs a push creates, moves or deletes ([refs]): branch and tag name
// patterns, and protected refs that must not be deleted or force-pushed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/finding.h"
#include "detectors/policy/policy_action.h"
#include "detectors/scan/regex.h"

namespace vigil {

/// One protected pattern: a glob over full ref names ("refs/heads/main", "refs/heads/release/*").
struct ProtectedRef {
  std::string pattern;
  bool no_delete = true;
  bool no_force_push = true;
};

struct RefPolicy {
  /// Searched in the short name ("feature/x" for refs/heads/feature/x, "v1.2.0" for a tag), and
  /// only when the ref is created: branches that predate the rule can still be updated and deleted.
  std::optional<Regex> branch_name;
  std::optional<Regex> tag_name;
  std::vector<ProtectedRef> protected_refs;
  PolicyAction action = PolicyAction::Block;
  std::string reason;  // shown under each finding; a default explains the rule when unset
  /// A repository's own [refs], merged under the server floor by tighten(): judged on its own,
  /// with its own action and reason, so it adds protection and never changes the floor's.
  std::vector<RefPolicy> added;
};

/// One ref update of a push. `forced` is computed by the caller (the old tip is not an ancestor
/// of the new one); a deletion is not also a force-push. A protected tag that is neither created
/// nor deleted is moved, which `no_force_push` forbids whether or not it is a fast-forward.
struct RefChange {
  std::string ref;  // full name, "refs/heads/main"
  bool created = false;
  bool deleted = false;
  bool forced = false;
};

/// Judges the policy and every policy in `added`.
std::vector<Finding> check_ref_change(const RefPolicy& policy, const RefChange& change,
                                      Mode mode = Mode::Enforce);

/// True when a ref glob names `ref` as a whole: "refs/heads/main" does not cover
/// "refs/heads/main/x" (gitignore matching would); "refs/heads/release/**" covers everything below.
bool ref_glob_match(std::string_view pattern, std::string_view ref);

/// The protected entry that covers `ref`, if any (the policy's own, then those of `added`).
const ProtectedRef* find_protected_ref(const RefPolicy& policy, std::string_view ref);

}  // namespace vigil
