#include "detectors/audit/governance_report.h"
#include "detectors/evidence/trends.h"

#include <algorithm>
#include <cstdio>

#include "detectors/policy/clock.h"
#include "detectors/util/glob.h"

namespace vigil::evidence {

namespace {

std::string str(const nlohmann::json& j, const char* key) { return record_string(j, key); }
std::optional<double> epoch_seconds(const std::string& t) { return record_epoch_seconds(t); }

// The Monday of the week of `time` ("" when it has no date). Day 0 (1970-01-01) was a Thursday.
std::string week_of(const std::string& time) {
  const auto d = parse_date(time);
  if (!d) return {};
  const long dow = ((d->days % 7) + 10) % 7;  // 0 = Monday
  return to_string(Date{static_cast<std::int32_t>(d->days - dow)});
}

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

std::optional<double> percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return std::nullopt;
  return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

KpiStatus judge(std::optional<double> v, double target, double alert, bool higher_is_better) {
  if (!v) return KpiStatus::NoData;
  if (higher_is_better) return *v >= target ? KpiStatus::Green : *v < alert ? KpiStatus::Red
                                                                            : KpiStatus::Amber;
  return *v <= target ? KpiStatus::Green : *v > alert ? KpiStatus::Red
                                                      : KpiStatus::Amber;
}

bool passed(const std::string& d) { return d == "accept"; }
bool blocked(const std::string& d) {
  return d == "reject" || d == "timeout-reject" || d == "error-reject" || d == "limit-reject";
}
bool landed(const std::string& d) {
  return d == "accept" || d == "bypass" || d == "timeout-accept" || d == "error-accept" || d == "limit-accept";
}

}  // namespace

const char* to_string(KpiStatus s) {
  switch (s) {
    case KpiStatus::Green: return "green";
    case KpiStatus::Amber: return "amber";
    case KpiStatus::Red: return "red";
    case KpiStatus::NoData: return "no data";
  }
  return "no data";
}

void TrendFolder::add(const nlohmann::json& rec) {
  if (!rec.is_object()) return;
  const std::string time = str(rec, "time"), repo_raw = str(rec, "repo"), decision = str(rec, "decision");
  const std::string repo = repo_raw.empty() ? "(unknown)" : repo_raw;
  const std::string pusher = str(rec, "pusher");
  std::vector<GroupTrend*> groups{&t_.all, &t_.repos[repo]};
  bool in_team = false;
  for (const auto& [team, globs] : settings_.teams) {
    if (std::any_of(globs.begin(), globs.end(), [&](const std::string& g) { return glob_match(g, repo); })) {
      groups.push_back(&t_.teams[team]);
      in_team = true;
    }
  }
  if (!in_team && !settings_.teams.empty()) groups.push_back(&t_.teams["(no team)"]);
  const std::string week = week_of(time);
  auto each = [&](auto&& fn) {
    for (auto* g : groups) {
      fn(g->total, *g);
      if (!week.empty()) fn(g->weeks[week], *g);
    }
  };
  const bool is_bypass = decision == "bypass";
  each([&](PeriodStats& p, GroupTrend&) {
    ++p.runs;
    if (passed(decision)) ++p.passed;
    if (blocked(decision)) ++p.blocked;
    if (is_bypass) ++p.bypassed;
  });
  if (is_bypass) {
    std::string by = pusher;
    if (const auto b = rec.find("bypass"); b != rec.end() && b->is_object() && !str(*b, "by").empty()) by = str(*b, "by");
    for (auto* g : groups) ++g->bypasses_by_pusher[by.empty() ? "(unknown)" : by];
  }
  // Did this push reach a protected branch?
  bool to_protected = false;
  const auto ups = rec.find("updates");
  if (landed(decision) && ups != rec.end() && ups->is_array()) {
    for (const auto& u : *ups) {
      const std::string ref = u.is_object() ? str(u, "ref") : "";
      if (std::any_of(settings_.protected_branches.begin(), settings_.protected_branches.end(),
                      [&](const std::string& g) { return glob_match(g, ref); })) {
        to_protected = true;
      }
    }
  }
  if (const auto fs = rec.find("findings"); fs != rec.end() && fs->is_array()) {
    for (const auto& f : *fs) {
      if (!f.is_object()) continue;
      const std::string disp = str(f, "disposition"), kind = str(f, "kind"), sev = str(f, "severity"), note = str(f, "note");
      const bool fp = (disp == "waived" || disp == "allowed") && kind == "false-positive";
      const bool high = sev == "critical" || sev == "high";
      each([&](PeriodStats& p, GroupTrend&) {
        ++p.findings;
        if (fp) ++p.false_positives;
        if (to_protected && high && !fp) ++p.protected_high;
      });
      for (auto* g : groups) {
        if (disp == "block") ++g->blocks_by_rule[str(f, "rule")];
        if (disp == "waived") {
          ++g->waived;
          ++(kind == "false-positive" ? g->waived_false_positive : kind == "accepted-risk" ? g->waived_accepted_risk
                                                                                           : g->waived_no_kind);
        }
        if (disp == "allowed" && note.rfind("vigil:allow", 0) == 0) ++g->inline_allows;
        if (note.find(" expired on ") != std::string::npos) ++g->expired_waiver_hits;
      }
    }
  }
  // Time to fix, as the governance report counts it, attributed to the week of the fix.
  const auto t = epoch_seconds(time);
  if (!t || ups == rec.end() || !ups->is_array()) return;
  for (const auto& u : *ups) {
    const std::string key = repo + '\x1f' + pusher + '\x1f' + (u.is_object() ? str(u, "ref") : "");
    const auto p = pending_.find(key);
    if (blocked(decision)) {
      if (p == pending_.end()) pending_.emplace(key, *t);
    } else if (p != pending_.end() && passed(decision)) {
      const double secs = *t - p->second;
      each([&](PeriodStats& ps, GroupTrend&) { ps.fix_seconds.push_back(secs); });
      pending_.erase(p);
    } else if (p != pending_.end() && is_bypass) {
      pending_.erase(p);
    }
  }
}

std::vector<Kpi> kpis_of(const GroupTrend& g, const ReportSettings& s) {
  struct Def {
    const char* id;
    const char* title;
    const char* unit;
    double target, alert;
    bool higher;
    std::optional<double> (*value)(const PeriodStats&);
  };
  const Def defs[] = {
      {"pass_rate", "Gate pass rate", "%", s.pass_rate_target, s.pass_rate_alert, true,
       [](const PeriodStats& p) { return percent(p.passed, p.runs); }},
      {"false_positive_rate", "False-positive rate", "%", s.false_positive_target, s.false_positive_alert, false,
       [](const PeriodStats& p) { return percent(p.false_positives, p.findings); }},
      {"protected_findings", "Critical/high findings that reached a protected branch", "findings", s.protected_findings_target,
       s.protected_findings_alert, false,
       [](const PeriodStats& p) { return p.runs ? std::optional<double>(static_cast<double>(p.protected_high)) : std::nullopt; }},
      {"time_to_remediate", "Time to remediate (median, block to fixed push)", "days", s.remediate_target_days,
       s.remediate_alert_days, false,
       [](const PeriodStats& p) {
         const auto m = median(p.fix_seconds);
         return m ? std::optional<double>(*m / 86400.0) : std::nullopt;
       }},
      {"escalation_rate", "Escalation rate (blocked pushes bypassed instead of fixed)", "%", s.escalation_target,
       s.escalation_alert, false, [](const PeriodStats& p) { return percent(p.bypassed, p.blocked + p.bypassed); }},
  };
  std::vector<Kpi> out;
  for (const auto& d : defs) {
    Kpi k;
    k.id = d.id;
    k.title = d.title;
    k.unit = d.unit;
    k.target = d.target;
    k.alert = d.alert;
    k.higher_is_better = d.higher;
    k.value = d.value(g.total);
    k.status = judge(k.value, d.target, d.alert, d.higher);
    for (const auto& [week, p] : g.weeks) k.weekly.emplace_back(week, d.value(p));
    out.push_back(std::move(k));
  }
  return out;
}

EvidenceTrends TrendFolder::finish() {
  t_.settings = settings_;
  t_.kpis = kpis_of(t_.all, settings_);
  return std::move(t_);
}

}  // namespace vigil::evidence
