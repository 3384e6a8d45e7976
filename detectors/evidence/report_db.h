// The governance report over the evidence database: every shipped record (all servers,
// repositories and CI scans) streamed in time order through the same metrics as `vigil report`
// over files, plus the per-repository and per-team trends and the metrics against their targets.
#pragma once

#include <string>
#include <vector>

#include "detectors/audit/governance_report.h"
#include "detectors/evidence/db.h"
#include "detectors/evidence/trends.h"

namespace vigil::evidence {

struct DbReportOptions {
  ReportWindow window;
  ReportSettings settings;
  std::vector<std::string> repos;  // globs; empty = every repository
};

struct DbReport {
  GovernanceMetrics metrics;
  EvidenceTrends trends;
};

Result<DbReport> load_db_report(EvidenceDb& db, const DbReportOptions& opts);

}  // namespace vigil::evidence
