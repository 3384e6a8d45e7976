// `vigil audit ship --db URL LOG... [--scan-results FILE...]`: sends audit trails and scan results
// to the evidence database. Run it after the hooks (cron, a timer, post-receive): the hooks write
// their local log first and never wait on the database.
#include <fmt/format.h>

#include "detectors/cli/commands.h"
#include "detectors/evidence/ship.h"
#include "detectors/gates/common.h"

namespace vigil::cli {

namespace {

struct ShipArgs {
  std::string db;
  std::vector<std::string> logs;
  std::vector<std::string> scan_results;
  std::string key;
  std::string repo;
  std::string source;
  std::size_t batch = 2000;
};

int run_ship(const ShipArgs& a) {
  if (a.logs.empty() && a.scan_results.empty()) {
    return die(make_error(ErrorCode::Usage, "nothing to ship — name audit logs, or scan results with --scan-results FILE"));
  }
  auto db = evidence::EvidenceDb::open(a.db);
  if (!db) return die(db.error());
  evidence::ShipOptions o{a.key, a.source, a.batch};
  int code = kExitAllowed;
  for (const auto& log : a.logs) {
    auto r = evidence::ship_audit_log(*db, log, o);
    if (!r) return die(r.error());
    if (!r->refused.empty()) {
      fmt::print(stderr, "vigil: refusing to ship {}: its chain does not verify at {} — nothing of it was shipped; run "
                         "`vigil audit verify {}` and keep the log as evidence\n",
                 log, r->refused, log);
      code = kExitBlocked;
      continue;
    }
    fmt::print("vigil: shipped {}: {} new record{}, {} already in {}{}\n", log, r->shipped, r->shipped == 1 ? "" : "s",
               r->already, db->url(), r->key_used ? "" : fmt::format(" (MACs not checked: {})", r->key_note));
  }
  for (const auto& path : a.scan_results) {
    auto r = evidence::ship_scan_result(*db, path, a.repo, o);
    if (!r) return die(r.error());
    fmt::print("vigil: shipped scan result {}: {}\n", path, r->shipped ? "new" : "already in the database");
  }
  return code;
}

}  // namespace

void register_audit_ship(CLI::App& audit, int& exit_code) {
  auto a = std::make_shared<ShipArgs>();
  auto* cmd = audit.add_subcommand("ship", "Send audit logs and scan results to the evidence database (SQLite or PostgreSQL)");
  cmd->add_option("logs", a->logs, "Audit logs (JSON Lines, hash-chained)");
  cmd->add_option("--db", a->db, "sqlite:///path/evidence.db (or a plain path), or postgresql://user@host/db")->required();
  cmd->add_option("--scan-results", a->scan_results, "`vigil scan --format json` output to ship (repeat the flag for more)")
      ->allow_extra_args(false);
  cmd->add_option("--repo", a->repo, "The repository the scan results are of [default: the scan's target]");
  cmd->add_option("--key", a->key, "The HMAC key of the logs [default: vigil-audit.key beside each log]");
  cmd->add_option("--source", a->source, "How to name where the logs live [default: host:absolute path]");
  cmd->add_option("--batch", a->batch, "Records per transaction [default: 2000]")->check(CLI::Range(1, 1000000));
  cmd->footer("Each log is verified first (hash chain, head file, and MACs when the key is readable); a log that does\n"
              "not verify is refused, naming the first bad record, and nothing of it is shipped. Shipping again sends\n"
              "only what the database lacks; several shippers may run at once.\n"
              "Exit status: 0 shipped, 1 a log was refused, 2 error (database unreachable, unreadable file).");
  cmd->callback([a, &exit_code] { exit_code = run_ship(*a); });
}

}  // namespace vigil::cli
