// AuditLog: an append-only JSON Lines trail of gate decisions, hash-chained so that an edit,
// a deletion or a truncation is detected by `vigil audit verify`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "detectors/util/result.h"

namespace vigil {

/// Appends `record` under an exclusive lock, adding "seq", "prev" (SHA-256 of the previous
/// line) and fsyncing. A sidecar `<path>.head` holds the last seq and hash, so that removing
/// records from the end is detected too. Safe across concurrent processes.
Result<void> audit_append(const std::string& path, nlohmann::json record);

struct AuditVerifyResult {
  bool ok = true;
  std::size_t records = 0;
  std::string problem;  // "line 7: ..." when not ok
};

/// Checks the chain of the log at `path`.
Result<AuditVerifyResult> audit_verify(const std::string& path);

/// The hash that chains a line to the next (SHA-256 of the line without its newline).
std::string audit_line_hash(const std::string& line);

}  // namespace vigil
