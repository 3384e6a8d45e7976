// The clean-blob cache in the evidence database: blob ids judged clean under a rules key, shared
// by every scanner that writes there (CI shards on many runners, re-runs), so a blob judged clean
// once is not read again under the same rules.
#pragma once

#include <string>
#include <vector>

#include "detectors/evidence/db.h"

namespace vigil::evidence {

/// Every blob id (hex) the database holds as clean under `rules_key`.
Result<std::vector<std::string>> load_clean_blobs(EvidenceDb& db, const std::string& rules_key);

/// Records `ids` as clean under `rules_key` (ids already there are kept once).
Result<void> store_clean_blobs(EvidenceDb& db, const std::string& rules_key, const std::vector<std::string>& ids);

}  // namespace vigil::evidence
