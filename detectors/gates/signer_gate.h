// SignerGate: the signer-protected paths ([[files]] signers = "<group>") and the trust policy
// (.vigil.toml and .vigil/, guarded by the `policy` group and the floor's trust roots), judged on
// what each updated ref newly reaches, with the keys and groups of the old tip.
#pragma once

#include <vector>

#include "detectors/finding.h"
#include "detectors/gates/per_ref.h"
#include "detectors/policy/config.h"

namespace vigil {

/// The rules in force: cfg.signers.rules, plus the trust-policy rule (.vigil.toml, .vigil/ and the
/// trusted key files [signatures] names) when a `policy` group is defined or the floor names trust
/// roots.
std::vector<SignerRule> active_signer_rules(const Config& cfg);

/// One finding per (commit, rule) whose commit changes a protected path (per change type; a rename
/// counts at both its paths; a merge counts for what it changes against every parent) without the
/// approval the rule asks for. Nothing to judge: no trusted key is even loaded.
Result<std::vector<Finding>> signer_findings(const git::Repo& repo, const Config& cfg, const PerRefInput& in);

}  // namespace vigil
