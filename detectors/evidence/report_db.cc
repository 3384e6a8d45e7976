#include "detectors/evidence/report_db.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/util/glob.h"

namespace vigil::evidence {

Result<DbReport> load_db_report(EvidenceDb& db, const DbReportOptions& opts) {
  const auto& w = opts.window;
  // fold_metrics pulls records while a query pushes rows, and a streaming query holds its
  // connection: so the records come in pages of kPage, each resumed after the last key seen
  // ((time, log_id, seq) is indexed), and at most one page is held.
  constexpr std::size_t kPage = 4096;
  std::vector<DbValue> window_params;
  std::string window_sql;
  if (w.since || w.until) {
    // Times are ISO 8601 UTC text, so ranges compare as strings; "~" sorts after any time of the day.
    window_sql = "time >= ? AND time <= ?";
    window_params.emplace_back(w.since ? to_string(*w.since) : std::string("0000"));
    window_params.emplace_back(w.until ? to_string(*w.until) + "~" : std::string("9999"));
  }
  TrendFolder trends(opts.settings);
  std::size_t skipped = 0;
  std::optional<Error> failed;
  std::vector<nlohmann::json> page;
  page.reserve(kPage);
  std::size_t at = 0;
  bool first = true, last = false;
  std::string k_time, k_log, k_seq;
  auto refill = [&]() -> bool {
    page.clear();
    at = 0;
    if (last) return false;
    std::string sql = "SELECT body, repo, time, log_id, seq FROM evidence_records";
    std::vector<DbValue> params = window_params;
    std::string cond = window_sql;
    if (!first) {
      cond += std::string(cond.empty() ? "" : " AND ") + "(time, log_id, seq) > (?, ?, ?)";
      params.insert(params.end(), {k_time, k_log, k_seq});
    }
    if (!cond.empty()) sql += " WHERE " + cond;
    sql += fmt::format(" ORDER BY time, log_id, seq LIMIT {}", kPage);
    std::size_t rows = 0;
    auto r = db.query(sql, params, [&](const DbRow& row) {
      ++rows;
      k_time = row[2].value_or("");
      k_log = row[3].value_or("");
      k_seq = row[4].value_or("0");
      if (!opts.repos.empty()) {
        const std::string repo = row[1].value_or("");
        if (std::none_of(opts.repos.begin(), opts.repos.end(), [&](const std::string& g) { return glob_match(g, repo); })) {
          return true;
        }
      }
      auto j = nlohmann::json::parse(row[0].value_or(""), nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        ++skipped;
        return true;
      }
      page.push_back(std::move(j));
      return true;
    });
    if (!r) {
      failed = r.error();
      last = true;
      return false;
    }
    first = false;
    last = rows < kPage;
    return true;
  };
  GovernanceMetrics metrics = fold_metrics(
      [&](nlohmann::json& rec) {
        while (at == page.size()) {
          if (!refill()) return false;
        }
        rec = std::move(page[at++]);
        trends.add(rec);
        return true;
      },
      w);
  if (failed) return *failed;
  metrics.skipped_records = skipped;
  // Each shipped log, and how it got in: a log is shipped only once its chain verifies.
  auto logs = db.query("SELECT l.source, l.kind, COUNT(r.seq) FROM evidence_logs l LEFT JOIN evidence_records r "
                       "ON r.log_id = l.log_id GROUP BY l.log_id, l.source, l.kind ORDER BY l.source",
                       {}, [&](const DbRow& row) {
                         const bool audit = row[1].value_or("") == "audit";
                         metrics.logs.push_back(LogIntegrity{row[0].value_or(""), std::stoul(row[2].value_or("0")),
                                                             audit ? "chain verified when shipped" : "scan result"});
                         return true;
                       });
  if (!logs) return logs.error();
  return DbReport{std::move(metrics), trends.finish()};
}

}  // namespace vigil::evidence
