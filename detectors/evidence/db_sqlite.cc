// The SQLite backend: one file, WAL journal (readers never wait on the shipper), and a busy
// timeout so that concurrent shippers queue on the write lock instead of failing.
#include <fmt/format.h>
#include <sqlite3.h>

#include "detectors/evidence/db.h"

namespace vigil::evidence {

namespace {

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class SqliteConnection final : public DbConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Backend backend() const override { return Backend::Sqlite; }

  Result<void> exec(std::string_view sql) override {
    char* msg = nullptr;
    const std::string s(sql);
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      const std::string what = msg ? msg : sqlite3_errmsg(db_);
      sqlite3_free(msg);
      return error(what);
    }
    return {};
  }

  Result<void> query(std::string_view sql, const std::vector<DbValue>& params,
                     const std::function<bool(const DbRow&)>& row) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK) {
      return error(sqlite3_errmsg(db_));
    }
    std::unique_ptr<sqlite3_stmt, StmtDeleter> st(raw);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const int rc = params[i] ? sqlite3_bind_text(raw, idx, params[i]->data(), static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                               : sqlite3_bind_null(raw, idx);
      if (rc != SQLITE_OK) return error(sqlite3_errmsg(db_));
    }
    const int cols = sqlite3_column_count(raw);
    DbRow r(static_cast<std::size_t>(cols));
    for (;;) {
      const int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return error(sqlite3_errmsg(db_));
      for (int c = 0; c < cols; ++c) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
        if (text) {
          r[static_cast<std::size_t>(c)] = std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(raw, c)));
        } else {
          r[static_cast<std::size_t>(c)].reset();
        }
      }
      if (!row(r)) break;
    }
    changes_ = static_cast<std::size_t>(sqlite3_changes(db_));
    return {};
  }

  std::size_t changes() const override { return changes_; }

 private:
  Error error(const std::string& what) const {
    return make_error(ErrorCode::Io, fmt::format("evidence database {}: {}", path_, what));
  }
  sqlite3* db_;
  std::string path_;
  std::size_t changes_ = 0;
};

}  // namespace

Result<std::unique_ptr<DbConnection>> connect_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string what = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return make_error(ErrorCode::Io, fmt::format("cannot open the evidence database '{}': {} — check the directory exists and is writable",
                                                 path, what));
  }
  // Shippers on one host queue for up to a minute; the report reads while a ship writes.
  sqlite3_busy_timeout(db, 60000);
  auto conn = std::make_unique<SqliteConnection>(db, path);
  if (auto r = conn->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"); !r) {
    return make_error(ErrorCode::Io, fmt::format("'{}' is not an SQLite database vigil can use: {}", path, r.error().message));
  }
  return std::unique_ptr<DbConnection>(std::move(conn));
}

}  // namespace vigil::evidence
