// GovernanceReport: metrics over audit trails (and CI scan results) for `vigil report` — gate
// pass rate, blocks by rule and severity, bypasses, waiver hygiene, busiest repositories, time
// from a block to the fixed push, and evidence grouped by compliance control.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "detectors/policy/clock.h"
#include "detectors/util/result.h"

namespace vigil {

struct ReportWindow {
  std::optional<Date> since;  // inclusive
  std::optional<Date> until;  // inclusive
};

struct BypassEvent {
  std::string time, hook, repo, by, reason, via;
  std::vector<std::string> rules;
  std::size_t findings = 0;
};

struct ControlEvidence {
  std::size_t gate_runs = 0;  // gate runs that evidence the control
  std::size_t findings = 0;   // findings tagged with it
  std::size_t blocks = 0;     // of which blocked
};

struct DayCounts {
  std::size_t passed = 0, blocked = 0, bypassed = 0, other = 0;
};

/// AI-assisted changes (the audit records' "ai" counts and the ai.* findings): what landed and
/// what the gate refused.
struct AiActivity {
  std::size_t assisted = 0;            // AI-assisted commits in accepted pushes
  std::size_t escalated = 0;           // of those, commits that changed a path of an [[ai.escalate]] entry
  std::size_t approved = 0;            // escalated commits a human member of the group approved
  std::size_t unapproved_blocks = 0;   // ai.unapproved findings that blocked a push
  std::size_t undisclosed_blocks = 0;  // ai.undisclosed findings that blocked a push
};

struct LogIntegrity {
  std::string path;
  std::size_t records = 0;
  std::string status;  // "intact", "not chained", or the problem
};

struct GovernanceMetrics {
  std::string since, until;  // the window as given ("" = open)
  std::size_t runs = 0, passed = 0, blocked = 0, bypassed = 0, failed_open = 0, other = 0;
  std::map<std::string, std::size_t> runs_by_hook;
  std::map<std::string, std::size_t> blocks_by_rule;
  std::map<std::string, std::size_t> blocks_by_severity;
  std::vector<BypassEvent> bypasses;
  std::size_t waived = 0, inline_allows = 0, config_allows = 0, expired_waiver_hits = 0, inline_refused = 0;
  std::map<std::string, std::size_t> waivers_used;  // waiver label -> findings it covered
  std::map<std::string, std::size_t> findings_by_repo;
  std::vector<double> fix_seconds;  // per block resolved by a later accepted push
  std::size_t resolved_by_bypass = 0, unresolved_blocks = 0;
  std::map<std::string, ControlEvidence> controls;
  std::map<std::string, std::size_t> rules_versions, vigil_versions;
  std::map<std::string, DayCounts> by_day;  // "YYYY-MM-DD"
  AiActivity ai;
  std::map<std::string, AiActivity> ai_by_day;  // "YYYY-MM-DD", days with any AI activity
  std::vector<LogIntegrity> logs;
  std::size_t skipped_records = 0;  // unreadable lines
  double pass_rate() const { return runs ? static_cast<double>(passed) / static_cast<double>(runs) : 0.0; }
  std::optional<double> median_fix_seconds() const;
};

/// Folds records (already filtered and sorted by time) into metrics.
GovernanceMetrics compute_metrics(std::vector<nlohmann::json> records, const ReportWindow& window);

/// The same over a stream of records already filtered and in time order (`next_record` fills its
/// argument and returns false at the end): `vigil report --db` folds millions of records this way
/// without holding them.
GovernanceMetrics fold_metrics(const std::function<bool(nlohmann::json&)>& next_record, const ReportWindow& window);

/// Reads audit logs (JSON Lines, hash-chained or not) and `vigil scan --format json` results,
/// keeps the records inside the window, and computes the metrics.
Result<GovernanceMetrics> load_metrics(const std::vector<std::string>& audit_logs,
                                       const std::vector<std::string>& scan_results, const ReportWindow& window);

/// One `vigil scan --format json` result as one record (hook "scan", repo = the file's path,
/// decision "reject" when it blocked, its findings); unreadable lines are counted in `skipped`.
Result<nlohmann::json> read_scan_result(const std::string& path, std::size_t& skipped);

nlohmann::json metrics_to_json(const GovernanceMetrics& m);
std::string metrics_to_text(const GovernanceMetrics& m);
/// One self-contained HTML page: inline CSS and SVG, no script, no external resource.
std::string metrics_to_html(const GovernanceMetrics& m);

/// "1h 05m", "45m 00s", "12s".
std::string human_duration(double seconds);

/// A string field of an audit record, or "" when it is missing or not a string.
std::string record_string(const nlohmann::json& j, const char* key);

/// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ" (UTC, as the hooks write it).
std::optional<double> record_epoch_seconds(const std::string& t);

/// Text made safe for HTML element content and attribute values.
std::string html_escape(std::string_view s);

}  // namespace vigil
