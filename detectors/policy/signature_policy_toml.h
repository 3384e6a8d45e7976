// Internal: the [signatures] table of .vigil.toml. Only .cc files that already use toml++
// (detectors/policy/config.cc and detectors/policy/signature_policy.cc) include this.
#pragma once

#include "detectors/util/toml.h"

#include <string_view>

#include "detectors/policy/signature_policy.h"
#include "detectors/util/result.h"

namespace vigil {

/// Parses a [signatures] table. Unknown keys and wrong types are errors that name file:line:col.
Result<SignaturePolicy> parse_signature_policy(const toml::table& table, std::string_view path);

}  // namespace vigil
