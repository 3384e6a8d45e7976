// IdentityGate: who pushes and who (or what) wrote the commits. On the server, the committer of
// each commit a protected ref newly reaches must be the pusher ([pushers]); everywhere, AI-assisted
// commits must disclose it where [ai] requires, and need a human approver for protected paths.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "detectors/finding.h"
#include "detectors/gates/identity.h"
#include "detectors/gates/per_ref.h"
#include "detectors/git/repo.h"
#include "detectors/policy/config.h"
#include "detectors/util/result.h"

namespace vigil {

struct IdentityInput {
  PerRefInput refs;
  /// Server: the pusher (maybe unknown). Client hooks pass nullopt: the pusher is the server's to tell.
  std::optional<PusherIdentity> pusher;
  std::vector<std::string> pusher_env;  // for the message when the pusher is unknown
};

/// [pushers] findings: `pusher.unknown` when the push needs a pusher and none is known;
/// `pusher.committer-mismatch` for each commit a covered ref newly reaches whose committer is not
/// the pusher and that no trusted key of its committer signed (when forwarded work is allowed).
Result<std::vector<Finding>> pusher_findings(const git::Repo& repo, const Config& cfg, const IdentityInput& in);

/// [ai] findings (`ai.undisclosed`, `ai.unapproved`) over what each covered ref newly reaches,
/// and the counts for the audit record.
Result<std::vector<Finding>> ai_findings(const git::Repo& repo, const Config& cfg, const PerRefInput& in, AiCounts& counts);

}  // namespace vigil
