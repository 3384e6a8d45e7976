// The `vigil` command line: one function per subcommand, registered on a CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace vigil::cli {

/// Registers every subcommand; each sets `exit_code` when it runs.
void register_commands(CLI::App& app, int& exit_code);

void register_scan(CLI::App& app, int& exit_code);
void register_rules(CLI::App& app, int& exit_code);
void register_install(CLI::App& app, int& exit_code);

}  // namespace vigil::cli
