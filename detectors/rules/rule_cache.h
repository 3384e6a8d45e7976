// RuleCache: the parsed built-in rule pack in a compact binary form, so a hook run does not parse
// ~290 KB of TOML each time (that parse cost more than the rest of a pre-commit run).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/rules/rule.h"

namespace vigil {

/// Serializes rules (every field). The output starts with a magic line and ends with
/// an XXH3-64 checksum of everything before it.
std::string serialize_rules(const std::vector<Rule>& rules);

/// The rules back, or nothing when the bytes are not exactly what serialize_rules wrote
/// (truncated, corrupt, another version): the caller then parses the TOML again.
/// With RuleDetail::Scan, examples are skipped (left empty).
std::optional<std::vector<Rule>> deserialize_rules(std::string_view bytes, RuleDetail detail = RuleDetail::Full);

}  // namespace vigil
