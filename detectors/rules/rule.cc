#include "detectors/rules/rule.h"

namespace vigil {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "high";
}
const char* to_string(Confidence c) {
  switch (c) {
    case Confidence::Low: return "low";
    case Confidence::Medium: return "medium";
    case Confidence::High: return "high";
  }
  return "medium";
}
const char* to_string(Mode m) {
  switch (m) {
    case Mode::Observe: return "observe";
    case Mode::Warn: return "warn";
    case Mode::Enforce: return "enforce";
  }
  return "enforce";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "info") return Severity::Info;
  if (s == "low") return Severity::Low;
  if (s == "medium") return Severity::Medium;
  if (s == "high") return Severity::High;
  if (s == "critical") return Severity::Critical;
  return std::nullopt;
}
std::optional<Confidence> parse_confidence(std::string_view s) {
  if (s == "low") return Confidence::Low;
  if (s == "medium") return Confidence::Medium;
  if (s == "high") return Confidence::High;
  return std::nullopt;
}
std::optional<Mode> parse_mode(std::string_view s) {
  if (s == "observe") return Mode::Observe;
  if (s == "warn") return Mode::Warn;
  if (s == "enforce") return Mode::Enforce;
  return std::nullopt;
}

bool valid_rule_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  bool need_alnum = true;
  for (char c : id) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      need_alnum = false;
    } else if ((c == '.' || c == '-') && !need_alnum) {
      need_alnum = true;
    } else {
      return false;
    }
  }
  return !need_alnum;
}

}  // namespace vigil
