// The PostgreSQL backend (libpq): for several servers and CI runners writing one database. Rows
// stream in single-row mode, so a report over millions of records holds one row at a time.
#include <fmt/format.h>
#include <libpq-fe.h>

#include "detectors/evidence/db.h"
#include "detectors/util/text.h"

namespace vigil::evidence {

namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// `?` placeholders → `$1`, `$2`, ... (outside quoted literals).
std::string numbered(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += fmt::format("${}", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string one_line(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

class PgConnection final : public DbConnection {
 public:
  PgConnection(PGconn* c, std::string shown) : c_(c), shown_(std::move(shown)) {}
  ~PgConnection() override { PQfinish(c_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Backend backend() const override { return Backend::Postgres; }

  Result<void> exec(std::string_view sql) override {
    PgResult r(PQexec(c_, std::string(sql).c_str()));
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return error(PQresultErrorMessage(r.get()));
    return {};
  }

  Result<void> query(std::string_view sql, const std::vector<DbValue>& params,
                     const std::function<bool(const DbRow&)>& row) override {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    const std::string text = numbered(sql);
    if (!PQsendQueryParams(c_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0)) {
      return error(PQerrorMessage(c_));
    }
    PQsetSingleRowMode(c_);
    std::optional<Error> failed;
    bool stopped = false;
    DbRow r;
    changes_ = 0;
    // Every result must be read to the end before the connection takes another statement.
    while (PGresult* raw = PQgetResult(c_)) {
      PgResult res(raw);
      const auto st = PQresultStatus(raw);
      if (st == PGRES_SINGLE_TUPLE) {
        if (stopped || failed) continue;
        const int cols = PQnfields(raw);
        r.assign(static_cast<std::size_t>(cols), std::nullopt);
        for (int c = 0; c < cols; ++c) {
          if (!PQgetisnull(raw, 0, c)) r[static_cast<std::size_t>(c)] = std::string(PQgetvalue(raw, 0, c), static_cast<std::size_t>(PQgetlength(raw, 0, c)));
        }
        if (!row(r)) stopped = true;
      } else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        const char* n = PQcmdTuples(raw);
        if (n && *n) changes_ = std::strtoull(n, nullptr, 10);
      } else if (!failed) {
        failed = error(PQresultErrorMessage(raw));
      }
    }
    if (failed) return *failed;
    return {};
  }

  std::size_t changes() const override { return changes_; }

 private:
  Error error(const char* what) const {
    return make_error(ErrorCode::Io, fmt::format("evidence database {}: {}", shown_, one_line(what)));
  }
  PGconn* c_;
  std::string shown_;
  std::size_t changes_ = 0;
};

}  // namespace

Result<std::unique_ptr<DbConnection>> connect_postgres(const std::string& conninfo, const std::string& shown) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (!c || PQstatus(c) != CONNECTION_OK) {
    const std::string what = c ? one_line(PQerrorMessage(c)) : "out of memory";
    PQfinish(c);
    return make_error(ErrorCode::Io, fmt::format("cannot connect to the evidence database {}: {} — check that the server runs "
                                                 "and the URL, user and password are right",
                                                 shown, what));
  }
  // Notices (e.g. "relation already exists, skipping") are not the user's business.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<DbConnection>(std::make_unique<PgConnection>(c, shown));
}

}  // namespace vigil::evidence
