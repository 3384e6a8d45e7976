// Policy: turns a raw finding into a disposition (block, warn, observe, allowed) from the config.
#pragma once

#include <string>
#include <string_view>

#include "detectors/finding.h"
#include "detectors/policy/config.h"

namespace vigil {

/// Parsed `vigil:allow [rule-id ...] reason` comment on a line, if any.
struct InlineAllow {
  bool present = false;
  std::vector<std::string> rules;  // empty = every rule
  std::string reason;              // required: an allow without one is refused
  /// A leading word shaped like an id of a known rule family ("github.pta") that names no rule:
  /// the allow is refused rather than read as a reason that allows every rule.
  std::string unknown_rule;
  /// "false-positive" or "accepted-risk" when the word after the rule ids names one.
  std::string kind;
};
/// `rules` are the rules an id may name (an Engine's config has handed its rules to the scanner:
/// pass engine.scanner.rules() there).
InlineAllow parse_inline_allow(std::string_view line, const std::vector<Rule>& rules);
InlineAllow parse_inline_allow(std::string_view line, const Config& config);

/// Sets finding.disposition and finding.note: inline allow (only with a reason, only for the rules
/// it names, and not where inline_allow_max_severity or min_mode = "enforce" covers the severity),
/// [[allow]] entries, unexpired waivers, then the mode. An expired waiver is named in
/// the note of the finding it no longer covers. `secret` is used only for allow regexes/stopwords;
/// finding.fingerprint and finding.path must be set. `today` decides waiver expiry.
/// `known_rules`: the rules an inline allow may name; null = config.rules.
void decide(const Config& config, const Rule& rule, std::string_view secret, std::string_view line,
            Finding& finding, Date today, const std::vector<Rule>* known_rules = nullptr);
/// The same, with today() (VIGIL_NOW or the system clock).
void decide(const Config& config, const Rule& rule, std::string_view secret, std::string_view line,
            Finding& finding, const std::vector<Rule>* known_rules = nullptr);

/// The mode the config gives a rule: the rule's own, else its family's, else settings.mode.
Mode configured_mode(const Config& config, const Rule& rule);
/// configured_mode raised to the policy's minimum for the rule's severity (min_mode).
Mode effective_mode(const Config& config, const Rule& rule);

/// The mode and threshold part alone (no allows): Block, Warn or Observe. Findings below
/// fail_on warn, unless min_mode requires enforcing their severity.
Disposition mode_disposition(const Config& config, const Rule& rule);

}  // namespace vigil
