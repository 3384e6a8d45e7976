// Test and bench support for the evidence database: keyed audit logs written fast (no fsync per
// record; each log is checked with audit_verify by its test), and a real PostgreSQL server started
// in a temporary directory on a unix socket.
#pragma once

#include <cstddef>
#include <string>

namespace vigil::test {

struct AuditLogSpec {
  std::size_t records = 100;
  std::string repo = "srv/app.git";
  std::string key = "0123456789abcdef0123456789abcdef";  // written to vigil-audit.key beside the log
  unsigned seed = 1;                                     // varies times, pushers, decisions
  std::string start_day = "2026-03-02";                  // the first record's day
  unsigned spacing_seconds = 600;                        // between records (a longer log is a longer period)
};

/// Writes a keyed, chained audit log of `spec.records` gate decisions at `path` (and its head
/// file and key), in the format audit_append writes.
void write_audit_log(const std::string& path, const AuditLogSpec& spec);

/// A PostgreSQL server of its own: initdb and pg_ctl in a temporary directory, listening only on
/// a unix socket there. As root (initdb refuses root) the server runs as the `postgres` user, else
/// `nobody`, through runuser. One per test process (started on first use, stopped at exit).
class TempPostgres {
 public:
  static TempPostgres& shared();
  bool ok() const { return why_not_.empty(); }
  const std::string& why_not() const { return why_not_; }
  /// postgresql://vigil@/DB?host=<socket dir>: a fresh database per call (so tests do not share).
  std::string fresh_db_url();
  ~TempPostgres();

 private:
  TempPostgres();
  std::string dir_, bin_, run_as_, why_not_;
  unsigned dbs_ = 0;
};

}  // namespace vigil::test
