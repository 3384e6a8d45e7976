// ReportSettings: the [report] table of the server policy — the targets and alert thresholds of
// the metrics `vigil report` steers by, which branches count as protected, and which
// repositories make up each team.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/util/result.h"

namespace vigil {

/// Percentages are 0..100. "target" is where a metric is green; past "alert" it is red; between
/// the two, amber. Defaults are the usual DevSecOps guidance.
struct ReportSettings {
  double pass_rate_target = 95.0;          // % of gate runs that pass: green above
  double pass_rate_alert = 90.0;           // red below
  double false_positive_target = 10.0;     // % of findings closed as false positives: green below
  double false_positive_alert = 25.0;      // red above
  double protected_findings_target = 0.0;  // critical/high findings that reached a protected branch
  double protected_findings_alert = 0.0;   // red above
  double remediate_target_days = 1.0;      // median time from a block to the fixed push: green below
  double remediate_alert_days = 3.0;       // red above
  double escalation_target = 5.0;          // % of blocked pushes escalated (bypassed) instead of fixed
  double escalation_alert = 15.0;          // red above
  std::vector<std::string> protected_branches = {"refs/heads/main", "refs/heads/master", "refs/heads/release/*"};
  std::map<std::string, std::vector<std::string>> teams;  // team → repository globs
  bool configured = false;                                // a [report] table was given
};

/// The floor's [report] tightened by a repository's: each target and alert the stricter of both,
/// protected branches the union, teams the floor's. What was looser is noted.
void merge_report_settings(ReportSettings& out, const ReportSettings& floor, const ReportSettings& repo,
                           std::vector<std::string>& notes);

}  // namespace vigil
