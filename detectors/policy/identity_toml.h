// Internal: the [pushers] and [ai] tables of .vigil.toml. Only config.cc and the two policy files
// that define these parsers include this (it pulls in toml++).
#pragma once

#include "detectors/util/toml.h"

#include <string_view>

#include "detectors/policy/ai_policy.h"
#include "detectors/policy/pusher_policy.h"
#include "detectors/util/result.h"

namespace vigil {

/// Parses a [pushers] table. Unknown keys and wrong types are errors that name file:line:col.
Result<PusherPolicy> parse_pusher_policy(const toml::table& table, std::string_view path);

/// Parses an [ai] table (with its [[ai.escalate]] entries).
Result<AiPolicy> parse_ai_policy(const toml::table& table, std::string_view path);

}  // namespace vigil
