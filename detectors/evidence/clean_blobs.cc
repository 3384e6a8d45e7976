#include "detectors/evidence/clean_blobs.h"

namespace vigil::evidence {

Result<std::vector<std::string>> load_clean_blobs(EvidenceDb& db, const std::string& rules_key) {
  std::vector<std::string> out;
  auto r = db.query("SELECT blob FROM evidence_clean_blobs WHERE rules_version = ?", {rules_key}, [&](const DbRow& row) {
    if (row[0]) out.push_back(*row[0]);
    return true;
  });
  if (!r) return r.error();
  return out;
}

Result<void> store_clean_blobs(EvidenceDb& db, const std::string& rules_key, const std::vector<std::string>& ids) {
  constexpr std::size_t kPerStatement = 400;
  return db.transaction([&]() -> Result<void> {
    for (std::size_t at = 0; at < ids.size(); at += kPerStatement) {
      const std::size_t n = std::min(kPerStatement, ids.size() - at);
      std::string sql = "INSERT INTO evidence_clean_blobs (rules_version, blob) VALUES ";
      std::vector<DbValue> params;
      for (std::size_t i = 0; i < n; ++i) {
        sql += i ? ",(?,?)" : "(?,?)";
        params.emplace_back(rules_key);
        params.emplace_back(ids[at + i]);
      }
      sql += " ON CONFLICT (rules_version, blob) DO NOTHING";
      if (auto r = db.run(sql, params); !r) return r.error();
    }
    return {};
  });
}

}  // namespace vigil::evidence
