// AiApproval: whether a human member of a signer group approved one AI-assisted commit, by signing
// it or by signing the merge that brings it onto the ref (GroupApprovals, group_approval.h). A
// signer whose principal is an AI identity never counts: an AI cannot approve an AI's change,
// its own or another's; a merge never counts when its signer is one of the change's authors.
#pragma once

#include <string>
#include <string_view>

#include "detectors/gates/group_approval.h"
#include "detectors/policy/ai_policy.h"
#include "detectors/util/result.h"

namespace vigil {

struct AiApproval {
  bool approved = false;
  std::string how;  // approved: by whom and where; else what would approve it
  std::string why;  // not approved: " (...)" saying what was tried
};

/// Judges one escalated commit of `reach` for `group`.
Result<AiApproval> ai_approval(GroupApprovals& approvals, const AiPolicy& ai, const std::string& commit,
                               std::string_view group, const RefReach& reach);

}  // namespace vigil
