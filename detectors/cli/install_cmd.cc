// `vigil install` and `vigil uninstall`: repository, global, server (plain, GitLab, Gitea, gitolite) modes.
#include <fmt/format.h>

#include "detectors/cli/commands.h"
#include "detectors/cli/setup_cmds.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"
#include "installer/install.h"

namespace vigil::cli {

namespace {

struct InstallArgs {
  InstallOptions opts;
  bool repo = false, global = false, server = false, gitlab = false, gitea = false, gitolite = false, no_warm = false;
  std::vector<std::string> paths;
};

int run(bool do_install, InstallArgs a) {
  git::LibGit2Session session;
  const int modes = int(a.repo) + int(a.global) + int(a.server || a.gitlab || a.gitea || a.gitolite);
  if (modes > 1) return die(make_error(ErrorCode::Usage, "choose one of --repo, --global and --server — run `vigil install --help`"));
  if (int(a.gitlab) + int(a.gitea) + int(a.gitolite) > 1) {
    return die(make_error(ErrorCode::Usage, "choose one of --gitlab, --gitea and --gitolite"));
  }
  if (a.gitolite && !a.paths.empty()) {
    return die(make_error(ErrorCode::Usage, fmt::format("unexpected argument '{}' — --gitolite covers every repository "
                                                        "gitolite manages (name its home with --gitolite-home)",
                                                        a.paths.front())));
  }
  auto& o = a.opts;
  if (a.global) o.mode = InstallMode::Global;
  if (a.server || a.gitlab || a.gitea || a.gitolite) {
    o.mode = InstallMode::Server;
    o.layout = a.gitlab ? ServerLayout::GitLab : a.gitea  ? ServerLayout::Gitea
                                             : a.gitolite ? ServerLayout::Gitolite
                                                          : ServerLayout::Plain;
    o.server_paths = a.paths;
  } else if (!a.paths.empty()) {
    return die(make_error(ErrorCode::Usage, fmt::format("unexpected argument '{}' — repository paths go with --server "
                                                        "(or -C PATH for a work tree)",
                                                        a.paths.front())));
  }
  o.warm_cache = !a.no_warm;
  auto res = do_install ? install(o) : uninstall(o);
  if (!res) return die(res.error());
  for (const auto& m : res->messages) fmt::print("vigil: {}\n", m);
  if (res->messages.empty()) fmt::print("vigil: nothing to do\n");
  if (!res->hooks_dirs.empty() && o.mode != InstallMode::Server) fmt::print("vigil: hooks directory: {}\n", res->hooks_dirs.front());
  return kExitAllowed;
}

}  // namespace

void register_install(CLI::App& app, int& exit_code) {
  for (bool do_install : {true, false}) {
    auto args = std::make_shared<InstallArgs>();
    auto* cmd = app.add_subcommand(do_install ? "install" : "uninstall",
                                   do_install ? "Install vigil's hooks: a repository, every repository of this user, or a server"
                                              : "Remove vigil's hooks and restore exactly what was there before");
    cmd->add_flag("--repo", args->repo, "This repository (the default): its hooks dir, or core.hooksPath when set");
    cmd->add_flag("--global", args->global,
                  "Every repository of this user: a hooks dir set as the global core.hooksPath; each repository's own hooks still run");
    cmd->add_flag("--server", args->server, "Bare repositories PATH...: pre-receive (and update), plus a server policy scaffold");
    cmd->add_flag("--gitlab", args->gitlab, "Server, GitLab layout: PATH.git/custom_hooks/pre-receive.d/vigil");
    cmd->add_flag("--gitea", args->gitea, "Server, Gitea/Forgejo layout: PATH.git/hooks/pre-receive.d/vigil");
    cmd->add_flag("--gitolite", args->gitolite,
                  "Server, gitolite: a common pre-receive hook (LOCAL_CODE/hooks/common or ~/.gitolite/hooks/common) in every repository");
    cmd->add_option("--gitolite-home", args->opts.gitolite_home, "Gitolite mode: the gitolite user's home [default: $HOME]");
    cmd->add_option("paths", args->paths, "Server mode: the bare repositories");
    cmd->add_option("-C,--path", args->opts.repo_path, "Repo mode: a path inside the repository [default: .]");
    cmd->add_option("--hook", args->opts.hooks, "Only this hook (repeatable) [default: pre-commit, commit-msg, pre-push]")->allow_extra_args(false);
    cmd->add_option("--bin-dir", args->opts.bin_dir, "Where the vigil-<hook> binaries are [default: beside vigil]");
    cmd->add_option("--hooks-dir", args->opts.global_dir, "Global mode: the hooks dir [default: ~/.config/vigil/hooks]");
    cmd->add_option("--policy", args->opts.policy_file,
                    "Server mode: the policy file to use (scaffolded when missing) [default: PATH/vigil-policy.toml]");
    cmd->add_flag("--with-update", args->opts.with_update, "Server mode: also install the update hook (a verdict per ref)");
    cmd->add_flag("--no-warm", args->no_warm, "Server mode: do not compile the rules database cache now");
    cmd->add_flag("-n,--dry-run", args->opts.dry_run, "Show what would change, change nothing");
    cmd->callback([args, do_install, &exit_code] { exit_code = run(do_install, *args); });
  }
}

void register_commands(CLI::App& app, int& exit_code) {
  // Examples go onto every command once all are registered, including lines added below later:
  // this guard runs at the end of the function, whatever the order of the lines.
  struct ExamplesLast {
    CLI::App& app;
    ~ExamplesLast() { add_help_examples(app); }
  } examples_last{app};
  register_help_docs(app, exit_code);
  register_scan(app, exit_code);
  register_rules(app, exit_code);
  register_install(app, exit_code);
  register_init(app, exit_code);
  register_doctor(app, exit_code);
  register_baseline(app, exit_code);
  register_audit(app, exit_code);
  register_waivers(app, exit_code);
  register_report(app, exit_code);
}

}  // namespace vigil::cli
