// `vigil init` (a starter .vigil.toml that documents itself) and `vigil doctor` (what is active
// and why, each problem with its fix).
#include <fmt/format.h>

#include <filesystem>

#include "detectors/cli/setup_cmds.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"
#include "detectors/policy/config.h"
#include "installer/doctor.h"
#include "installer/install_util.h"
#include "installer/templates.h"

namespace fs = std::filesystem;

namespace vigil::cli {

namespace {

struct InitArgs {
  std::string path = ".";
  bool force = false;
};

int run_init(const InitArgs& a) {
  git::LibGit2Session session;
  std::error_code ec;
  // The repository root, so the file lands where the hooks read it; a plain directory otherwise.
  std::string root = a.path;
  if (auto repo = git::Repo::discover(a.path); repo && !repo->is_bare()) root = repo->workdir();
  const std::string file = (fs::path(root) / ".vigil.toml").string();
  if (fs::exists(file, ec) && !a.force) {
    return die(make_error(ErrorCode::Usage, fmt::format("{} already exists — edit it, or pass --force to replace it", file)));
  }
  const std::string text = starter_config_text();
  // Never write a file the hooks would then reject.
  if (auto cfg = parse_config(text, file); !cfg) return die(cfg.error());
  if (auto w = installer::write_file(file, text, false); !w) return die(w.error());
  fmt::print("vigil: wrote {} — every section is explained inside; `vigil doctor` checks the setup\n", file);
  return kExitAllowed;
}

int run_doctor_cmd(const std::string& path) {
  auto rep = run_doctor(path);
  if (!rep) return die(rep.error());
  fmt::print("vigil doctor: {}\n", rep->repo);
  fmt::print("  hooks dir: {}\n", rep->hooks_dir);
  fmt::print("             {}\n", rep->hooks_why);
  std::size_t problems = 0;
  for (const auto& c : rep->checks) {
    fmt::print("  {:<7}  {}\n", c.ok ? "ok" : "PROBLEM", c.detail);
    if (!c.ok) {
      ++problems;
      fmt::print("           fix: {}\n", c.fix);
    }
  }
  if (problems) {
    fmt::print("vigil: {} problem{} found\n", problems, problems == 1 ? "" : "s");
    return kExitBlocked;
  }
  fmt::print("vigil: healthy\n");
  return kExitAllowed;
}

}  // namespace

void register_init(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<InitArgs>();
  auto* cmd = app.add_subcommand("init", "Write a starter .vigil.toml that documents every section");
  cmd->add_option("-C,--path", args->path, "A path inside the repository [default: .]");
  cmd->add_flag("--force", args->force, "Replace an existing .vigil.toml");
  cmd->callback([args, &exit_code] { exit_code = run_init(*args); });
}

void register_doctor(CLI::App& app, int& exit_code) {
  auto path = std::make_shared<std::string>(".");
  auto* cmd = app.add_subcommand(
      "doctor", "Say what vigil does here and why: hooks (or what shadows them), rules, database cache, signing");
  cmd->add_option("-C,--path", *path, "A path inside the repository [default: .]");
  cmd->callback([path, &exit_code] { exit_code = run_doctor_cmd(*path); });
}

}  // namespace vigil::cli
