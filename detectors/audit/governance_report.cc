#include "detectors/audit/governance_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "detectors/audit/audit_log.h"
#include "detectors/policy/compliance.h"

namespace vigil {

std::string record_string(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> record_epoch_seconds(const std::string& t) {
  const auto d = parse_date(t);
  if (!d) return std::nullopt;
  int h = 0, m = 0, s = 0;
  if (t.size() >= 19 && std::sscanf(t.c_str() + 11, "%2d:%2d:%2d", &h, &m, &s) != 3) return std::nullopt;
  return static_cast<double>(d->days) * 86400.0 + h * 3600.0 + m * 60.0 + s;
}

namespace {

std::string str(const nlohmann::json& j, const char* key) { return record_string(j, key); }
std::optional<double> epoch_seconds(const std::string& t) { return record_epoch_seconds(t); }

enum class Outcome { Passed,
                     Blocked,
                     Bypassed,
                     FailedOpen,
                     Other };

Outcome outcome_of(const std::string& decision) {
  if (decision == "accept") return Outcome::Passed;
  if (decision == "reject" || decision == "timeout-reject" || decision == "error-reject" || decision == "limit-reject") {
    return Outcome::Blocked;
  }
  if (decision == "bypass") return Outcome::Bypassed;
  if (decision == "timeout-accept" || decision == "error-accept" || decision == "limit-accept") return Outcome::FailedOpen;
  return Outcome::Other;
}

// "waived by waiver 'X' (f:1) (owner ...": the waiver's label.
std::string waiver_label(const std::string& note) {
  constexpr std::string_view kPrefix = "waived by ";
  if (note.rfind(kPrefix, 0) != 0) return "(unnamed)";
  const auto end = note.find(" (owner ");
  return note.substr(kPrefix.size(), end == std::string::npos ? std::string::npos : end - kPrefix.size());
}

}  // namespace

std::optional<double> GovernanceMetrics::median_fix_seconds() const {
  if (fix_seconds.empty()) return std::nullopt;
  auto v = fix_seconds;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

namespace {

std::size_t count_of(const nlohmann::json& obj, const char* key) {
  const auto it = obj.find(key);
  return it != obj.end() && it->is_number_unsigned() ? it->get<std::size_t>() : 0;
}

// One record's AI activity: the counts of a push that landed, and the ai.* findings that blocked.
AiActivity record_ai(const nlohmann::json& rec, bool landed) {
  AiActivity a;
  if (const auto it = rec.find("ai"); landed && it != rec.end() && it->is_object()) {
    a.assisted = count_of(*it, "assisted");
    a.escalated = count_of(*it, "escalated");
    a.approved = count_of(*it, "approved");
  }
  if (const auto it = rec.find("findings"); it != rec.end() && it->is_array()) {
    for (const auto& f : *it) {
      if (!f.is_object() || str(f, "disposition") != "block") continue;
      if (str(f, "rule") == "ai.unapproved") ++a.unapproved_blocks;
      if (str(f, "rule") == "ai.undisclosed") ++a.undisclosed_blocks;
    }
  }
  return a;
}

bool any_ai(const AiActivity& a) { return a.assisted + a.escalated + a.unapproved_blocks + a.undisclosed_blocks > 0; }

void add_ai(AiActivity& t, const AiActivity& a) {
  t.assisted += a.assisted;
  t.escalated += a.escalated;
  t.approved += a.approved;
  t.unapproved_blocks += a.unapproved_blocks;
  t.undisclosed_blocks += a.undisclosed_blocks;
}

nlohmann::json ai_json(const AiActivity& a) {
  return {{"assisted", a.assisted}, {"escalated", a.escalated}, {"approved", a.approved}, {"unapproved_blocks", a.unapproved_blocks}, {"undisclosed_blocks", a.undisclosed_blocks}};
}

}  // namespace

GovernanceMetrics compute_metrics(std::vector<nlohmann::json> records, const ReportWindow& window) {
  std::stable_sort(records.begin(), records.end(),
                   [](const nlohmann::json& a, const nlohmann::json& b) { return str(a, "time") < str(b, "time"); });
  std::size_t next = 0;
  return fold_metrics(
      [&](nlohmann::json& rec) {
        if (next == records.size()) return false;
        rec = std::move(records[next++]);
        return true;
      },
      window);
}

GovernanceMetrics fold_metrics(const std::function<bool(nlohmann::json&)>& next_record, const ReportWindow& window) {
  GovernanceMetrics m;
  if (window.since) m.since = to_string(*window.since);
  if (window.until) m.until = to_string(*window.until);
  std::map<std::string, double> pending;  // repo, pusher, ref -> time of the first unresolved block
  nlohmann::json rec;
  while (next_record(rec)) {
    if (!rec.is_object()) continue;
    const std::string time = str(rec, "time"), hook = str(rec, "hook"), repo = str(rec, "repo");
    const Outcome o = outcome_of(str(rec, "decision"));
    ++m.runs;
    ++m.runs_by_hook[hook.empty() ? "(unknown)" : hook];
    const std::string day = time.size() >= 10 ? time.substr(0, 10) : "";
    DayCounts* dc = day.empty() ? nullptr : &m.by_day[day];
    switch (o) {
      case Outcome::Passed:
        ++m.passed;
        if (dc) ++dc->passed;
        break;
      case Outcome::Blocked:
        ++m.blocked;
        if (dc) ++dc->blocked;
        break;
      case Outcome::Bypassed:
        ++m.bypassed;
        if (dc) ++dc->bypassed;
        break;
      case Outcome::FailedOpen:
        ++m.failed_open;
        if (dc) ++dc->other;
        break;
      case Outcome::Other:
        ++m.other;
        if (dc) ++dc->other;
        break;
    }
    if (const auto ai = record_ai(rec, o == Outcome::Passed || o == Outcome::Bypassed); any_ai(ai)) {
      add_ai(m.ai, ai);
      if (!day.empty()) add_ai(m.ai_by_day[day], ai);
    }
    const std::string rv = str(rec, "rules_version"), vv = str(rec, "vigil_version");
    ++m.rules_versions[rv.empty() ? "(none)" : rv];
    ++m.vigil_versions[vv.empty() ? "(none)" : vv];
    for (const auto& c : gate_controls(hook)) ++m.controls[c].gate_runs;

    std::size_t bypassed_findings = 0;
    std::set<std::string> bypassed_rules;
    if (const auto it = rec.find("findings"); it != rec.end() && it->is_array()) {
      for (const auto& f : *it) {
        if (!f.is_object()) continue;
        const std::string rule = str(f, "rule"), disp = str(f, "disposition"), note = str(f, "note");
        ++m.findings_by_repo[repo.empty() ? "(unknown)" : repo];
        std::vector<std::string> tags;
        if (const auto t = f.find("tags"); t != f.end() && t->is_array()) {
          for (const auto& x : *t) {
            if (x.is_string()) tags.push_back(x.get<std::string>());
          }
        }
        for (const auto& c : finding_controls(tags)) {
          ++m.controls[c].findings;
          if (disp == "block") ++m.controls[c].blocks;
        }
        if (disp == "block") {
          ++m.blocks_by_rule[rule];
          ++m.blocks_by_severity[str(f, "severity")];
        } else if (disp == "waived") {
          ++m.waived;
          ++m.waivers_used[waiver_label(note)];
        } else if (disp == "allowed") {
          ++(note.rfind("vigil:allow", 0) == 0 ? m.inline_allows : m.config_allows);
        } else if (disp == "bypassed") {
          ++bypassed_findings;
          bypassed_rules.insert(rule);
        }
        if (note.find(" expired on ") != std::string::npos) ++m.expired_waiver_hits;
        if (note.find("vigil:allow not honoured") != std::string::npos) ++m.inline_refused;
      }
    }
    if (o == Outcome::Bypassed) {
      BypassEvent b;
      b.time = time;
      b.hook = hook;
      b.repo = repo;
      b.findings = bypassed_findings;
      b.by = str(rec, "pusher");
      b.via = hook == "pre-receive" || hook == "update" ? "push option" : "VIGIL_SKIP";
      if (const auto it = rec.find("bypass"); it != rec.end() && it->is_object()) {
        if (!str(*it, "by").empty()) b.by = str(*it, "by");
        b.reason = str(*it, "reason");
        if (!str(*it, "via").empty()) b.via = str(*it, "via");
        if (const auto r = it->find("rules"); r != it->end() && r->is_array()) {
          for (const auto& x : *r) {
            if (x.is_string()) bypassed_rules.insert(x.get<std::string>());
          }
        }
      }
      b.rules.assign(bypassed_rules.begin(), bypassed_rules.end());
      m.bypasses.push_back(std::move(b));
    }
    // Time to fix: the same pusher pushing the same ref of the same repository, from its first
    // rejected push to the next accepted one. A bypass ends the wait without a fix.
    const auto t = epoch_seconds(time);
    const auto ups = rec.find("updates");
    if (!t || ups == rec.end() || !ups->is_array()) continue;
    for (const auto& u : *ups) {
      const std::string key = repo + '\x1f' + str(rec, "pusher") + '\x1f' + str(u, "ref");
      const auto p = pending.find(key);
      if (o == Outcome::Blocked) {
        if (p == pending.end()) pending.emplace(key, *t);
      } else if (p != pending.end() && o == Outcome::Passed) {
        m.fix_seconds.push_back(*t - p->second);
        pending.erase(p);
      } else if (p != pending.end() && o == Outcome::Bypassed) {
        ++m.resolved_by_bypass;
        pending.erase(p);
      }
    }
  }
  m.unresolved_blocks = pending.size();
  return m;
}

Result<nlohmann::json> read_scan_result(const std::string& path, std::size_t& skipped) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read the scan result '{}' — check the path", path));
  nlohmann::json rec = {{"hook", "scan"}, {"repo", path}, {"decision", "accept"}, {"findings", nlohmann::json::array()}};
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ++skipped;
      continue;
    }
    const std::string type = str(j, "type");
    const auto& data = j.contains("data") ? j["data"] : j;
    if (type == "finding") {
      rec["findings"].push_back(data);
    } else if (type == "summary") {
      if (data.value("blocked", false)) rec["decision"] = "reject";
      if (!str(data, "rules_version").empty()) rec["rules_version"] = str(data, "rules_version");
      if (!str(data, "vigil_version").empty()) rec["vigil_version"] = str(data, "vigil_version");
      if (!str(data, "target").empty()) rec["target"] = str(data, "target");
    }
  }
  return rec;
}

Result<GovernanceMetrics> load_metrics(const std::vector<std::string>& audit_logs,
                                       const std::vector<std::string>& scan_results, const ReportWindow& window) {
  std::vector<nlohmann::json> records;
  std::vector<LogIntegrity> logs;
  std::size_t skipped = 0;
  auto in_window = [&](const std::string& time) {
    const auto d = parse_date(time);
    if (!d) return !window.since && !window.until;
    return (!window.since || *d >= *window.since) && (!window.until || *d <= *window.until);
  };
  for (const auto& path : audit_logs) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read the audit log '{}' — check the path", path));
    LogIntegrity li{path, 0, "not chained"};
    bool chained = false;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      ++li.records;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        ++skipped;
        continue;
      }
      chained = chained || j.contains("prev");
      if (in_window(str(j, "time"))) records.push_back(std::move(j));
    }
    if (chained) {
      // Evidence is worth what its integrity is: say whether the chain holds.
      auto v = audit_verify(path);
      li.status = !v ? v.error().message : v->ok ? "intact"
                                                 : "FAILED: " + v->problem;
    }
    logs.push_back(std::move(li));
  }
  for (const auto& path : scan_results) {
    auto rec = read_scan_result(path, skipped);
    if (!rec) return rec.error();
    records.push_back(std::move(*rec));
  }
  auto m = compute_metrics(std::move(records), window);
  m.logs = std::move(logs);
  m.skipped_records = skipped;
  return m;
}

std::string human_duration(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 86400) return fmt::format("{}d {:02}h", s / 86400, (s % 86400) / 3600);
  if (s >= 3600) return fmt::format("{}h {:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m {:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

nlohmann::json metrics_to_json(const GovernanceMetrics& m) {
  nlohmann::json bypasses = nlohmann::json::array();
  for (const auto& b : m.bypasses) {
    bypasses.push_back({{"time", b.time}, {"hook", b.hook}, {"repo", b.repo}, {"by", b.by}, {"reason", b.reason}, {"via", b.via}, {"rules", b.rules}, {"findings", b.findings}});
  }
  nlohmann::json controls = nlohmann::json::object();
  for (const auto& [tag, e] : m.controls) {
    controls[tag] = {{"title", control_title(tag)}, {"gate_runs", e.gate_runs}, {"findings", e.findings}, {"blocks", e.blocks}};
  }
  nlohmann::json days = nlohmann::json::object();
  for (const auto& [d, c] : m.by_day) {
    days[d] = {{"passed", c.passed}, {"blocked", c.blocked}, {"bypassed", c.bypassed}, {"other", c.other}};
  }
  nlohmann::json ai = ai_json(m.ai);
  ai["by_day"] = nlohmann::json::object();
  for (const auto& [d, a] : m.ai_by_day) ai["by_day"][d] = ai_json(a);
  nlohmann::json logs = nlohmann::json::array();
  for (const auto& l : m.logs) logs.push_back({{"path", l.path}, {"records", l.records}, {"integrity", l.status}});
  nlohmann::json fix = {{"resolved", m.fix_seconds.size()},
                        {"resolved_by_bypass", m.resolved_by_bypass},
                        {"unresolved", m.unresolved_blocks}};
  if (const auto med = m.median_fix_seconds()) fix["median_seconds"] = *med;
  return {
      {"window", {{"since", m.since}, {"until", m.until}}},
      {"gate_runs", {{"total", m.runs}, {"passed", m.passed}, {"blocked", m.blocked}, {"bypassed", m.bypassed}, {"failed_open", m.failed_open}, {"other", m.other}, {"by_hook", m.runs_by_hook}}},
      {"pass_rate", m.pass_rate()},
      {"blocks_by_rule", m.blocks_by_rule},
      {"blocks_by_severity", m.blocks_by_severity},
      {"bypasses", bypasses},
      {"waivers", {{"waived_findings", m.waived}, {"inline_allows", m.inline_allows}, {"config_allows", m.config_allows}, {"expired_waiver_hits", m.expired_waiver_hits}, {"inline_allows_refused", m.inline_refused}, {"used", m.waivers_used}}},
      {"findings_by_repo", m.findings_by_repo},
      {"time_to_fix", fix},
      {"controls", controls},
      {"rules_versions", m.rules_versions},
      {"vigil_versions", m.vigil_versions},
      {"by_day", days},
      {"ai", ai},
      {"logs", logs},
      {"unreadable_records", m.skipped_records},
  };
}

namespace {

template <class Map>
std::vector<std::pair<std::string, std::size_t>> top(const Map& m, std::size_t n) {
  std::vector<std::pair<std::string, std::size_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

}  // namespace

std::string metrics_to_text(const GovernanceMetrics& m) {
  std::string o;
  auto line = [&](const std::string& s) { o += s + "\n"; };
  line(fmt::format("vigil governance report  {} .. {}", m.since.empty() ? "start" : m.since,
                   m.until.empty() ? "now" : m.until));
  line(fmt::format("gate runs: {}  passed {}  blocked {}  bypassed {}  failed open {}  other {}", m.runs, m.passed,
                   m.blocked, m.bypassed, m.failed_open, m.other));
  line(fmt::format("pass rate: {:.1f}%", 100.0 * m.pass_rate()));
  line("blocks by rule:");
  for (const auto& [r, n] : top(m.blocks_by_rule, 20)) line(fmt::format("  {:<32} {}", r, n));
  line("blocks by severity:");
  for (const char* s : {"critical", "high", "medium", "low", "info"}) {
    if (const auto it = m.blocks_by_severity.find(s); it != m.blocks_by_severity.end()) line(fmt::format("  {:<32} {}", s, it->second));
  }
  line(fmt::format("bypasses: {}", m.bypasses.size()));
  for (const auto& b : m.bypasses) {
    line(fmt::format("  {}  {}  {} by {} ({}): {}", b.time, b.hook, b.repo, b.by, b.via, b.reason));
  }
  line(fmt::format("waivers: {} waived findings, {} inline allows, {} config allows, {} hits on expired waivers, "
                   "{} inline allows refused",
                   m.waived, m.inline_allows, m.config_allows, m.expired_waiver_hits,
                   m.inline_refused));
  line("repositories with the most findings:");
  for (const auto& [r, n] : top(m.findings_by_repo, 10)) line(fmt::format("  {:<40} {}", r, n));
  const auto med = m.median_fix_seconds();
  line(fmt::format("time from block to fixed push: median {} over {} fixed; {} ended by bypass, {} still blocked",
                   med ? human_duration(*med) : "n/a", m.fix_seconds.size(), m.resolved_by_bypass, m.unresolved_blocks));
  line(fmt::format("AI-assisted commits landed: {}  escalated: {}  approved by a human: {}  refused: {} unapproved, "
                   "{} undisclosed",
                   m.ai.assisted, m.ai.escalated, m.ai.approved, m.ai.unapproved_blocks,
                   m.ai.undisclosed_blocks));
  for (const auto& [d, a] : m.ai_by_day) {
    line(fmt::format("  {}  assisted {}  escalated {}  approved {}  refused {}", d, a.assisted, a.escalated, a.approved,
                     a.unapproved_blocks + a.undisclosed_blocks));
  }
  line("evidence by control (gate runs / findings / blocks):");
  for (const auto& [tag, e] : m.controls) {
    line(fmt::format("  {:<18} {:>5} {:>5} {:>5}  {}", tag, e.gate_runs, e.findings, e.blocks, control_title(tag)));
  }
  std::string rv;
  for (const auto& [v, n] : m.rules_versions) rv += fmt::format("{}{} ({})", rv.empty() ? "" : ", ", v, n);
  std::string vv;
  for (const auto& [v, n] : m.vigil_versions) vv += fmt::format("{}{} ({})", vv.empty() ? "" : ", ", v, n);
  line("rules versions: " + rv);
  line("vigil versions: " + vv);
  for (const auto& l : m.logs) line(fmt::format("log {}: {} records, {}", l.path, l.records, l.status));
  return o;
}

}  // namespace vigil
