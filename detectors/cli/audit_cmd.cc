// `vigil audit verify [PATH]`: checks the hash chain of an audit trail.
#include <fmt/format.h>

#include <filesystem>

#include "detectors/audit/audit_log.h"
#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"

namespace vigil::cli {

namespace {

int run_verify(const std::string& given) {
  std::string path = given;
  if (path.empty()) {
    git::LibGit2Session session;
    std::error_code ec;
    auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
    if (!repo) return die(make_error(ErrorCode::Usage, "no audit log given and not inside a repository — pass the log's path"));
    path = repo->config_string("vigil.auditLog").value_or(repo->git_dir() + "/vigil-audit.jsonl");
  }
  auto res = audit_verify(path);
  if (!res) return die(res.error());
  if (!res->ok) {
    fmt::print(stderr, "vigil: audit log {} FAILED verification: {}\n", path, res->problem);
    return kExitBlocked;
  }
  fmt::print("vigil: audit log {} is intact: {} record{}\n", path, res->records, res->records == 1 ? "" : "s");
  return kExitAllowed;
}

}  // namespace

void register_audit(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "Work with the audit trail of gate decisions");
  audit->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto* verify = audit->add_subcommand("verify", "Check that no record was edited, deleted or truncated");
  verify->add_option("path", *path, "The log [default: <git dir>/vigil-audit.jsonl of this repository]");
  verify->footer("Exit status: 0 intact, 1 tampered, 2 could not read the log.");
  verify->callback([path, &exit_code] { exit_code = run_verify(*path); });
}

}  // namespace vigil::cli
