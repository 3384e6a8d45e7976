// AiApproval: whether a human member of a signer group approved one AI-assisted commit, either by
// signing it or by signing the merge that brings it onto the ref. A signer whose identity is an AI
// identity never counts, and neither does the change's own author approving it by merge.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detectors/git/repo.h"
#include "detectors/policy/config.h"
#include "detectors/signatures/verifier.h"
#include "detectors/util/result.h"

namespace vigil {

/// The trusted keys of the old tip, built once per gate run and only when a commit needs them.
class TrustCache {
 public:
  TrustCache(const git::Repo& repo, std::string rev, const SignaturePolicy& sig)
      : repo_(repo), rev_(std::move(rev)), sig_(sig) {}
  Result<const TrustStore*> get();

 private:
  const git::Repo& repo_;
  std::string rev_;
  const SignaturePolicy& sig_;
  std::unique_ptr<TrustStore> store_;
};

/// The members of signer group `group` (their principals: the e-mails their trusted keys are bound
/// to); nullopt when the policy defines no such group.
std::optional<std::vector<std::string>> signer_group_members(const Config& cfg, const std::string& group);

struct ApprovalQuery {
  std::string commit;
  std::string ref;
  std::string author;  // "Name <email>" of the AI-assisted commit
  std::string group;
};

struct AiApproval {
  bool approved = false;
  std::string how;  // approved: by whom; else what would approve it
  std::string why;  // not approved: " (...)" saying what was tried, or ""
};

/// Judges one escalated commit. `reached`: the (commit, ref) pairs the ref newly reaches in this
/// push, where an approving merge is looked for.
Result<AiApproval> ai_approval(const git::Repo& repo, const Config& cfg, TrustCache& trust, const ApprovalQuery& q,
                               const std::vector<std::pair<std::string, std::string>>& reached);

}  // namespace vigil
