// EvidenceTrends: what `vigil report --db` adds to the governance report — per repository and per
// team trends (pass rate, blocks by rule, time to fix, waiver hygiene, bypasses by pusher) and the
// metrics teams steer by, each against its target and alert threshold ([report] in the policy),
// week by week.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "detectors/policy/report_settings.h"

namespace vigil::evidence {

struct PeriodStats {
  std::size_t runs = 0, passed = 0, blocked = 0, bypassed = 0;
  std::size_t findings = 0;
  std::size_t false_positives = 0;  // findings closed by a waiver or inline allow of kind false-positive
  std::size_t protected_high = 0;   // critical/high findings in pushes that reached a protected branch
  std::vector<double> fix_seconds;  // block → the same pusher's accepted push of the same ref
};

struct GroupTrend {
  PeriodStats total;
  std::map<std::string, PeriodStats> weeks;  // the Monday of each week, "YYYY-MM-DD"
  std::map<std::string, std::size_t> blocks_by_rule, bypasses_by_pusher;
  std::size_t waived = 0, waived_false_positive = 0, waived_accepted_risk = 0, waived_no_kind = 0;
  std::size_t inline_allows = 0, expired_waiver_hits = 0;
};

enum class KpiStatus { Green,
                       Amber,
                       Red,
                       NoData };
const char* to_string(KpiStatus s);

struct Kpi {
  std::string id, title, unit;  // unit: "%", "findings", "days"
  std::optional<double> value;
  double target = 0, alert = 0;
  bool higher_is_better = false;
  KpiStatus status = KpiStatus::NoData;
  std::vector<std::pair<std::string, std::optional<double>>> weekly;  // week → value
};

struct EvidenceTrends {
  GroupTrend all;
  std::map<std::string, GroupTrend> repos, teams;
  std::vector<Kpi> kpis;  // over every record
  ReportSettings settings;
};

/// Folds records (in time order) into trends.
class TrendFolder {
 public:
  explicit TrendFolder(ReportSettings settings) : settings_(std::move(settings)) {}
  void add(const nlohmann::json& record);
  EvidenceTrends finish();

 private:
  ReportSettings settings_;
  EvidenceTrends t_;
  std::map<std::string, double> pending_;  // repo, pusher, ref → time of the first unresolved block
};

/// The five metrics of `g`, each with its status against `s` and its weekly values.
std::vector<Kpi> kpis_of(const GroupTrend& g, const ReportSettings& s);

nlohmann::json trends_to_json(const EvidenceTrends& t);
std::string trends_to_text(const EvidenceTrends& t);
/// A <section> for the HTML page: a green/amber/red card per metric with its weekly trend.
std::string trends_to_html(const EvidenceTrends& t);

}  // namespace vigil::evidence
