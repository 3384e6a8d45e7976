// AuditLog: an append-only JSON Lines trail of gate decisions, hash-chained and keyed (HMAC-SHA256)
// so that an edit, a deletion, a truncation or a rewrite is detected by `vigil audit verify`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "detectors/util/result.h"

namespace vigil {

/// The key of a log when none is configured: "vigil-audit.key" in the log's directory.
std::string default_audit_key_path(const std::string& log_path);

/// Makes a random key (32 bytes as hex, mode 0600) at `key_path` unless one exists; true when it
/// made one. `vigil install --server` calls it; audit_append does the same on first use.
Result<bool> ensure_audit_key(const std::string& key_path);

struct AuditKeyOptions {
  std::string path;    // empty = default_audit_key_path(log)
  bool create = true;  // make a random key (0600) when the file does not exist
};

/// Appends `record` under an exclusive lock, adding "seq", "prev" (SHA-256 of the previous
/// line) and, last on the line, "mac": HMAC-SHA256 under the log's key of the line as it reads
/// without the mac (so it covers "prev", and through it every earlier line). The first keyed
/// record of a log that began unkeyed says how many records came before it ("unkeyed_before"),
/// so they cannot be passed off later. A sidecar `<path>.head` holds the last seq, hash and a MAC
/// of both, so that removing records from the end is detected too. Fsyncs; safe across processes.
/// Never throws: strings that are not UTF-8 are written with U+FFFD.
Result<void> audit_append(const std::string& path, nlohmann::json record, const AuditKeyOptions& key = {});

struct AuditVerifyResult {
  bool ok = true;
  std::size_t records = 0;
  std::size_t keyed = 0;    // records whose MAC was checked
  std::size_t unkeyed = 0;  // records written before the key existed (or without one)
  bool key_used = false;    // the key could be read: MACs were checked
  std::string key_note;     // when !key_used: why (no key file, unreadable, ...)
  std::string problem;      // "line 7 (seq 7): ..." when not ok
};

/// Checks the log at `path`: each record's type and fields, the sequence, the hash chain, the head
/// file and, when the key at `key_path` ("" = the default path) can be read, every MAC. Without
/// the key only the unkeyed chain is checked, which a rewrite that recomputes every hash passes.
Result<AuditVerifyResult> audit_verify(const std::string& path, const std::string& key_path = "");

/// The hash that chains a line to the next (SHA-256 of the line without its newline).
std::string audit_line_hash(const std::string& line);

}  // namespace vigil
