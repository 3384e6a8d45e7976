#include "detectors/evidence/ship.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "detectors/audit/audit_log.h"
#include "detectors/audit/governance_report.h"
#include "detectors/util/hash.h"
#include "detectors/util/read_file.h"

namespace vigil::evidence {

namespace {

std::string str(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string default_source(const std::string& path) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::error_code ec;
  const auto abs = std::filesystem::absolute(path, ec);
  return fmt::format("{}:{}", host, ec ? path : abs.string());
}

struct Row {
  std::uint64_t seq;
  std::string hash, time, hook, repo, decision, pusher, body;
};

Result<void> register_log(EvidenceDb& db, const std::string& log_id, const char* kind, const std::string& source) {
  auto r = db.run("INSERT INTO evidence_logs (log_id, kind, source, first_shipped) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT (log_id) DO NOTHING",
                  {log_id, std::string(kind), source, now_iso()});
  if (!r) return r.error();
  return {};
}

// Inserts `rows` in one transaction; rows the database already holds are compared by hash.
Result<void> insert_batch(EvidenceDb& db, const std::string& log_id, const std::vector<Row>& rows, ShipResult& res,
                          const std::string& path) {
  constexpr std::size_t kPerStatement = 200;  // rows per INSERT: one round trip each
  return db.transaction([&]() -> Result<void> {
    std::size_t inserted = 0;
    for (std::size_t at = 0; at < rows.size(); at += kPerStatement) {
      const std::size_t n = std::min(kPerStatement, rows.size() - at);
      std::string sql = "INSERT INTO evidence_records (log_id, seq, hash, time, hook, repo, decision, pusher, body) VALUES ";
      std::vector<DbValue> params;
      params.reserve(n * 9);
      for (std::size_t i = 0; i < n; ++i) {
        const Row& r = rows[at + i];
        sql += i ? ",(?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?)";
        for (const std::string* v : {&log_id, static_cast<const std::string*>(nullptr), &r.hash, &r.time, &r.hook, &r.repo,
                                     &r.decision, &r.pusher, &r.body}) {
          params.emplace_back(v ? *v : std::to_string(r.seq));
        }
      }
      sql += " ON CONFLICT (log_id, seq) DO NOTHING";
      auto done = db.run(sql, params);
      if (!done) return done.error();
      inserted += *done;
    }
    if (inserted < rows.size()) {
      // Another shipper (or an earlier run) holds some of these: they must be the same records.
      std::string mismatch;
      std::size_t i = 0;
      auto q = db.query("SELECT seq, hash FROM evidence_records WHERE log_id = ? AND seq >= ? AND seq <= ? ORDER BY seq",
                        {log_id, std::to_string(rows.front().seq), std::to_string(rows.back().seq)},
                        [&](const DbRow& row) {
                          const auto seq = std::stoull(row[0].value_or("0"));
                          while (i < rows.size() && rows[i].seq < seq) ++i;
                          if (i < rows.size() && rows[i].seq == seq && row[1].value_or("") != rows[i].hash) {
                            mismatch = fmt::format("record {}", seq);
                            return false;
                          }
                          return true;
                        });
      if (!q) return q.error();
      if (!mismatch.empty()) {
        return make_error(ErrorCode::Config,
                          fmt::format("the evidence database holds a different {} for the log {} — the log was rewritten "
                                      "after it was shipped; keep both and investigate (`vigil audit verify`)",
                                      mismatch, path));
      }
    }
    res.shipped += inserted;
    res.already += rows.size() - inserted;
    return {};
  });
}

}  // namespace

Result<ShipResult> ship_audit_log(EvidenceDb& db, const std::string& path, const ShipOptions& opts) {
  ShipResult res;
  auto v = audit_verify(path, opts.key_path);
  if (!v) return v.error();
  res.key_used = v->key_used;
  res.key_note = v->key_note;
  res.records = v->records;
  if (!v->ok) {
    res.refused = v->problem;
    return res;
  }
  if (v->records == 0) return res;
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read the audit log '{}' — check the path", path));
  std::string line;
  if (!std::getline(in, line)) return make_error(ErrorCode::Io, fmt::format("cannot read the audit log '{}'", path));
  res.log_id = sha256_hex(line);
  if (auto r = register_log(db, res.log_id, "audit", opts.source.empty() ? default_source(path) : opts.source); !r) return r.error();
  // Resume: the database holds a prefix of the log (batches commit in order); the local record at
  // its end must be the one shipped.
  std::uint64_t have = 0;
  std::string have_hash;
  auto last = db.first_row("SELECT seq, hash FROM evidence_records WHERE log_id = ? ORDER BY seq DESC LIMIT 1", {res.log_id});
  if (!last) return last.error();
  if (*last) {
    have = std::stoull((**last)[0].value_or("0"));
    have_hash = (**last)[1].value_or("");
  }
  if (have > v->records) {
    return make_error(ErrorCode::Config, fmt::format("the evidence database holds {} records of the log {}, the log has {} — "
                                                     "it was truncated after it was shipped",
                                                     have, path, v->records));
  }
  std::vector<Row> batch;
  batch.reserve(opts.batch);
  std::string prev_hash;
  std::uint64_t seq = 0;
  const std::size_t per_batch = std::max<std::size_t>(1, opts.batch);
  do {
    ++seq;
    if (seq > v->records) break;  // appended after the verification: the next ship takes them
    const std::string hash = audit_line_hash(line);
    if (seq < have) continue;
    if (seq == have) {
      if (hash != have_hash) {
        return make_error(ErrorCode::Config,
                          fmt::format("the evidence database holds a different record {} for the log {} — the log was "
                                      "rewritten after it was shipped; keep both and investigate",
                                      seq, path));
      }
      res.already = have;
      continue;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    // The file was verified a moment ago; a line that no longer reads means it changed since.
    if (!j.is_object() || j.value("seq", std::uint64_t{0}) != seq) {
      return make_error(ErrorCode::Io, fmt::format("the audit log '{}' changed while it was shipped (record {}) — ship again", path, seq));
    }
    batch.push_back(Row{seq, hash, str(j, "time"), str(j, "hook"), str(j, "repo"), str(j, "decision"), str(j, "pusher"), line});
    if (batch.size() == per_batch) {
      if (auto r = insert_batch(db, res.log_id, batch, res, path); !r) return r.error();
      batch.clear();
    }
  } while (std::getline(in, line));
  if (!batch.empty()) {
    if (auto r = insert_batch(db, res.log_id, batch, res, path); !r) return r.error();
  }
  return res;
}

Result<ShipResult> ship_scan_result(EvidenceDb& db, const std::string& path, const std::string& repo,
                                    const ShipOptions& opts) {
  ShipResult res;
  const auto text = read_whole_file(path);
  if (!text) return make_error(ErrorCode::Io, fmt::format("cannot read the scan result '{}' — check the path", path));
  const std::string& bytes = *text;
  std::size_t skipped = 0;
  auto rec = read_scan_result(path, skipped);
  if (!rec) return rec.error();
  if (skipped > 0 || bytes.find("\"type\":\"summary\"") == std::string::npos) {
    return make_error(ErrorCode::Usage, fmt::format("'{}' is not a complete `vigil scan --format json` result ({} unreadable "
                                                    "line{}, summary {}) — ship the file the scan wrote",
                                                    path, skipped,
                                                    skipped == 1 ? "" : "s",
                                                    bytes.find("\"type\":\"summary\"") == std::string::npos ? "missing" : "present"));
  }
  if (!repo.empty()) {
    (*rec)["repo"] = repo;
  } else if (!str(*rec, "target").empty()) {
    (*rec)["repo"] = str(*rec, "target");
  }
  // The same bytes from another repository are another result (a clean summary names no repository).
  res.log_id = "scan:" + sha256_hex(str(*rec, "repo") + '\n' + bytes);
  res.records = 1;
  // The time it was shipped stands for the time it ran; the same file shipped again keeps the first.
  (*rec)["time"] = now_iso();
  if (auto r = register_log(db, res.log_id, "scan", opts.source.empty() ? default_source(path) : opts.source); !r) return r.error();
  const std::string body = rec->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::vector<Row> one{Row{1, sha256_hex(bytes), str(*rec, "time"), "scan", str(*rec, "repo"), str(*rec, "decision"), "", body}};
  if (auto r = insert_batch(db, res.log_id, one, res, path); !r) return r.error();
  return res;
}

}  // namespace vigil::evidence
