// Report: the result of one gate or scan run, and the Reporter interface every format implements.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "detectors/finding.h"
#include "detectors/util/result.h"

namespace vigil {

/// Who reads the text output; decides the advice printed under the findings.
enum class Audience { Committer,
                      Pusher,
                      Server,
                      Ci };

struct ScanReport {
  std::vector<Finding> findings;
  std::vector<Skip> skips;
  std::string tool_version;
  std::string rules_version;
  std::string target;             // what was scanned ("staged changes", a path, a range)
  std::size_t items_scanned = 0;  // files or blobs
  std::uint64_t bytes_scanned = 0;
  double duration_ms = 0;
  /// Set by the laptop gates when the policy lets VIGIL_SKIP through ([settings] allow_skip):
  /// only then does the text report offer it as the recorded way past a block.
  bool skip_allowed = false;
  std::size_t count(Disposition d) const;
  bool blocked() const { return count(Disposition::Block) > 0; }
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  /// Writes the whole report to `out`.
  virtual Result<void> write(const ScanReport& report, std::FILE* out) = 0;
};

/// "text", "json" (JSON Lines), and the formats the CI backstop adds. Unknown name = nullptr.
std::unique_ptr<Reporter> make_reporter(const std::string& format, Audience audience, bool color);
/// Names accepted by make_reporter, for help and error messages.
std::vector<std::string> reporter_formats();

/// The vigil version string.
const char* vigil_version();

}  // namespace vigil
