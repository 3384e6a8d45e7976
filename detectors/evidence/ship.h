// Shipping evidence: audit trails and `vigil scan --format json` results into the evidence
// database. Idempotent and resumable (records are keyed by log identity and sequence, and carry
// their chain hash), and a trail whose chain does not verify is refused, naming the first bad record.
#pragma once

#include <cstddef>
#include <string>

#include "detectors/evidence/db.h"

namespace vigil::evidence {

struct ShipOptions {
  std::string key_path;      // the log's HMAC key ("" = vigil-audit.key beside it)
  std::string source;        // where the log lives, as recorded ("" = host:absolute path)
  std::size_t batch = 2000;  // records per transaction: a kill loses at most the open one
};

struct ShipResult {
  std::string log_id;       // sha256 of the first record (audit) or of the file (scan)
  std::size_t records = 0;  // records in the verified log
  std::size_t shipped = 0;  // written by this run
  std::size_t already = 0;  // found in the database (an earlier or concurrent ship)
  bool key_used = false;    // MACs were verified
  std::string key_note;     // why not
  std::string refused;      // non-empty: the chain did not verify; nothing was shipped
};

/// Verifies the trail at `path` (hash chain, head file, MACs when the key can be read), then ships
/// what the database does not hold yet, in batches. A database that holds a different record
/// under the same identity and sequence (the log was rewritten after it was shipped) is refused.
Result<ShipResult> ship_audit_log(EvidenceDb& db, const std::string& path, const ShipOptions& opts);

/// Ships one scan result as one record (hook "scan") of its own log; `repo` names the repository
/// it scanned ("" = the summary's target, else the file's path).
Result<ShipResult> ship_scan_result(EvidenceDb& db, const std::string& path, const std::string& repo,
                                    const ShipOptions& opts);

}  // namespace vigil::evidence
