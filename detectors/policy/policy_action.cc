#include "detectors/policy/policy_action.h"

namespace vigil {

std::optional<PolicyAction> parse_policy_action(std::string_view s) {
  if (s == "block") return PolicyAction::Block;
  if (s == "warn") return PolicyAction::Warn;
  if (s == "off") return PolicyAction::Off;
  return std::nullopt;
}

Disposition policy_disposition(PolicyAction action, Mode settings_mode) {
  if (settings_mode == Mode::Observe) return Disposition::Observe;
  if (action == PolicyAction::Block && settings_mode == Mode::Enforce) return Disposition::Block;
  return Disposition::Warn;
}

Finding policy_finding(std::string_view rule_id, std::string_view rule_name, std::string_view path,
                       PolicyAction action, Mode settings_mode, std::string problem, std::string reason) {
  Finding f;
  f.rule_id = std::string(rule_id);
  f.rule_name = std::string(rule_name);
  f.severity = action == PolicyAction::Block ? Severity::High : Severity::Medium;
  f.confidence = Confidence::High;  // a policy check is exact, not a guess
  f.tags = {"policy"};
  f.path = std::string(path);
  f.excerpt = std::move(problem);
  f.note = std::move(reason);
  f.disposition = policy_disposition(action, settings_mode);
  f.fingerprint = fingerprint(rule_id, path);
  return f;
}

}  // namespace vigil
