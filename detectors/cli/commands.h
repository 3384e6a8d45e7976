// The `vigil` command line: one function per subcommand, registered on a CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace vigil {
struct ScanReport;
}

namespace vigil::cli {

/// The one-line error for a command line that does not parse: the unknown command or option,
/// with the nearest known one ("did you mean 'scan'?") and the --help to run (parse_error.cc).
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e);

/// Registers every subcommand; each sets `exit_code` when it runs.
void register_commands(CLI::App& app, int& exit_code);

void register_scan(CLI::App& app, int& exit_code);
void register_rules(CLI::App& app, int& exit_code);
void register_install(CLI::App& app, int& exit_code);
void register_baseline(CLI::App& app, int& exit_code);
void register_audit(CLI::App& app, int& exit_code);
void register_audit_ship(CLI::App& audit, int& exit_code);  // ship_cmd.cc: `vigil audit ship`
void register_waivers(CLI::App& app, int& exit_code);       // waivers_cmd.cc
void register_report(CLI::App& app, int& exit_code);        // report_cmd.cc

/// What `vigil baseline create` scans: the inputs and rule options of `vigil scan`.
struct BaselineScan {
  std::vector<std::string> paths;
  std::string config;
  std::vector<std::string> rules_files;
  bool no_builtin = false;
  unsigned jobs = 0;
  std::string output;  // the baseline file to write
};
/// Runs `vigil scan` over `req` and writes the baseline instead of a report (scan_cmd.cc).
int run_baseline_scan(const BaselineScan& req);
/// Writes the baseline of `report`'s findings to `path`; returns the exit code (baseline_cmd.cc).
int write_baseline_file(const ScanReport& report, const std::string& path);

}  // namespace vigil::cli
