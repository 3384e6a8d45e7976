// The evidence database end to end: `vigil audit ship` into a real SQLite file and a real
// PostgreSQL server (started by the test in a temp dir), idempotent, concurrent, resumable after a
// kill, refusing a tampered trail; schema migrations (create, upgrade, downgrade refused).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "detectors/audit/audit_log.h"
#include "detectors/evidence/db.h"
#include "detectors/evidence/schema.h"
#include "tests/support/evidence_fixture.h"
#include "tests/support/temp_repo.h"

using vigil::test::AuditLogSpec;
using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempPostgres;
using vigil::test::write_audit_log;
namespace ev = vigil::evidence;

namespace {

// Records in the database (0 before its schema exists).
std::size_t count(const std::string& url, const std::string& where = "") {
  auto db = ev::EvidenceDb::connect(url);
  REQUIRE_MESSAGE(db, (db ? "" : db.error().message));
  if (ev::schema_version(*db).value() == 0) return 0;
  auto row = db->first_row("SELECT COUNT(*), COUNT(DISTINCT log_id || ':' || seq) FROM evidence_records" + where, {});
  REQUIRE_MESSAGE(row, (row ? "" : row.error().message));
  REQUIRE(*row);
  CHECK((**row)[0] == (**row)[1]);  // no record twice
  return std::stoul((**row)[0].value_or("0"));
}

// The backends under test: SQLite always, PostgreSQL when a server could be started here.
std::vector<std::pair<std::string, std::string>> databases(const TempDir& dir) {
  std::vector<std::pair<std::string, std::string>> out{{"sqlite", "sqlite://" + dir.path() + "/evidence.db"}};
  auto& pg = TempPostgres::shared();
  if (pg.ok()) {
    out.emplace_back("postgres", pg.fresh_db_url());
  } else {
    MESSAGE("PostgreSQL not tested: " << pg.why_not());
  }
  return out;
}

std::string log_in(const TempDir& dir, const std::string& name, std::size_t records, unsigned seed) {
  std::filesystem::create_directories(dir.path() + "/" + name);
  const std::string path = dir.path() + "/" + name + "/vigil-audit.jsonl";
  write_audit_log(path, AuditLogSpec{records, "srv/" + name + ".git", "0123456789abcdef0123456789abcdef", seed});
  auto v = vigil::audit_verify(path);
  REQUIRE(v);
  REQUIRE_MESSAGE(v->ok, v->problem);
  REQUIRE(v->key_used);
  return path;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("evidence: the PostgreSQL test server starts (as an unprivileged user when run as root)") {
    auto& pg = TempPostgres::shared();
    REQUIRE_MESSAGE(pg.ok(), pg.why_not());
    auto db = ev::EvidenceDb::open(pg.fresh_db_url());
    REQUIRE_MESSAGE(db, (db ? "" : db.error().message));
    CHECK(db->backend() == ev::Backend::Postgres);
  }

  TEST_CASE("evidence: shipping is idempotent, in SQLite and PostgreSQL") {
    TempDir dir;
    const auto log = log_in(dir, "a", 500, 1);
    for (const auto& [name, url] : databases(dir)) {
      CAPTURE(name);
      auto first = sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + log);
      REQUIRE_MESSAGE(first.status == 0, first.err);
      CHECK(first.out.find("500 new records, 0 already") != std::string::npos);
      CHECK(count(url) == 500);
      auto again = sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + log);
      REQUIRE(again.status == 0);
      CHECK(again.out.find("0 new records, 500 already") != std::string::npos);
      CHECK(count(url) == 500);
      // Records appended later ship alone.
      const auto more = log_in(dir, "a", 520, 1);
      auto third = sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + more);
      REQUIRE(third.status == 0);
      CHECK(third.out.find("20 new records") != std::string::npos);
      CHECK(count(url) == 520);
      write_audit_log(log, AuditLogSpec{500, "srv/a.git", "0123456789abcdef0123456789abcdef", 1});  // back to 500
    }
  }

  TEST_CASE("evidence: several shippers at once, from several logs, lose and duplicate nothing") {
    TempDir dir;
    std::vector<std::string> logs;
    for (unsigned i = 0; i < 4; ++i) logs.push_back(log_in(dir, "log" + std::to_string(i), 3000, 10 + i));
    for (const auto& [name, url] : databases(dir)) {
      CAPTURE(name);
      // Two shippers per log, eight processes at once, small batches so that they interleave.
      std::string cmd;
      for (int round = 0; round < 2; ++round) {
        for (const auto& l : logs) cmd += "$VIGIL audit ship --batch 100 --db '" + url + "' " + l + " >/dev/null 2>>errs & ";
      }
      cmd += "wait; cat errs";
      auto r = sh(dir.path(), cmd);
      CHECK_MESSAGE(r.out.empty(), r.out);
      CHECK(count(url) == 12000);
      for (std::size_t i = 0; i < logs.size(); ++i) {
        CHECK(count(url, " WHERE repo = 'srv/log" + std::to_string(i) + ".git'") == 3000);
      }
      std::filesystem::remove(dir.path() + "/errs");
    }
  }

  TEST_CASE("evidence: a ship killed midway resumes where it stopped") {
    TempDir dir;
    const auto log = log_in(dir, "big", 40000, 3);
    for (const auto& [name, url] : databases(dir)) {
      CAPTURE(name);
      auto r = sh(dir.path(), "$VIGIL audit ship --batch 50 --db '" + url + "' " + log + " >/dev/null 2>&1 & echo $! > pid");
      REQUIRE(r.status == 0);
      // Kill it once some batches are in, well before the end.
      std::size_t seen = 0;
      for (int i = 0; i < 2000 && seen < 500; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        seen = count(url);
      }
      REQUIRE(sh(dir.path(), "kill -9 $(cat pid)").status == 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const auto partial = count(url);
      CHECK(partial > 0);
      CHECK(partial < 40000);
      CHECK(partial % 50 == 0);  // whole batches only: the killed one rolled back
      auto resumed = sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + log);
      REQUIRE_MESSAGE(resumed.status == 0, resumed.err);
      CHECK(resumed.out.find(std::to_string(40000 - partial) + " new records") != std::string::npos);
      CHECK(count(url) == 40000);
    }
  }

  TEST_CASE("attack: a tampered audit log is shipped to hide a decision") {
    TempDir dir;
    const auto log = log_in(dir, "t", 50, 5);
    // Turn record 7's decision into an accept, as someone hiding a bypass would.
    std::string text = dir.read("t/vigil-audit.jsonl");
    std::size_t pos = 0;
    for (int i = 0; i < 6; ++i) pos = text.find('\n', pos) + 1;
    const auto end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    const auto d = line.find("\"decision\":\"");
    REQUIRE(d != std::string::npos);
    const bool was_accept = line.compare(d, 19, "\"decision\":\"accept\"") == 0;
    line.replace(d, line.find('"', d + 12) - d + 1, was_accept ? "\"decision\":\"reject\"" : "\"decision\":\"accept\"");
    text.replace(pos, end - pos, line);
    std::ofstream(log, std::ios::binary | std::ios::trunc) << text;
    for (const auto& [name, url] : databases(dir)) {
      CAPTURE(name);
      auto r = sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + log);
      CHECK(r.status == 1);
      CHECK(r.err.find("refusing to ship") != std::string::npos);
      CHECK(r.err.find("line 7") != std::string::npos);
      CHECK(r.err.find("record 7") != std::string::npos);
      CHECK(count(url) == 0);  // nothing of it landed
    }
  }

  TEST_CASE("attack: a log rewritten after it was shipped is refused, and the shipped records stay") {
    TempDir dir;
    const auto log = log_in(dir, "r", 40, 6);
    for (const auto& [name, url] : databases(dir)) {
      CAPTURE(name);
      REQUIRE(sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + log).status == 0);
      // A valid chain under the same key, but a different history from record 1 on: another
      // log identity. A rewrite that keeps record 1 and changes the rest is the one to catch.
      std::string text = dir.read("r/vigil-audit.jsonl");
      const auto first = text.substr(0, text.find('\n') + 1);
      write_audit_log(log, AuditLogSpec{40, "srv/r.git", "0123456789abcdef0123456789abcdef", 99});
      std::string other = dir.read("r/vigil-audit.jsonl");
      // Splice: the original record 1 then the other history (the chain breaks at record 2).
      other.replace(0, other.find('\n') + 1, first);
      std::ofstream(log, std::ios::binary | std::ios::trunc) << other;
      auto r = sh(dir.path(), "$VIGIL audit ship --db '" + url + "' " + log);
      CHECK(r.status == 1);
      CHECK(r.err.find("line 2") != std::string::npos);
      CHECK(count(url) == 40);
      write_audit_log(log, AuditLogSpec{40, "srv/r.git", "0123456789abcdef0123456789abcdef", 6});
    }
  }

  TEST_CASE("evidence: a database that is down fails the ship with one line, and the log ships later") {
    TempDir dir;
    const auto log = log_in(dir, "d", 10, 7);
    auto r = sh(dir.path(), "$VIGIL audit ship --db 'postgresql://vigil@/x?host=" + dir.path() + "/nosuchdir&port=5432' " + log);
    CHECK(r.status == 2);
    CHECK(r.err.find("vigil: error: cannot connect to the evidence database") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    auto bad = sh(dir.path(), "$VIGIL audit ship --db 'mysql://h/db' " + log);
    CHECK(bad.status == 2);
    CHECK(bad.err.find("unknown database URL scheme 'mysql'") != std::string::npos);
    const std::string url = dir.path() + "/later.db";  // a plain path is SQLite
    CHECK(sh(dir.path(), "$VIGIL audit ship --db " + url + " " + log).status == 0);
    CHECK(count(url) == 10);
  }

  TEST_CASE("evidence: schema migrations create, upgrade from version 1, and refuse a downgrade") {
    TempDir dir;
    for (const auto& [name, url] : databases(dir)) {
      CAPTURE(name);
      {
        auto db = ev::EvidenceDb::connect(url);
        REQUIRE(db);
        REQUIRE(ev::schema_version(*db).value() == 0);
        auto m = ev::migrate(*db, 1);
        REQUIRE_MESSAGE(m, (m ? "" : m.error().message));
        CHECK(ev::schema_version(*db).value() == 1);
        // A version-1 database with a record in it.
        REQUIRE(db->run("INSERT INTO evidence_logs VALUES ('L', 'audit', 'h:/x', '2026-01-01')", {}));
        REQUIRE(db->run("INSERT INTO evidence_records VALUES ('L', 1, 'h', '2026-01-01T00:00:00Z', 'pre-receive', 'r', "
                        "'reject', '{\"pusher\":\"mallory\",\"decision\":\"reject\"}')",
                        {}));
      }
      auto db = ev::EvidenceDb::open(url);  // upgrades
      REQUIRE_MESSAGE(db, (db ? "" : db.error().message));
      CHECK(ev::schema_version(*db).value() == ev::kSchemaVersion);
      auto row = db->first_row("SELECT pusher FROM evidence_records WHERE log_id = 'L'", {});
      REQUIRE(row);
      REQUIRE(*row);
      CHECK((**row)[0] == "mallory");  // backfilled from the stored record
      // A database from a later vigil is refused, never downgraded.
      REQUIRE(db->run("UPDATE vigil_schema SET version = 99", {}));
      auto refused = ev::EvidenceDb::open(url);
      REQUIRE_FALSE(refused);
      CHECK(refused.error().message.find("schema version 99, newer than this vigil's 2") != std::string::npos);
      auto cli = sh(dir.path(), "$VIGIL audit ship --db '" + url + "' /dev/null");
      CHECK(cli.status == 2);
      CHECK(cli.err.find("never downgrades") != std::string::npos);
    }
  }
}
