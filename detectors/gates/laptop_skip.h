// LaptopSkip: the audited bypass of the client hooks. `VIGIL_SKIP=rule-id[,rule-id]` with
// `VIGIL_SKIP_REASON="..."` lets blocking findings of those rules (or rule families) through,
// where the policy allows it ([settings] allow_skip), and records who, when, what and why in the
// local audit log ($GIT_DIR/vigil-audit.jsonl, or git config vigil.auditLog).
#pragma once

#include <string>
#include <vector>

#include "detectors/policy/config.h"
#include "detectors/report/report.h"

namespace vigil {

namespace git {
class Repo;
}

struct SkipRequest {
  std::vector<std::string> rules;  // rule ids or families
  std::string reason;
  bool present() const { return !rules.empty(); }
};

/// Parses VIGIL_SKIP / VIGIL_SKIP_REASON.
SkipRequest skip_from_env();

/// Marks the blocking findings the request names as Bypassed (with a note). Returns why the skip
/// is refused ("" when applied): no reason given, or the policy forbids skips.
std::string apply_skip(const SkipRequest& req, const Config& config, std::vector<Finding>& findings,
                       const std::string& who);

/// The whole client-side step: reads the environment, applies the skip to `report`, prints what
/// happened on stderr and appends an audit record. Without VIGIL_SKIP it only notes in `report`
/// whether the policy allows it (the text report's bypass hint depends on that).
void laptop_skip(const git::Repo& repo, const Config& config, const char* hook, ScanReport& report);

}  // namespace vigil
