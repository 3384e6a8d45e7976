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
  std::string reason;
};
InlineAllow parse_inline_allow(std::string_view line, const Config& config);

/// Sets finding.disposition and finding.note. `secret` is used only for allow regexes/stopwords.
void decide(const Config& config, const Rule& rule, std::string_view secret, std::string_view line,
            Finding& finding);

/// The mode and threshold part alone (no allows): Block, Warn or Observe.
Disposition mode_disposition(const Config& config, const Rule& rule);

/// True when any finding blocks.
bool any_blocking(const std::vector<Finding>& findings);

}  // namespace vigil
