#include "detectors/evidence/schema.h"

#include <fmt/format.h>

#include <string>

namespace vigil::evidence {

namespace {

// One step per version; the SQL is what both backends accept, except where a step names each.
struct Step {
  const char* common;
  const char* sqlite;    // after common, SQLite only
  const char* postgres;  // after common, PostgreSQL only
};

// clang-format off
constexpr Step kSteps[] = {
  // 1: logs (one per audit trail or scan result, by identity) and their records.
  {"CREATE TABLE evidence_logs ("
   " log_id TEXT PRIMARY KEY,"         // sha256 of the first line (audit log) or of the file (scan result)
   " kind TEXT NOT NULL,"              // audit | scan
   " source TEXT NOT NULL,"            // where it was first shipped from (host:path)
   " first_shipped TEXT NOT NULL);"
   "CREATE TABLE evidence_records ("
   " log_id TEXT NOT NULL REFERENCES evidence_logs(log_id),"
   " seq BIGINT NOT NULL,"
   " hash TEXT NOT NULL,"              // sha256 of the line: the chain's link
   " time TEXT NOT NULL,"
   " hook TEXT NOT NULL,"
   " repo TEXT NOT NULL,"
   " decision TEXT NOT NULL,"
   " body TEXT NOT NULL,"              // the record as written (with its MAC)
   " PRIMARY KEY (log_id, seq))", "", ""},
  // 2: who pushed (backfilled from the stored records), the time index reports scan by, and the
  //    clean-blob cache shared by server hooks and CI scans.
  {"ALTER TABLE evidence_records ADD COLUMN pusher TEXT NOT NULL DEFAULT '';"
   "CREATE INDEX evidence_records_time ON evidence_records(time, log_id, seq);"
   "CREATE TABLE evidence_clean_blobs ("
   " rules_version TEXT NOT NULL,"
   " blob TEXT NOT NULL,"
   " PRIMARY KEY (rules_version, blob))",
   "UPDATE evidence_records SET pusher = COALESCE(json_extract(body, '$.pusher'), '') WHERE json_valid(body)",
   "UPDATE evidence_records SET pusher = COALESCE(body::json->>'pusher', '')"},
};
// clang-format on
static_assert(std::size(kSteps) == kSchemaVersion, "one migration step per schema version");

Result<int> read_version(EvidenceDb& db) {
  auto row = db.first_row("SELECT version FROM vigil_schema WHERE id = 1", {});
  if (!row) return row.error();
  if (!*row || !(**row)[0]) return 0;
  return std::stoi(*(**row)[0]);
}

}  // namespace

Result<int> schema_version(EvidenceDb& db) {
  auto exists = db.backend() == Backend::Sqlite
                    ? db.first_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vigil_schema'", {})
                    : db.first_row("SELECT 1 FROM information_schema.tables WHERE table_name = 'vigil_schema' "
                                   "AND table_schema = current_schema()",
                                   {});
  if (!exists) return exists.error();
  if (!*exists) return 0;
  return read_version(db);
}

Result<void> migrate(EvidenceDb& db, int target) {
  return db.transaction([&]() -> Result<void> {
    if (db.backend() == Backend::Postgres) {
      // Two shippers that meet an empty database: the second waits, then finds it created.
      if (auto r = db.exec("SELECT pg_advisory_xact_lock(7426001)"); !r) return r;
    }
    if (auto r = db.exec("CREATE TABLE IF NOT EXISTS vigil_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, "
                         "migrated TEXT NOT NULL)");
        !r) {
      return r;
    }
    auto v = read_version(db);
    if (!v) return v.error();
    if (*v > target) {
      return make_error(ErrorCode::Config,
                        fmt::format("the evidence database {} is at schema version {}, newer than this vigil's {} — "
                                    "upgrade vigil to read or write it (vigil never downgrades a database)",
                                    db.url(), *v, target));
    }
    for (int next = *v + 1; next <= target; ++next) {
      const Step& s = kSteps[next - 1];
      const char* own = db.backend() == Backend::Sqlite ? s.sqlite : s.postgres;
      for (const char* sql : {s.common, own}) {
        if (*sql == '\0') continue;
        if (auto r = db.exec(sql); !r) {
          return make_error(r.error().code, fmt::format("migrating the evidence database to schema version {}: {}", next,
                                                        r.error().message));
        }
      }
    }
    if (*v == target) return {};
    auto up = db.run("INSERT INTO vigil_schema (id, version, migrated) VALUES (1, ?, CURRENT_TIMESTAMP) "
                     "ON CONFLICT (id) DO UPDATE SET version = excluded.version, migrated = excluded.migrated",
                     {std::to_string(target)});
    if (!up) return up.error();
    return {};
  });
}

}  // namespace vigil::evidence
