// Internal: constructors of the concrete reporters, used by make_reporter().
#pragma once

#include <memory>

#include "detectors/report/report.h"

namespace vigil {

std::unique_ptr<Reporter> make_text_reporter(Audience a, bool color);
std::unique_ptr<Reporter> make_json_reporter();
std::unique_ptr<Reporter> make_sarif_reporter();
std::unique_ptr<Reporter> make_junit_reporter();
std::unique_ptr<Reporter> make_csv_reporter();
std::unique_ptr<Reporter> make_gitlab_reporter();

}  // namespace vigil
