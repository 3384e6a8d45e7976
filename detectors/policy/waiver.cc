#include "detectors/policy/waiver.h"

#include <fmt/format.h>

#include "detectors/util/glob.h"

namespace vigil {

std::string Waiver::label() const {
  return id.empty() ? "waiver at " + where : fmt::format("waiver '{}' at {}", id, where);
}

bool valid_exception_kind(std::string_view kind) { return kind == "false-positive" || kind == "accepted-risk"; }

bool waiver_matches(const Waiver& w, const Finding& f) {
  if (!w.fingerprint.empty() && w.fingerprint != f.fingerprint) return false;
  if (!w.rule.empty() && w.rule != f.rule_id) return false;
  if (!w.path.empty() && !glob_match(w.path, f.path)) return false;
  return !w.fingerprint.empty() || !w.rule.empty();
}

const Waiver* find_waiver(const std::vector<Waiver>& waivers, const Finding& f, Date today, bool& expired) {
  const Waiver* stale = nullptr;
  for (const auto& w : waivers) {
    if (!waiver_matches(w, f)) continue;
    if (today <= w.expires) {
      expired = false;
      return &w;
    }
    if (!stale) stale = &w;
  }
  expired = stale != nullptr;
  return stale;
}

std::vector<std::string> waiver_policy_problems(const Waiver& w, const GovernanceSettings& g) {
  std::vector<std::string> out;
  if (g.waiver_max_days) {
    if (!w.created) {
      out.push_back(fmt::format("needs 'created' (the policy limits waivers to {} days)", *g.waiver_max_days));
    } else if (days_between(*w.created, w.expires) > *g.waiver_max_days) {
      out.push_back(fmt::format("spans {} days ({} to {}); the policy allows at most {} (waiver_max_days)",
                                days_between(*w.created, w.expires), to_string(*w.created), to_string(w.expires),
                                *g.waiver_max_days));
    }
  }
  for (const auto& re : g.waiver_reason_regexes) {
    if (!re.search(w.reason)) {
      out.push_back(fmt::format("reason must match /{}/ (waiver_reason_regex), e.g. cite a ticket", re.pattern()));
    }
  }
  return out;
}

std::string rule_family(std::string_view rule_id) {
  const auto dot = rule_id.find('.');
  return std::string(dot == std::string_view::npos ? rule_id : rule_id.substr(0, dot));
}

}  // namespace vigil
