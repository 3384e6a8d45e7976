// Internal: converts one TOML table to a Rule. Only rule_loader.cc and config.cc include toml++.
#pragma once

#include "detectors/util/toml.h"

#include <string>
#include <string_view>

#include "detectors/rules/rule.h"
#include "detectors/util/result.h"

namespace vigil {

/// "path:line:col: " for a node, for error messages.
std::string toml_where(std::string_view path, const toml::node& node);
std::string toml_where(std::string_view path, const toml::source_region& region);

/// Converts a [[rules]] table. With `partial` (an override of an existing rule), regex may be
/// omitted. Unknown keys are errors, with a suggestion.
Result<Rule> rule_from_toml(const toml::table& t, std::string_view path, bool partial);

/// Reads an array of strings; errors name the key.
Result<std::vector<std::string>> toml_strings(const toml::node& n, std::string_view key,
                                              std::string_view path);

}  // namespace vigil
