// Finding: a match with its location and policy outcome. Never holds the secret in clear.
#pragma once

#include <string>
#include <vector>

#include "detectors/rules/rule.h"

namespace vigil {

/// What policy decided for one finding.
enum class Disposition {
  Block,      // enforce mode: fails the gate
  Warn,       // warn mode, or below the fail-on threshold: printed, does not fail
  Observe,    // observe mode: recorded only
  Allowed,    // inline `vigil:allow` comment or an [[allow]] entry
  Waived,     // an unexpired waiver
  Baselined,  // present in the baseline file
  Bypassed,   // an audited bypass
};
const char* to_string(Disposition d);

struct Finding {
  std::string rule_id;
  std::string rule_name;
  Severity severity = Severity::High;
  Confidence confidence = Confidence::Medium;
  std::vector<std::string> tags;
  std::string path;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string commit;    // where known
  std::string author;    // "Name <email>", where known
  std::string date;      // ISO 8601, where known
  std::string blob;      // blob id, where known
  std::string redacted;  // the secret, masked
  std::string excerpt;   // the line, with every secret on it masked, truncated
  std::string fingerprint;
  std::string encoding;  // "" or the layers the secret was found inside
  Disposition disposition = Disposition::Block;
  std::string note;  // why it was allowed / waived / warned
  /// The kind of exception that let it through (waiver or inline allow): "false-positive",
  /// "accepted-risk", or "" when it names none. Reports count false positives from it.
  std::string kind;
};

/// One input that was not scanned, and why. Skips are reported, never silent.
struct Skip {
  Skip() = default;
  Skip(std::string p, std::string c, std::string r, std::string b = {})
      : path(std::move(p)), commit(std::move(c)), reason(std::move(r)), bound(std::move(b)) {}
  std::string path;
  std::string commit;
  std::string reason;  // "binary", "larger than 5 MiB (7.2 MiB)", ...
  /// Empty for a skip by policy (binary, symbolic link). Otherwise the bound that was reached
  /// ("max_file_size", "max_candidates", "confirm_limit", "window", "decode_depth"): the input was
  /// not fully judged, so a gate blocks (server: unless [server] on_limit = "accept").
  std::string bound;
};

/// The skips that are bounds reached (Skip::bound set).
std::size_t count_bound_hits(const std::vector<Skip>& skips);

/// Stable id of a secret for a rule: rule id plus a salted SHA-256 of the secret. Independent of
/// line numbers and paths, and reveals nothing about the secret.
std::string fingerprint(std::string_view rule_id, std::string_view secret);

}  // namespace vigil
