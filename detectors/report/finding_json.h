// Internal: the JSON object of one finding, shared by the JSON-based reporters.
#pragma once

#include <nlohmann/json.hpp>

#include "detectors/finding.h"

namespace vigil {

nlohmann::json finding_to_json(const Finding& f);

}  // namespace vigil
