// Waiver: a time-boxed, owned exception for one secret (by fingerprint) or one rule on some paths,
// and the governance settings that bound waivers, inline allows, skips and modes.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detectors/finding.h"
#include "detectors/policy/clock.h"
#include "detectors/rules/rule.h"
#include "detectors/scan/regex.h"

namespace vigil {

/// One [[waivers]] entry. Matches by `fingerprint` (bound to the secret itself, so a different key
/// on the same line is not hidden), or by `rule` plus a `path` glob.
struct Waiver {
  std::string id;           // optional name, shown in messages
  std::string fingerprint;  // "rule.id:hex", as reports print it
  std::string rule;
  std::string path;   // glob; with `rule`, or narrowing a fingerprint
  std::string owner;  // e-mail address of who answers for it
  std::string reason;
  std::optional<Date> created;
  Date expires;       // the waiver works through this date, inclusive
  std::string where;  // "file:line" of the entry
  std::string kind;   // "false-positive" | "accepted-risk" | "" (not said)
  /// "waiver 'id' at file:line" or "waiver at file:line": how messages name it.
  std::string label() const;
};

/// Policy knobs of [settings] (and the server floor) that bound exceptions and modes.
struct GovernanceSettings {
  std::array<std::optional<Mode>, 5> min_mode{};      // by Severity: the least mode a finding gets
  std::optional<int> waiver_max_days;                 // longest created..expires span
  std::vector<Regex> waiver_reason_regexes;           // each must match a waiver's reason
  std::optional<Severity> inline_allow_max_severity;  // inline `vigil:allow` honoured up to this
  bool allow_skip = true;                             // VIGIL_SKIP on the laptop
  bool mode_explicit = false;                         // [settings] mode was given (not the default)
  Mode min_mode_for(Severity s) const {
    const auto& m = min_mode[static_cast<std::size_t>(s)];
    return m ? *m : Mode::Observe;
  }
};

/// The kinds an exception (waiver, inline allow) may name.
bool valid_exception_kind(std::string_view kind);

/// True when the waiver covers the finding (expiry is not considered here).
bool waiver_matches(const Waiver& w, const Finding& f);

/// The waiver covering `f`: the first active one, else the first expired one (so the message
/// can name it), else nullptr. `expired` says which.
const Waiver* find_waiver(const std::vector<Waiver>& waivers, const Finding& f, Date today, bool& expired);

/// Problems of a waiver against the policy (span too long, reason without a ticket reference).
/// Missing fields are rejected while parsing; these are the policy-dependent checks.
std::vector<std::string> waiver_policy_problems(const Waiver& w, const GovernanceSettings& g);

/// The family of a rule id: its first dotted component ("github" for "github.pat").
std::string rule_family(std::string_view rule_id);

}  // namespace vigil
