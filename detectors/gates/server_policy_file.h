// The repository's own policy file on the server: the effective policy (the floor tightened by
// the old tip's .vigil.toml, or the floor alone when that file is broken) and the findings for a
// push that brings a .vigil.toml which does not parse or whose rules do not compile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "detectors/finding.h"
#include "detectors/gates/push_gate.h"
#include "detectors/git/repo.h"
#include "detectors/policy/config.h"
#include "detectors/util/result.h"

namespace vigil {

struct ServerPolicy {
  Config effective;
  /// The floor alone, kept when a repository file was merged: if the merged rules fail to
  /// compile after all, the floor still judges (never a lock-out, never no policy).
  std::optional<Config> floor;
};

/// The floor (git config vigil.policy, else the defaults) tightened by `.vigil.toml` at HEAD (the
/// old tip while a push is in quarantine). A broken repository file leaves the floor in force and
/// says why in `notes`. An unreadable floor is an error. `head_rev`: the update hook passes the
/// commit HEAD named before the push (push_snapshot.h), since sibling refs may have moved HEAD.
Result<ServerPolicy> load_server_policy(const git::Repo& repo, std::vector<std::string>& notes,
                                        const std::string& head_rev = "HEAD");

/// The rules of `config` that the built-in pack does not hold as shipped compile for Hyperscan
/// and PCRE2 (errors name file:line and the rule). Compiles only those rules, so it is cheap.
Result<void> check_own_rules_compile(const Config& config);

/// Rule id of the finding for a pushed .vigil.toml that is broken.
inline constexpr std::string_view kConfigInvalidId = "policy.config-invalid";

/// One blocking finding per updated ref whose new tip holds a .vigil.toml that differs from the
/// ref's old one (HEAD's for a new ref) and does not parse or compile. The finding quotes the
/// error (file:line:col). Refs that are deleted, or point at no commit, are left to the push gate.
Result<std::vector<Finding>> pushed_policy_findings(const git::Repo& repo, const std::vector<RefUpdate>& updates);

}  // namespace vigil
