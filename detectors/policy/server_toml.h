// Internal: parses the [server] table (only config.cc and server_policy.cc include toml++).
#pragma once

#include "detectors/util/toml.h"

#include <string_view>

#include "detectors/policy/server_policy.h"

namespace vigil {

/// Parses a [server] table into `out`. Errors name file:line:col.
Result<void> parse_server_settings(const toml::node& node, std::string_view path, ServerSettings& out);

}  // namespace vigil
