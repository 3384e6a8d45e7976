// vigil: the command line (scan, install, rules, ...). Each subcommand lives in detectors/cli.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/report/report.h"

int main(int argc, char** argv) {
  CLI::App app{"vigil: native Git hooks that block secrets, unsigned commits and forbidden changes", "vigil"};
  app.set_version_flag("--version", std::string("vigil ") + vigil::vigil_version());
  app.require_subcommand(1);
  app.footer("Exit status: 0 allowed, 1 blocked by policy, 2 vigil could not do its job.\n"
             "Run `vigil <command> --help` for a command's options.");
  int exit_code = vigil::kExitAllowed;
  vigil::cli::register_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "vigil: error: {}\n", vigil::cli::parse_error_message(app, e));
    return vigil::kExitError;
  }
  return exit_code;
}
