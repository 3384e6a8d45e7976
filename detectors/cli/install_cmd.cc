// `vigil install` and `vigil uninstall`.
#include <fmt/format.h>

#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"
#include "installer/install.h"

namespace vigil::cli {

namespace {

int run(bool install, const InstallOptions& opts) {
  git::LibGit2Session session;
  auto res = install ? install_hooks(opts) : uninstall_hooks(opts);
  if (!res) return die(res.error());
  for (const auto& m : res->messages) fmt::print("vigil: {}\n", m);
  if (res->messages.empty()) fmt::print("vigil: nothing to do in {}\n", res->hooks_dir);
  else fmt::print("vigil: hooks directory: {}\n", res->hooks_dir);
  return kExitAllowed;
}

}  // namespace

void register_install(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<InstallOptions>();
  for (bool install : {true, false}) {
    auto* cmd = app.add_subcommand(install ? "install" : "uninstall",
                                   install ? "Install vigil's hooks into a repository (keeps existing hooks)"
                                           : "Remove vigil's hooks and restore the previous ones");
    cmd->add_flag("--repo")->description("Install into the current repository (the default)");
    cmd->add_option("-C,--path", opts->repo_path, "A path inside the repository [default: .]");
    cmd->add_option("--hook", opts->hooks, "Only this hook (repeatable) [default: pre-commit, commit-msg, pre-push]");
    cmd->add_option("--bin-dir", opts->bin_dir, "Where the vigil-<hook> binaries are [default: beside vigil]");
    cmd->add_flag("-n,--dry-run", opts->dry_run, "Show what would change");
    cmd->callback([opts, install, &exit_code] { exit_code = run(install, *opts); });
  }
}

void register_commands(CLI::App& app, int& exit_code) {
  register_scan(app, exit_code);
  register_rules(app, exit_code);
  register_install(app, exit_code);
  register_baseline(app, exit_code);
  register_audit(app, exit_code);
  register_waivers(app, exit_code);
  register_report(app, exit_code);
}

}  // namespace vigil::cli
