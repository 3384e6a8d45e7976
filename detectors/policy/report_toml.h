// Internal: parses the [report] table (only config.cc and report_settings.cc include toml++).
#pragma once

#include "detectors/util/toml.h"

#include <string_view>

#include "detectors/policy/report_settings.h"

namespace vigil {

/// Parses a [report] table into `out`. Errors name file:line:col.
Result<void> parse_report_settings(const toml::node& node, std::string_view path, ReportSettings& out);

}  // namespace vigil
