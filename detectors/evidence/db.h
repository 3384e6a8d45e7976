// EvidenceDb: one connection to the evidence database, SQLite (a file) or PostgreSQL (libpq), behind
// one small interface, so shipping and reporting are written once. Only this module links either.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/util/result.h"

namespace vigil::evidence {

enum class Backend { Sqlite,
                     Postgres };

/// A column value as text; nullopt is SQL NULL.
using DbValue = std::optional<std::string>;
using DbRow = std::vector<DbValue>;

/// The backend a URL names: postgresql:// or postgres:// → PostgreSQL; sqlite:///path, sqlite:path
/// or a plain path → SQLite (the path it names in `sqlite_path`).
struct DbUrl {
  Backend backend = Backend::Sqlite;
  std::string sqlite_path;  // SQLite only
  std::string conninfo;     // PostgreSQL only: the URL as libpq takes it
};
Result<DbUrl> parse_db_url(std::string_view url);
/// The URL with any password replaced by "***" (for messages).
std::string redact_db_url(std::string_view url);

/// A backend connection. Statements use `?` placeholders (turned into $1.. for PostgreSQL) and
/// text parameters; both backends convert them to the column's type.
class DbConnection {
 public:
  virtual ~DbConnection() = default;
  virtual Backend backend() const = 0;
  /// One statement or several separated by ';', no parameters, no rows.
  virtual Result<void> exec(std::string_view sql) = 0;
  /// Runs one statement; calls `row` for each row (stop early by returning false). Rows stream:
  /// a million-row result is never held whole.
  virtual Result<void> query(std::string_view sql, const std::vector<DbValue>& params,
                             const std::function<bool(const DbRow&)>& row) = 0;
  /// Changes made by the last statement run through query().
  virtual std::size_t changes() const = 0;
};

class EvidenceDb {
 public:
  /// Connects (SQLite: creates the file) without touching the schema.
  static Result<EvidenceDb> connect(std::string_view url);
  /// Connects and brings the schema to the current version (creating it in an empty database).
  /// A database written by a newer vigil is refused, never downgraded.
  static Result<EvidenceDb> open(std::string_view url);

  Backend backend() const { return conn_->backend(); }
  const std::string& url() const { return url_; }
  Result<void> exec(std::string_view sql) { return conn_->exec(sql); }
  Result<void> query(std::string_view sql, const std::vector<DbValue>& params,
                     const std::function<bool(const DbRow&)>& row) {
    return conn_->query(sql, params, row);
  }
  /// A statement with no rows; returns the rows it changed.
  Result<std::size_t> run(std::string_view sql, const std::vector<DbValue>& params);
  /// The first row, or nullopt.
  Result<std::optional<DbRow>> first_row(std::string_view sql, const std::vector<DbValue>& params);
  /// A write transaction (SQLite: BEGIN IMMEDIATE, so concurrent shippers queue instead of failing
  /// on upgrade); rolled back unless `body` succeeds.
  Result<void> transaction(const std::function<Result<void>()>& body);

 private:
  EvidenceDb(std::unique_ptr<DbConnection> c, std::string url) : conn_(std::move(c)), url_(std::move(url)) {}
  std::unique_ptr<DbConnection> conn_;
  std::string url_;
};

// Backends (db_sqlite.cc, db_pg.cc).
Result<std::unique_ptr<DbConnection>> connect_sqlite(const std::string& path);
Result<std::unique_ptr<DbConnection>> connect_postgres(const std::string& conninfo, const std::string& shown);

}  // namespace vigil::evidence
