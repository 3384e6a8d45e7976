// `vigil baseline create`: records the fingerprints of today's findings, so that
// `vigil scan --baseline FILE` reports only new ones.
#include <fmt/format.h>

#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/policy/baseline.h"

namespace vigil::cli {

int write_baseline_file(const ScanReport& report, const std::string& path) {
  const auto baseline = baseline_from_findings(report.findings);
  auto saved = save_baseline(baseline, path);
  if (!saved) return die(saved.error());
  fmt::print(stderr, "vigil: baseline: {} finding{} recorded in {} ({} file{} scanned, {} skipped)\n",
             baseline.entries.size(), baseline.entries.size() == 1 ? "" : "s", path, report.items_scanned,
             report.items_scanned == 1 ? "" : "s", report.skips.size());
  return kExitAllowed;
}

void register_baseline(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("baseline", "Record today's findings so that later scans report only new ones");
  cmd->require_subcommand(1);
  auto req = std::make_shared<BaselineScan>();
  req->output = kDefaultBaselineFile;
  auto* create = cmd->add_subcommand("create", "Scan PATHS and write the fingerprints of every finding to FILE");
  create->add_option("paths", req->paths, "Files or directories to scan [default: .]");
  create->add_option("-o,--output", req->output, fmt::format("Baseline file to write [default: {}]", kDefaultBaselineFile));
  create->add_option("-c,--config", req->config, "Config file [default: <repo>/.vigil.toml]");
  create->add_option("--rules", req->rules_files, "Extra rules file (repeatable)")->allow_extra_args(false);
  create->add_option("-j,--jobs", req->jobs, "Worker threads [default: one per core]");
  create->add_flag("--no-builtin", req->no_builtin, "Use only the rules given with --rules");
  create->footer(
      "The file holds one '<fingerprint> <rule> <path>' line per finding, sorted, with no line numbers,\n"
      "timestamps or secrets: reruns are byte-identical and branches merge line by line (add\n"
      "'.vigil-baseline merge=union' to .gitattributes so git keeps both sides' new lines).\n"
      "Findings allowed or waived by policy are not recorded.\n"
      "Exit status: 0 written, 2 vigil could not do its job.\n"
      "Example:\n  vigil baseline create . -o .vigil-baseline\n  vigil scan --baseline .vigil-baseline .");
  create->callback([req, &exit_code] { exit_code = run_baseline_scan(*req); });
}

}  // namespace vigil::cli
