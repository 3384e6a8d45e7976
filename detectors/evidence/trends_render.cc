// Text, JSON and HTML of EvidenceTrends (the HTML is a section the report page embeds).
#include <fmt/format.h>

#include <algorithm>

#include "detectors/audit/governance_report.h"
#include "detectors/evidence/trends.h"

namespace vigil::evidence {

namespace {

std::string esc(std::string_view s) { return html_escape(s); }

std::string shown(const std::optional<double>& v, const std::string& unit) {
  if (!v) return "n/a";
  if (unit == "%") return fmt::format("{:.1f}%", *v);
  if (unit == "days") return fmt::format("{:.2f} d", *v);
  return fmt::format("{:.0f}", *v);
}

std::string bound(const Kpi& k, double v) {
  return k.unit == "%" ? fmt::format("{:g}%", v) : k.unit == "days" ? fmt::format("{:g} d", v)
                                                                    : fmt::format("{:g}", v);
}

std::string goal(const Kpi& k) {
  return k.higher_is_better ? fmt::format("target ≥ {}, alert < {}", bound(k, k.target), bound(k, k.alert))
                            : fmt::format("target ≤ {}, alert > {}", bound(k, k.target), bound(k, k.alert));
}

nlohmann::json stats_json(const PeriodStats& p) {
  nlohmann::json j = {{"runs", p.runs}, {"passed", p.passed}, {"blocked", p.blocked}, {"bypassed", p.bypassed}, {"findings", p.findings}, {"false_positives", p.false_positives}, {"protected_high", p.protected_high}, {"fixed", p.fix_seconds.size()}};
  if (p.runs) j["pass_rate"] = 100.0 * static_cast<double>(p.passed) / static_cast<double>(p.runs);
  return j;
}

template <class Map>
std::vector<std::pair<std::string, std::size_t>> top(const Map& m, std::size_t n) {
  std::vector<std::pair<std::string, std::size_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

nlohmann::json group_json(const GroupTrend& g, const ReportSettings& s) {
  nlohmann::json weeks = nlohmann::json::object();
  for (const auto& [w, p] : g.weeks) weeks[w] = stats_json(p);
  nlohmann::json kpis = nlohmann::json::object();
  for (const auto& k : kpis_of(g, s)) {
    kpis[k.id] = {{"value", k.value ? nlohmann::json(*k.value) : nlohmann::json()}, {"status", to_string(k.status)}};
  }
  return {{"total", stats_json(g.total)},
          {"metrics", kpis},
          {"weeks", weeks},
          {"blocks_by_rule", g.blocks_by_rule},
          {"bypasses_by_pusher", g.bypasses_by_pusher},
          {"waivers", {{"waived", g.waived}, {"false_positive", g.waived_false_positive}, {"accepted_risk", g.waived_accepted_risk}, {"no_kind", g.waived_no_kind}, {"inline_allows", g.inline_allows}, {"expired_waiver_hits", g.expired_waiver_hits}}}};
}

const char* color(KpiStatus s) {
  switch (s) {
    case KpiStatus::Green: return "#2e7d32";
    case KpiStatus::Amber: return "#f9a825";
    case KpiStatus::Red: return "#c62828";
    case KpiStatus::NoData: return "#9e9e9e";
  }
  return "#9e9e9e";
}

// A small line of the weekly values, each point colored by its own status.
std::string sparkline(const Kpi& k) {
  std::vector<std::pair<std::string, double>> pts;
  for (const auto& [w, v] : k.weekly) {
    if (v) pts.emplace_back(w, *v);
  }
  if (pts.empty()) return "<span class=\"muted\">no weekly data</span>";
  const int w = 260, h = 44, pad = 4;
  double lo = pts[0].second, hi = pts[0].second;
  for (const auto& p : pts) lo = std::min(lo, p.second), hi = std::max(hi, p.second);
  lo = std::min({lo, k.target, k.alert});
  hi = std::max({hi, k.target, k.alert});
  if (hi - lo < 1e-9) hi = lo + 1;
  auto x = [&](std::size_t i) { return pts.size() == 1 ? w / 2.0 : pad + (w - 2.0 * pad) * static_cast<double>(i) / static_cast<double>(pts.size() - 1); };
  auto y = [&](double v) { return pad + (h - 2.0 * pad) * (1.0 - (v - lo) / (hi - lo)); };
  std::string s = fmt::format("<svg class=\"spark\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">", w, h, w, h);
  s += fmt::format("<line x1=\"0\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#2e7d32\" stroke-dasharray=\"3 3\"/>", w, y(k.target), y(k.target));
  s += fmt::format("<line x1=\"0\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c62828\" stroke-dasharray=\"3 3\"/>", w, y(k.alert), y(k.alert));
  std::string path;
  for (std::size_t i = 0; i < pts.size(); ++i) path += fmt::format("{}{:.1f},{:.1f}", i ? " " : "", x(i), y(pts[i].second));
  s += fmt::format("<polyline fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\" points=\"{}\"/>", path);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const auto st = [&] {
      const double v = pts[i].second;
      if (k.higher_is_better) return v >= k.target ? KpiStatus::Green : v < k.alert ? KpiStatus::Red
                                                                                    : KpiStatus::Amber;
      return v <= k.target ? KpiStatus::Green : v > k.alert ? KpiStatus::Red
                                                            : KpiStatus::Amber;
    }();
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"><title>week of {}: {}</title></circle>", x(i),
                     y(pts[i].second), color(st), esc(pts[i].first), shown(pts[i].second, k.unit));
  }
  return s + "</svg>";
}

std::string group_rows(const std::map<std::string, GroupTrend>& groups, const ReportSettings& s, const char* id) {
  std::string h = fmt::format("<table id=\"{}\"><tr><th>Name</th><th>Gate runs</th>", id);
  const auto names = kpis_of(GroupTrend{}, s);
  for (const auto& k : names) h += fmt::format("<th>{}</th>", esc(k.title.substr(0, k.title.find(" ("))));
  h += "<th>Top blocking rule</th><th>Bypasses by pusher</th><th>Waivers (fp / risk / no kind)</th></tr>";
  for (const auto& [name, g] : groups) {
    h += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td>", esc(name), g.total.runs);
    for (const auto& k : kpis_of(g, s)) {
      h += fmt::format("<td class=\"n kpi-{}\" style=\"border-left:4px solid {}\">{}</td>", k.id, color(k.status), shown(k.value, k.unit));
    }
    const auto rules = top(g.blocks_by_rule, 1);
    std::string by;
    for (const auto& [p, n] : top(g.bypasses_by_pusher, 3)) by += fmt::format("{}{} ({})", by.empty() ? "" : ", ", esc(p), n);
    h += fmt::format("<td>{}</td><td>{}</td><td class=\"n\">{} / {} / {}</td></tr>",
                     rules.empty() ? "" : fmt::format("{} ({})", esc(rules[0].first), rules[0].second), by.empty() ? "none" : by,
                     g.waived_false_positive, g.waived_accepted_risk, g.waived_no_kind);
  }
  return h + "</table>";
}

}  // namespace

nlohmann::json trends_to_json(const EvidenceTrends& t) {
  nlohmann::json kpis = nlohmann::json::array();
  for (const auto& k : t.kpis) {
    nlohmann::json weekly = nlohmann::json::object();
    for (const auto& [w, v] : k.weekly) weekly[w] = v ? nlohmann::json(*v) : nlohmann::json();
    kpis.push_back({{"id", k.id}, {"title", k.title}, {"unit", k.unit}, {"value", k.value ? nlohmann::json(*k.value) : nlohmann::json()}, {"target", k.target}, {"alert", k.alert}, {"higher_is_better", k.higher_is_better}, {"status", to_string(k.status)}, {"weekly", weekly}});
  }
  nlohmann::json repos = nlohmann::json::object(), teams = nlohmann::json::object();
  for (const auto& [n, g] : t.repos) repos[n] = group_json(g, t.settings);
  for (const auto& [n, g] : t.teams) teams[n] = group_json(g, t.settings);
  return {{"metrics", kpis}, {"repositories", repos}, {"teams", teams}, {"all", group_json(t.all, t.settings)}};
}

std::string trends_to_text(const EvidenceTrends& t) {
  std::string o = "metrics (target / alert):\n";
  for (const auto& k : t.kpis) {
    o += fmt::format("  {:<7} {:<58} {:>9}  ({})\n", to_string(k.status), k.title, shown(k.value, k.unit), goal(k));
    std::string weeks;
    for (const auto& [w, v] : k.weekly) weeks += fmt::format(" {}:{}", w.substr(5), shown(v, k.unit));
    if (!weeks.empty()) o += "          weekly" + weeks + "\n";
  }
  auto groups = [&](const char* title, const std::map<std::string, GroupTrend>& m) {
    if (m.empty()) return;
    o += fmt::format("{}:\n", title);
    for (const auto& [name, g] : m) {
      std::string line = fmt::format("  {:<40} runs {:>6}", name, g.total.runs);
      for (const auto& k : kpis_of(g, t.settings)) line += fmt::format("  {} {} [{}]", k.id, shown(k.value, k.unit), to_string(k.status));
      o += line + "\n";
      std::string by;
      for (const auto& [p, n] : top(g.bypasses_by_pusher, 5)) by += fmt::format("{}{} ({})", by.empty() ? "" : ", ", p, n);
      std::string rules;
      for (const auto& [r, n] : top(g.blocks_by_rule, 3)) rules += fmt::format("{}{} ({})", rules.empty() ? "" : ", ", r, n);
      o += fmt::format("      blocks by rule: {}; bypasses by pusher: {}; waivers: {} false-positive, {} accepted-risk, {} "
                       "without a kind; {} hits on expired waivers\n",
                       rules.empty() ? "none" : rules, by.empty() ? "none" : by, g.waived_false_positive,
                       g.waived_accepted_risk, g.waived_no_kind, g.expired_waiver_hits);
    }
  };
  groups("teams", t.teams);
  groups("repositories", t.repos);
  return o;
}

std::string trends_to_html(const EvidenceTrends& t) {
  std::string h = "<section id=\"evidence\"><style>.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}"
                  ".kpi{border:1px solid #ddd;border-radius:8px;padding:10px 14px;width:300px;background:#fafafa}"
                  ".kpi .v{font-size:24px;font-weight:600}.kpi .badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px}"
                  "</style><h2>Metrics against targets</h2><div class=\"kpis\">";
  for (const auto& k : t.kpis) {
    h += fmt::format("<div class=\"kpi\" id=\"kpi-{}\" data-status=\"{}\" style=\"border-left:6px solid {}\"><div class=\"lbl\">{}</div>"
                     "<div class=\"v\">{} <span class=\"badge\" style=\"background:{}\">{}</span></div><div class=\"lbl\">{}</div>{}</div>",
                     k.id, to_string(k.status), color(k.status), esc(k.title), shown(k.value, k.unit), color(k.status),
                     to_string(k.status), esc(goal(k)), sparkline(k));
  }
  h += "</div>";
  if (!t.teams.empty()) h += "<h2>Teams</h2>" + group_rows(t.teams, t.settings, "teams");
  h += "<h2>Repositories</h2>" + group_rows(t.repos, t.settings, "repositories");
  return h + "</section>\n";
}

}  // namespace vigil::evidence
