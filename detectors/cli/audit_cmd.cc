// `vigil audit verify [PATH] [--key FILE]`: checks the hash chain and the MACs of an audit trail.
#include <fmt/format.h>

#include <filesystem>

#include "detectors/audit/audit_log.h"
#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"

namespace vigil::cli {

namespace {

int run_verify(const std::string& given, const std::string& key_given) {
  std::string path = given;
  std::string key = key_given;
  if (path.empty()) {
    git::LibGit2Session session;
    std::error_code ec;
    auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
    if (!repo) return die(make_error(ErrorCode::Usage, "no audit log given and not inside a repository — pass the log's path"));
    path = repo->config_string("vigil.auditLog").value_or(repo->git_dir() + "/vigil-audit.jsonl");
  }
  if (!key.empty() && !std::filesystem::exists(key)) {
    return die(make_error(ErrorCode::Usage, fmt::format("no audit key at '{}' — pass the key file the server writes "
                                                        "with (default: vigil-audit.key beside the log)",
                                                        key)));
  }
  auto res = audit_verify(path, key);
  if (!res) return die(res.error());
  if (!res->ok) {
    fmt::print(stderr, "vigil: audit log {} FAILED verification: {}\n", path, res->problem);
    if (!res->key_used) {
      fmt::print(stderr, "vigil: (only the unkeyed hash chain was checked: {})\n", res->key_note);
    }
    return kExitBlocked;
  }
  const auto plural = [](std::size_t n) { return n == 1 ? "" : "s"; };
  if (res->key_used) {
    fmt::print("vigil: audit log {} is intact: {} record{}, {} with a verified MAC", path, res->records,
               plural(res->records), res->keyed);
    if (res->unkeyed > 0) {
      fmt::print("; the first {} predate{} the key (hash chain only)", res->unkeyed, res->unkeyed == 1 ? "s" : "");
    }
    fmt::print("\n");
  } else {
    // Without the key a rewrite that recomputes every hash passes: say what was not checked.
    fmt::print("vigil: audit log {} is intact: {} record{} (unkeyed hash chain only: {}; the MACs were not checked, "
               "so a rewrite that recomputed every hash would pass — run with --key FILE)\n",
               path, res->records, plural(res->records), res->key_note);
  }
  return kExitAllowed;
}

}  // namespace

void register_audit(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "Work with the audit trail of gate decisions");
  audit->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto* verify = audit->add_subcommand("verify", "Check that no record was edited, deleted, truncated or rewritten");
  verify->add_option("path", *path, "The log [default: <git dir>/vigil-audit.jsonl of this repository]");
  verify->add_option("--key", *key, "The HMAC key the log was written with [default: vigil-audit.key beside the log]");
  verify->footer("Records carry an HMAC-SHA256 under the server's key: with the key, a rewritten record is found even\n"
                 "when every hash was recomputed; without it only the unkeyed chain is checked (and it says so).\n"
                 "Exit status: 0 intact, 1 tampered, 2 could not read the log.");
  verify->callback([path, key, &exit_code] { exit_code = run_verify(*path, *key); });
  register_audit_ship(*audit, exit_code);
}

}  // namespace vigil::cli
