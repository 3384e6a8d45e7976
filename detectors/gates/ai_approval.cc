#include "detectors/gates/ai_approval.h"

#include <fmt/format.h>

namespace vigil {

Result<AiApproval> ai_approval(GroupApprovals& approvals, const AiPolicy& ai, const std::string& commit,
                               std::string_view group, const RefReach& reach) {
  AiApproval a;
  a.how = fmt::format("a human member of '{}' signs the commit, or signs the merge that brings it onto {} "
                      "(git merge --no-ff -S); AI identities, and for a merge the change's own authors, do not count",
                      group, reach.ref());
  if (approvals.members(group).empty()) {
    a.why = fmt::format(" (signer group '{}' has no members: define [signers.{}] members = [...])", group, group);
    return a;
  }
  std::string tried;
  // The commit's own signature first, then a merge: each must come from a human member.
  for (const bool own : {true, false}) {
    auto g = approvals.approve(commit, group, reach, own, !own);
    if (!g) return g.error();
    const std::string what = own ? "its own signature" : "a signed merge";
    if (g->approved && is_ai_identity(ai, "", g->by)) {
      tried += fmt::format("{}{}: by {}, an AI identity — an AI cannot approve an AI-assisted change", tried.empty() ? "" : "; ",
                           what, g->by);
      continue;
    }
    if (g->approved) {
      a.approved = true;
      a.how = fmt::format("approved by {} ({})", g->by, g->via.substr(0, 12));
      return a;
    }
    tried += fmt::format("{}{}: {}", tried.empty() ? "" : "; ", what, g->why_not.empty() ? "none" : g->why_not);
  }
  a.why = " (" + tried + ")";
  return a;
}

}  // namespace vigil
