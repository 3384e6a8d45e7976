#include "detectors/policy/report_settings.h"
#include "detectors/policy/report_toml.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/rules/rule_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

struct NumberKey {
  const char* key;
  double ReportSettings::*field;
  double max;  // percentages stop at 100; days and counts at a bound that catches a typo
};

constexpr NumberKey kNumbers[] = {
    {"pass_rate_target", &ReportSettings::pass_rate_target, 100},
    {"pass_rate_alert", &ReportSettings::pass_rate_alert, 100},
    {"false_positive_target", &ReportSettings::false_positive_target, 100},
    {"false_positive_alert", &ReportSettings::false_positive_alert, 100},
    {"protected_findings_target", &ReportSettings::protected_findings_target, 1e9},
    {"protected_findings_alert", &ReportSettings::protected_findings_alert, 1e9},
    {"remediate_target_days", &ReportSettings::remediate_target_days, 3650},
    {"remediate_alert_days", &ReportSettings::remediate_alert_days, 3650},
    {"escalation_target", &ReportSettings::escalation_target, 100},
    {"escalation_alert", &ReportSettings::escalation_alert, 100},
};

Result<std::vector<std::string>> string_list(std::string_view path, const toml::node& v, std::string_view what) {
  const auto* arr = v.as_array();
  if (!arr) return bad(path, v, fmt::format("{} must be an array of strings", what));
  std::vector<std::string> out;
  for (const auto& el : *arr) {
    const auto s = el.value<std::string>();
    if (!s || s->empty()) return bad(path, el, fmt::format("{} must be an array of non-empty strings", what));
    if (auto e = glob_error(*s)) return bad(path, el, *e);
    out.push_back(*s);
  }
  return out;
}

}  // namespace

Result<void> parse_report_settings(const toml::node& node, std::string_view path, ReportSettings& s) {
  const auto* t = node.as_table();
  if (!t) return bad(path, node, "[report] must be a table");
  s.configured = true;
  std::vector<std::string> keys = {"protected_branches", "teams"};
  for (const auto& n : kNumbers) keys.emplace_back(n.key);
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    const auto num = std::find_if(std::begin(kNumbers), std::end(kNumbers), [&](const NumberKey& n) { return key == n.key; });
    if (num != std::end(kNumbers)) {
      const auto d = v.value<double>();
      if (!d || *d < 0 || *d > num->max) {
        return bad(path, v, fmt::format("report.{} must be a number from 0 to {}", key, num->max));
      }
      s.*(num->field) = *d;
    } else if (key == "protected_branches") {
      auto l = string_list(path, v, "report.protected_branches");
      if (!l) return l.error();
      s.protected_branches = std::move(*l);
    } else if (key == "teams") {
      const auto* tt = v.as_table();
      if (!tt) return bad(path, v, "[report.teams] must be a table: team = [\"repository glob\", ...]");
      for (const auto& [team, globs] : *tt) {
        auto l = string_list(path, globs, fmt::format("report.teams.{}", team.str()));
        if (!l) return l.error();
        s.teams[std::string(team.str())] = std::move(*l);
      }
    } else {
      const auto sug = suggest(key, keys);
      return bad(path, v, fmt::format("unknown key '{}' in [report]{}", key, sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
    }
  }
  // The thresholds must bracket the target the right way round, or every status is wrong.
  if (s.pass_rate_alert > s.pass_rate_target) {
    return bad(path, node, "report.pass_rate_alert is above pass_rate_target — the alert is the lower bound (e.g. 90 with a target of 95)");
  }
  for (const auto& [target, alert, name] : {std::tuple{s.false_positive_target, s.false_positive_alert, "false_positive"},
                                            std::tuple{s.protected_findings_target, s.protected_findings_alert, "protected_findings"},
                                            std::tuple{s.remediate_target_days, s.remediate_alert_days, "remediate"},
                                            std::tuple{s.escalation_target, s.escalation_alert, "escalation"}}) {
    if (alert < target) {
      return bad(path, node, fmt::format("report.{0}_alert is below its target — the alert is the upper bound", name));
    }
  }
  return {};
}

void merge_report_settings(ReportSettings& out, const ReportSettings& floor, const ReportSettings& repo,
                           std::vector<std::string>& notes) {
  out = floor;
  if (!repo.configured) return;
  auto looser = [&](const char* key, double floor_v, double repo_v) {
    notes.push_back(fmt::format("ignored: [report] {} = {} of the repository (the server's {} is stricter)", key, repo_v, floor_v));
  };
  // Higher is stricter for the pass rate; lower for every other metric.
  auto higher = [&](double& o, double f, double r, const char* key) {
    if (r < f) looser(key, f, r);
    o = std::max(f, r);
  };
  auto lower = [&](double& o, double f, double r, const char* key) {
    if (r > f) looser(key, f, r);
    o = std::min(f, r);
  };
  higher(out.pass_rate_target, floor.pass_rate_target, repo.pass_rate_target, "pass_rate_target");
  higher(out.pass_rate_alert, floor.pass_rate_alert, repo.pass_rate_alert, "pass_rate_alert");
  lower(out.false_positive_target, floor.false_positive_target, repo.false_positive_target, "false_positive_target");
  lower(out.false_positive_alert, floor.false_positive_alert, repo.false_positive_alert, "false_positive_alert");
  lower(out.protected_findings_target, floor.protected_findings_target, repo.protected_findings_target, "protected_findings_target");
  lower(out.protected_findings_alert, floor.protected_findings_alert, repo.protected_findings_alert, "protected_findings_alert");
  lower(out.remediate_target_days, floor.remediate_target_days, repo.remediate_target_days, "remediate_target_days");
  lower(out.remediate_alert_days, floor.remediate_alert_days, repo.remediate_alert_days, "remediate_alert_days");
  lower(out.escalation_target, floor.escalation_target, repo.escalation_target, "escalation_target");
  lower(out.escalation_alert, floor.escalation_alert, repo.escalation_alert, "escalation_alert");
  for (const auto& b : repo.protected_branches) {
    if (std::find(out.protected_branches.begin(), out.protected_branches.end(), b) == out.protected_branches.end()) {
      out.protected_branches.push_back(b);
    }
  }
  if (!repo.teams.empty() && repo.teams != floor.teams) {
    notes.push_back("ignored: [report.teams] of the repository (teams are the server's to define)");
  }
  out.configured = true;
}

}  // namespace vigil
