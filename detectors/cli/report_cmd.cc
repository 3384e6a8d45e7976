// `vigil report`: governance metrics over audit trails (and CI scan results) as text, JSON or a
// self-contained HTML page.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "detectors/audit/governance_report.h"
#include "detectors/cli/commands.h"
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
};

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
  if (a.logs.empty() && a.scan_results.empty()) {
    git::LibGit2Session session;
    std::error_code ec;
    auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
    if (!repo) return die(make_error(ErrorCode::Usage, "no audit log given and not inside a repository — pass the logs' paths"));
    a.logs.push_back(repo->config_string("vigil.auditLog").value_or(repo->git_dir() + "/vigil-audit.jsonl"));
  }
  auto m = load_metrics(a.logs, a.scan_results, w);
  if (!m) return die(m.error());
  const std::string text = a.format == "json" ? metrics_to_json(*m).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"
                           : a.format == "html" ? metrics_to_html(*m)
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
  cmd->footer("Exit status: 0 report written, 2 error.");
  cmd->callback([args, &exit_code] { exit_code = run_report(*args); });
}

}  // namespace vigil::cli
