// Setup commands (`vigil init`, `vigil doctor`) and the help sources generated from the CLI
// itself: examples in every --help, man pages (`vigil help-man`) and bash completion
// (`vigil help-completion`).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace vigil::cli {

void register_init(CLI::App& app, int& exit_code);
void register_doctor(CLI::App& app, int& exit_code);
/// The hidden `help-man DIR` and `help-completion` commands, which walk `app`.
void register_help_docs(CLI::App& app, int& exit_code);
/// Gives each command that has none an "Examples:" footer from vigil's table. Call last.
void add_help_examples(CLI::App& app);

/// Man pages (vigil.1 and vigil-<command>.1) for `app`, written into `dir`.
bool write_man_pages(const CLI::App& app, const std::string& dir, std::string& error);
/// A bash completion script for `app`.
std::string bash_completion(const CLI::App& app);

}  // namespace vigil::cli
