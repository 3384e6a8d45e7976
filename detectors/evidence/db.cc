#include "detectors/evidence/db.h"

#include <fmt/format.h>

#include "detectors/evidence/schema.h"

namespace vigil::evidence {

Result<DbUrl> parse_db_url(std::string_view url) {
  DbUrl u;
  if (url.empty()) {
    return make_error(ErrorCode::Usage, "no evidence database given — pass --db sqlite:///path/evidence.db or --db postgresql://host/db");
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    u.backend = Backend::Postgres;
    u.conninfo = std::string(url);
    return u;
  }
  std::string_view path = url;
  if (path.rfind("sqlite://", 0) == 0) {
    path.remove_prefix(9);  // sqlite:///abs/path → /abs/path; sqlite://rel → rel
  } else if (path.rfind("sqlite:", 0) == 0) {
    path.remove_prefix(7);
  } else if (const auto colon = path.find("://"); colon != std::string_view::npos) {
    return make_error(ErrorCode::Usage, fmt::format("unknown database URL scheme '{}' — use sqlite:///path or postgresql://...",
                                                    path.substr(0, colon)));
  }
  if (path.empty()) return make_error(ErrorCode::Usage, "the sqlite URL names no file — use sqlite:///path/evidence.db");
  u.sqlite_path = std::string(path);
  return u;
}

std::string redact_db_url(std::string_view url) {
  std::string s(url);
  const auto scheme = s.find("://");
  const auto at = s.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return s;
  const auto colon = s.find(':', scheme + 3);
  if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
  // A password given as a query parameter.
  if (const auto p = s.find("password="); p != std::string::npos) {
    const auto end = s.find('&', p);
    s.replace(p + 9, (end == std::string::npos ? s.size() : end) - p - 9, "***");
  }
  return s;
}

Result<EvidenceDb> EvidenceDb::connect(std::string_view url) {
  auto u = parse_db_url(url);
  if (!u) return u.error();
  auto c = u->backend == Backend::Postgres ? connect_postgres(u->conninfo, redact_db_url(url)) : connect_sqlite(u->sqlite_path);
  if (!c) return c.error();
  return EvidenceDb(std::move(*c), redact_db_url(url));
}

Result<EvidenceDb> EvidenceDb::open(std::string_view url) {
  auto db = connect(url);
  if (!db) return db.error();
  if (auto m = migrate(*db); !m) return m.error();
  return db;
}

Result<std::size_t> EvidenceDb::run(std::string_view sql, const std::vector<DbValue>& params) {
  if (auto r = conn_->query(sql, params, [](const DbRow&) { return true; }); !r) return r.error();
  return conn_->changes();
}

Result<std::optional<DbRow>> EvidenceDb::first_row(std::string_view sql, const std::vector<DbValue>& params) {
  std::optional<DbRow> out;
  auto r = conn_->query(sql, params, [&](const DbRow& row) {
    out = row;
    return false;
  });
  if (!r) return r.error();
  return out;
}

Result<void> EvidenceDb::transaction(const std::function<Result<void>()>& body) {
  if (auto b = conn_->exec(backend() == Backend::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN"); !b) return b;
  auto r = body();
  if (!r) {
    (void)conn_->exec("ROLLBACK");
    return r;
  }
  if (auto c = conn_->exec("COMMIT"); !c) {
    (void)conn_->exec("ROLLBACK");
    return c;
  }
  return {};
}

}  // namespace vigil::evidence
