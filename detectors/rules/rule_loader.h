// Loads rules from TOML text (the built-in pack and rules files given on the command line).
#pragma once

#include <string_view>
#include <vector>

#include "detectors/rules/rule.h"
#include "detectors/util/result.h"

namespace vigil {

/// Parses every [[rules]] entry of a TOML document. Errors read "path:line:col: what".
Result<std::vector<Rule>> load_rules_text(std::string_view text, std::string_view path);

/// The built-in pack, parsed. Cheap to call again: parsed once per process.
const Result<std::vector<Rule>>& builtin_rules();

/// A fresh copy of the built-in pack for a caller that edits it (the config loader): read from
/// the rules cache (or parsed and cached) each call, which is cheaper than copying builtin_rules().
Result<std::vector<Rule>> load_builtin_rules(RuleDetail detail = RuleDetail::Full);

/// A hash of the built-in pack's text (stable across runs; part of the database cache key).
const std::string& builtin_rules_hash();

}  // namespace vigil
