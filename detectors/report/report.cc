#include "detectors/report/report.h"

#include <algorithm>

#include "detectors/report/reporters.h"

namespace vigil {

std::size_t ScanReport::count(Disposition d) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [d](const Finding& f) { return f.disposition == d; }));
}

std::unique_ptr<Reporter> make_reporter(const std::string& format, Audience audience, bool color) {
  if (format == "text") return make_text_reporter(audience, color);
  if (format == "json") return make_json_reporter();
  if (format == "sarif") return make_sarif_reporter();
  if (format == "junit") return make_junit_reporter();
  if (format == "csv") return make_csv_reporter();
  if (format == "gitlab") return make_gitlab_reporter();
  return nullptr;
}

std::vector<std::string> reporter_formats() { return {"text", "json", "sarif", "junit", "csv", "gitlab"}; }

const char* vigil_version() { return VIGIL_VERSION; }

}  // namespace vigil
