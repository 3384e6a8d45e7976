// The HTML page of `vigil report`: one file with inline CSS and inline SVG charts, no script and
// no external resource, so it can be mailed, archived as audit evidence, and opened offline.
#include <fmt/format.h>

#include <algorithm>

#include "detectors/audit/governance_report.h"
#include "detectors/policy/compliance.h"

namespace vigil {

std::string html_escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

namespace {

std::string esc(std::string_view s) { return html_escape(s); }

constexpr const char* kPassed = "#2e7d32";
constexpr const char* kBlocked = "#c62828";
constexpr const char* kBypassed = "#ef6c00";
constexpr const char* kOther = "#9e9e9e";

// Stacked bars per day: passed, blocked, bypassed, other.
std::string day_chart(const GovernanceMetrics& m) {
  if (m.by_day.empty()) return "<p class=\"muted\">No gate runs with a date in this period.</p>";
  const int w = 760, h = 220, pad = 30;
  std::size_t max = 1;
  for (const auto& [d, c] : m.by_day) max = std::max(max, c.passed + c.blocked + c.bypassed + c.other);
  const double bw = static_cast<double>(w - 2 * pad) / static_cast<double>(m.by_day.size());
  std::string s = fmt::format("<svg id=\"chart-days\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
                              "aria-label=\"Gate runs per day\">",
                              w, h + 40, w, h + 40);
  s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/>", pad, h, w - pad, h);
  std::size_t i = 0;
  for (const auto& [day, c] : m.by_day) {
    double y = h;
    const double x = pad + bw * static_cast<double>(i) + bw * 0.15;
    for (const auto& [n, color, what] : {std::tuple{c.passed, kPassed, "passed"}, std::tuple{c.blocked, kBlocked, "blocked"},
                                         std::tuple{c.bypassed, kBypassed, "bypassed"}, std::tuple{c.other, kOther, "other"}}) {
      if (n == 0) continue;
      const double bh = static_cast<double>(n) * (h - 10) / static_cast<double>(max);
      y -= bh;
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                       x, y, bw * 0.7, bh, color, esc(day), what, n);
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>", x + bw * 0.35, h + 16,
                     esc(day.substr(5)));
    ++i;
  }
  s += fmt::format("<text x=\"{}\" y=\"12\" font-size=\"11\">max {} runs/day</text>", pad, max);
  int lx = pad;
  for (const auto& [color, what] : {std::pair{kPassed, "passed"}, std::pair{kBlocked, "blocked"},
                                    std::pair{kBypassed, "bypassed"}, std::pair{kOther, "other"}}) {
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
                     lx, h + 26, color, lx + 14, h + 35, what);
    lx += 90;
  }
  return s + "</svg>";
}

// Horizontal bars, largest first.
std::string bar_chart(const std::string& id, const std::vector<std::pair<std::string, std::size_t>>& rows, const char* color) {
  if (rows.empty()) return "<p class=\"muted\">None.</p>";
  const int w = 760, row = 22, label = 260;
  std::size_t max = 1;
  for (const auto& r : rows) max = std::max(max, r.second);
  std::string s = fmt::format("<svg id=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">", id, w,
                              row * static_cast<int>(rows.size()) + 4, w, row * static_cast<int>(rows.size()) + 4);
  int y = 2;
  for (const auto& [name, n] : rows) {
    const double bw = static_cast<double>(n) * (w - label - 60) / static_cast<double>(max);
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>", label - 8, y + 15, esc(name));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>", label, y + 3, bw, row - 6, color);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\">{}</text>", label + bw + 6, y + 15, n);
    y += row;
  }
  return s + "</svg>";
}

std::vector<std::pair<std::string, std::size_t>> sorted(const std::map<std::string, std::size_t>& m, std::size_t n) {
  std::vector<std::pair<std::string, std::size_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

std::string card(const char* id, const std::string& value, const char* label) {
  return fmt::format("<div class=\"card\"><div class=\"num\" id=\"{}\">{}</div><div class=\"lbl\">{}</div></div>", id,
                     esc(value), label);
}

}  // namespace

std::string metrics_to_html(const GovernanceMetrics& m) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<title>vigil governance report</title><style>"
       "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}"
       "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}"
       ".muted{color:#777}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}"
       ".card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:120px;background:#fafafa}"
       ".num{font-size:26px;font-weight:600}.lbl{color:#666;font-size:12px}"
       "table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}"
       "th{background:#f3f3f3;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}"
       "</style></head><body>\n";
  h += fmt::format("<h1>vigil governance report</h1><p class=\"muted\" id=\"window\">{} .. {}</p>",
                   esc(m.since.empty() ? "start" : m.since), esc(m.until.empty() ? "now" : m.until));
  const auto med = m.median_fix_seconds();
  h += "<div class=\"cards\">";
  h += card("gate-runs", std::to_string(m.runs), "gate runs");
  h += card("pass-rate", fmt::format("{:.1f}%", 100.0 * m.pass_rate()), "pass rate");
  h += card("blocked", std::to_string(m.blocked), "blocked");
  h += card("bypassed", std::to_string(m.bypasses.size()), "bypasses");
  h += card("failed-open", std::to_string(m.failed_open), "failed open");
  h += card("median-fix", med ? human_duration(*med) : "n/a", "median block → fixed push");
  h += "</div>\n";
  h += "<h2>Gate runs per day</h2>" + day_chart(m);
  h += "<h2>Blocks by rule</h2>" + bar_chart("chart-rules", sorted(m.blocks_by_rule, 15), kBlocked);
  std::vector<std::pair<std::string, std::size_t>> sev;
  for (const char* s : {"critical", "high", "medium", "low", "info"}) {
    if (const auto it = m.blocks_by_severity.find(s); it != m.blocks_by_severity.end()) sev.emplace_back(s, it->second);
  }
  h += "<h2>Blocks by severity</h2>" + bar_chart("chart-severity", sev, "#6a1b9a");
  h += fmt::format("<h2>Bypasses (<span id=\"bypass-count\">{}</span>)</h2>", m.bypasses.size());
  if (m.bypasses.empty()) {
    h += "<p class=\"muted\">None.</p>";
  } else {
    h += "<table id=\"bypasses\"><tr><th>When</th><th>Gate</th><th>Repository</th><th>Who</th><th>Via</th><th>Rules</th><th>Reason</th></tr>";
    for (const auto& b : m.bypasses) {
      std::string rules;
      for (const auto& r : b.rules) rules += (rules.empty() ? "" : ", ") + r;
      h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", esc(b.time),
                       esc(b.hook), esc(b.repo), esc(b.by), esc(b.via), esc(rules), esc(b.reason));
    }
    h += "</table>";
  }
  h += "<h2>Waiver hygiene</h2><table id=\"waivers\">";
  for (const auto& [label, n] : {std::pair{"findings covered by waivers", m.waived},
                                 std::pair{"inline vigil:allow comments", m.inline_allows},
                                 std::pair{"[[allow]] entries", m.config_allows},
                                 std::pair{"findings on expired waivers (blocked again)", m.expired_waiver_hits},
                                 std::pair{"inline allows refused by policy", m.inline_refused}}) {
    h += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", label, n);
  }
  for (const auto& [w, n] : m.waivers_used) h += fmt::format("<tr><td>&nbsp;&nbsp;{}</td><td class=\"n\">{}</td></tr>", esc(w), n);
  h += "</table>";
  h += "<h2>Repositories with the most findings</h2>" + bar_chart("chart-repos", sorted(m.findings_by_repo, 10), "#1565c0");
  h += fmt::format("<h2>Time from block to fixed push</h2><p id=\"fix\">median {} over {} fixed pushes; {} ended by a "
                   "bypass; {} still blocked at the end of the period.</p>",
                   med ? human_duration(*med) : "n/a", m.fix_seconds.size(), m.resolved_by_bypass, m.unresolved_blocks);
  h += "<h2>Evidence by control</h2><table id=\"controls\"><tr><th>Control</th><th>Title</th><th>Gate runs</th>"
       "<th>Findings</th><th>Blocks</th></tr>";
  for (const auto& [tag, e] : m.controls) {
    h += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                     esc(tag), esc(control_title(tag)), e.gate_runs, e.findings, e.blocks);
  }
  h += "</table>";
  h += "<h2>Reproducibility</h2><table id=\"versions\"><tr><th>Rules version</th><th>Gate runs</th></tr>";
  for (const auto& [v, n] : m.rules_versions) h += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(v), n);
  h += "<tr><th>vigil version</th><th>Gate runs</th></tr>";
  for (const auto& [v, n] : m.vigil_versions) h += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(v), n);
  h += "</table>";
  if (!m.logs.empty()) {
    h += "<h2>Audit logs</h2><table id=\"logs\"><tr><th>Log</th><th>Records</th><th>Integrity</th></tr>";
    for (const auto& l : m.logs) {
      h += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>", esc(l.path), l.records, esc(l.status));
    }
    h += "</table>";
  }
  h += "<p class=\"muted\">Generated by vigil report.</p></body></html>\n";
  return h;
}

}  // namespace vigil
