// The evidence database's schema and its versioned migrations: a new database is created at the
// current version, an older one is upgraded step by step in one transaction, and a newer one (a
// later vigil wrote it) is refused rather than downgraded.
#pragma once

#include "detectors/evidence/db.h"

namespace vigil::evidence {

/// The version this vigil writes: 1 = logs and records; 2 = pusher column (backfilled from each
/// record), time index, shared clean-blob cache.
inline constexpr int kSchemaVersion = 2;

/// The database's schema version (0 = empty).
Result<int> schema_version(EvidenceDb& db);

/// Brings the schema to `target` (tests use an older target to build a previous version).
/// Concurrent callers are serialised (SQLite write lock, PostgreSQL advisory lock).
Result<void> migrate(EvidenceDb& db, int target = kSchemaVersion);

}  // namespace vigil::evidence
