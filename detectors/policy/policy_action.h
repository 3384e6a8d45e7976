// PolicyAction: what a file, message or ref rule does when it fires, and how the global mode
// (settings.mode) tempers it. Shared by file_policy, message_policy and ref_policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/finding.h"
#include "detectors/rules/rule.h"

namespace vigil {

enum class PolicyAction { Off,
                          Warn,
                          Block };

/// "block", "warn" or "off".
std::optional<PolicyAction> parse_policy_action(std::string_view s);

/// Block → Block and Warn → Warn, except that settings.mode = "warn" turns blocks into warnings
/// and "observe" records everything without printing it, as it does for secret rules.
Disposition policy_disposition(PolicyAction action, Mode settings_mode);

/// A policy finding: no secret, so the fingerprint is over (rule, subject) and stays stable
/// across commits, which lets waivers and baselines cite it.
Finding policy_finding(std::string_view rule_id, std::string_view rule_name, std::string_view path,
                       PolicyAction action, Mode settings_mode, std::string problem, std::string reason);

}  // namespace vigil
