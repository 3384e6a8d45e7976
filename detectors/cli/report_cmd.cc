// `vigil report`: governance metrics over audit trails (and CI scan results) as text, JSON or a
// self-contained HTML page.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "detectors/audit/governance_report.h"
#include "detectors/cli/commands.h"
#include "detectors/evidence/report_db.h"
#include "detectors/policy/config.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"

namespace vigil::cli {

namespace {

struct ReportArgs {
  std::vector<std::string> logs;
  std::vector<std::string> scan_results;
  std::string since, until;
  std::string format = "text";
  std::string output;
  std::string db;                  // --db: the evidence database instead of files
  std::string policy;              // --policy: the server policy whose [report] sets targets
  std::vector<std::string> repos;  // --repo: globs
};

// The report over the evidence database: the same metrics, plus trends and targets.
Result<std::string> db_report_text(const ReportArgs& a, const ReportWindow& w) {
  evidence::DbReportOptions o;
  o.window = w;
  o.repos = a.repos;
  if (!a.policy.empty()) {
    auto cfg = load_config_file(a.policy, true, RuleDetail::Scan);
    if (!cfg) return cfg.error();
    o.settings = cfg->report;
  }
  auto db = evidence::EvidenceDb::open(a.db);
  if (!db) return db.error();
  auto r = evidence::load_db_report(*db, o);
  if (!r) return r.error();
  if (a.format == "json") {
    auto j = metrics_to_json(r->metrics);
    j["evidence"] = evidence::trends_to_json(r->trends);
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  if (a.format == "html") {
    std::string page = metrics_to_html(r->metrics);
    // The trends go after the headline cards (the first </div> closes them).
    const auto cards = page.find("</div>\n");
    page.insert(cards == std::string::npos ? page.rfind("</body>") : cards + 7, evidence::trends_to_html(r->trends));
    return page;
  }
  return metrics_to_text(r->metrics) + evidence::trends_to_text(r->trends);
}

int run_report(ReportArgs a) {
  if (a.format != "text" && a.format != "json" && a.format != "html") {
    return die(make_error(ErrorCode::Usage, fmt::format("unknown format '{}' — use text, json or html", a.format)));
  }
  ReportWindow w;
  for (auto [given, slot, name] : {std::tuple{&a.since, &w.since, "--since"}, std::tuple{&a.until, &w.until, "--until"}}) {
    if (given->empty()) continue;
    *slot = parse_date(*given);
    if (!*slot) return die(make_error(ErrorCode::Usage, fmt::format("{} takes a date such as 2026-01-31, not '{}'", name, *given)));
  }
  if (!a.db.empty() && (!a.logs.empty() || !a.scan_results.empty())) {
    return die(make_error(ErrorCode::Usage, "give either --db or audit logs and --scan-results, not both — ship the files "
                                            "first with `vigil audit ship --db`"));
  }
  if (a.db.empty() && (!a.policy.empty() || !a.repos.empty())) {
    return die(make_error(ErrorCode::Usage, "--policy and --repo work with --db (the evidence database)"));
  }
  std::optional<std::string> from_db;
  if (!a.db.empty()) {
    auto t = db_report_text(a, w);
    if (!t) return die(t.error());
    from_db = std::move(*t);
  } else if (a.logs.empty() && a.scan_results.empty()) {
    git::LibGit2Session session;
    std::error_code ec;
    auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
    if (!repo) return die(make_error(ErrorCode::Usage, "no audit log given and not inside a repository — pass the logs' paths"));
    a.logs.push_back(repo->config_string("vigil.auditLog").value_or(repo->git_dir() + "/vigil-audit.jsonl"));
  }
  Result<GovernanceMetrics> m = from_db ? Result<GovernanceMetrics>(GovernanceMetrics{}) : load_metrics(a.logs, a.scan_results, w);
  if (!m) return die(m.error());
  const std::string text = from_db ? *from_db : a.format == "json" ? metrics_to_json(*m).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"
                                            : a.format == "html"   ? metrics_to_html(*m)
                                                                   : metrics_to_text(*m);
  std::FILE* out = stdout;
  if (!a.output.empty() && a.output != "-") {
    out = std::fopen(a.output.c_str(), "w");
    if (!out) return die(make_error(ErrorCode::Io, fmt::format("cannot write '{}' — check the directory exists and is writable", a.output)));
  }
  const bool ok = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (out != stdout ? std::fclose(out) != 0 || !ok : std::fflush(out) != 0 || !ok) {
    return die(make_error(ErrorCode::Io, fmt::format("cannot write '{}'", a.output.empty() ? "stdout" : a.output)));
  }
  return kExitAllowed;
}

}  // namespace

void register_report(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Governance metrics from audit logs: pass rate, blocks, bypasses, waivers, controls");
  cmd->add_option("logs", args->logs, "Audit logs (JSON Lines) [default: <git dir>/vigil-audit.jsonl of this repository]");
  cmd->add_option("--scan-results", args->scan_results, "`vigil scan --format json` output of one CI run (repeat the flag for more)")
      ->allow_extra_args(false);  // one file per flag: the audit logs after it are not results
  cmd->add_option("--since", args->since, "First day to include (YYYY-MM-DD)");
  cmd->add_option("--until", args->until, "Last day to include (YYYY-MM-DD)");
  cmd->add_option("-f,--format", args->format, "text, json or html [default: text]");
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  cmd->add_option("--db", args->db, "Report from the evidence database (sqlite:///path or postgresql://...) across servers, "
                                    "repositories and time, with per-repository and per-team trends");
  cmd->add_option("--policy", args->policy, "Server policy file whose [report] sets metric targets and teams (with --db)");
  cmd->add_option("--repo", args->repos, "Only repositories matching this glob (with --db; repeat for more)")->allow_extra_args(false);
  cmd->footer("Exit status: 0 report written, 2 error.");
  cmd->callback([args, &exit_code] { exit_code = run_report(*args); });
}

}  // namespace vigil::cli
