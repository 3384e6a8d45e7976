#include "detectors/finding.h"

#include "detectors/util/hash.h"

namespace vigil {

const char* to_string(Disposition d) {
  switch (d) {
    case Disposition::Block: return "block";
    case Disposition::Warn: return "warn";
    case Disposition::Observe: return "observe";
    case Disposition::Allowed: return "allowed";
    case Disposition::Waived: return "waived";
    case Disposition::Baselined: return "baselined";
    case Disposition::Bypassed: return "bypassed";
  }
  return "block";
}

std::string fingerprint(std::string_view rule_id, std::string_view secret) {
  // The salt makes a fingerprint useless for confirming a guessed low-entropy secret with a
  // generic rainbow table; the rule id scopes it so two rules never collide.
  const auto h = Sha256().update("vigil-fingerprint-v1\0").update(rule_id).update(std::string_view("\0", 1)).update(secret).hex();
  return std::string(rule_id) + ":" + h.substr(0, 24);
}

std::size_t count_bound_hits(const std::vector<Skip>& skips) {
  std::size_t n = 0;
  for (const auto& s : skips) n += s.bound.empty() ? 0 : 1;
  return n;
}

}  // namespace vigil
