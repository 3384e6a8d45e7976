// The audit log: keyed chain (HMAC), legacy unkeyed logs, malformed records, bytes that are not UTF-8.
#include "detectors/audit/audit_log.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/support/temp_repo.h"

using namespace vigil;

namespace {

nlohmann::json rec(const std::string& decision) { return {{"hook", "pre-receive"}, {"decision", decision}}; }

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

TEST_CASE("audit: records carry an HMAC under a key made 0600 on first use") {
  test::TempDir d;
  const auto log = d.path() + "/a.jsonl";
  for (const char* dec : {"accept", "reject", "accept"}) REQUIRE(audit_append(log, rec(dec)).ok());
  struct stat st {};
  REQUIRE(::stat((d.path() + "/vigil-audit.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto text = slurp(log);
  CHECK(text.find(",\"mac\":\"") != std::string::npos);
  auto v = audit_verify(log);
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK(v->key_used);
  CHECK(v->records == 3);
  CHECK(v->keyed == 3);
  // Under another key, the first record already fails.
  d.write("other.key", "0123456789abcdef0123456789abcdef\n");
  v = audit_verify(log, d.path() + "/other.key");
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->problem.find("line 1: the MAC of record 1 does not match") == 0);
}

TEST_CASE("audit: an unkeyed log keeps verifying, and its first keyed record pins the unkeyed past") {
  test::TempDir d;
  const auto log = d.path() + "/a.jsonl";
  for (int i = 0; i < 2; ++i) REQUIRE(audit_append(log, rec("accept"), AuditKeyOptions{"", false}).ok());
  auto v = audit_verify(log);
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK_FALSE(v->key_used);
  CHECK(v->key_note.find("no key at") == 0);
  REQUIRE(audit_append(log, rec("reject")).ok());  // makes the key
  CHECK(slurp(log).find("\"unkeyed_before\":2") != std::string::npos);
  v = audit_verify(log);
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK(v->unkeyed == 2);
  CHECK(v->keyed == 1);
  // An unkeyed record after keyed ones is a rewrite.
  REQUIRE(audit_append(log, rec("accept"), AuditKeyOptions{d.path() + "/none.key", false}).ok());
  v = audit_verify(log);
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->problem == "line 4: record 4 has no MAC after keyed records (it was rewritten without the key)");
}

TEST_CASE("audit: a malformed record is a one-line verdict, never an exception") {
  test::TempDir d;
  const auto log = d.path() + "/a.jsonl";
  for (int i = 0; i < 2; ++i) REQUIRE(audit_append(log, rec("accept")).ok());
  const auto good = slurp(log);
  const std::pair<std::string, std::string> edits[] = {
      {"\"seq\":2", "\"seq\":\"2\""},
      {"\"seq\":2", "\"seq\":-2"},
      {"\"seq\":2", "\"seq\":2.5"},
      {"\"decision\":\"accept\",\"hook\"", "\"decision\":7,\"hook\""},
      {"\"seq\":2", "\"seq\":2,\"findings\":{}"},
  };
  for (const auto& [from, to] : edits) {
    auto text = good;
    const auto at = text.rfind(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    spit(log, text);
    auto v = audit_verify(log);
    REQUIRE(v.ok());
    CHECK_FALSE(v->ok);
    INFO(to, " -> ", v->problem);
    CHECK(v->problem.rfind("line 2: ", 0) == 0);
    CHECK(v->problem.find('\n') == std::string::npos);
  }
  spit(log, good);
  // Appending after a damaged last record is refused (the chain cannot continue from it).
  auto text = good;
  text.replace(text.rfind("\"seq\":2"), 7, "\"seq\":\"2\"");
  spit(log, text);
  auto w = audit_append(log, rec("accept"));
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message.find("ends with a damaged record") != std::string::npos);
}

TEST_CASE("audit: bytes that are not UTF-8 are written, never thrown") {
  test::TempDir d;
  const auto log = d.path() + "/a.jsonl";
  auto r = rec("reject");
  r["findings"] = nlohmann::json::array({{{"excerpt", std::string("caf\xe9 = 1")}}});
  REQUIRE(audit_append(log, r).ok());
  CHECK(slurp(log).find("caf\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  auto v = audit_verify(log);
  REQUIRE(v.ok());
  CHECK(v->ok);
}

TEST_CASE("audit: a key shorter than 16 bytes is refused with what to do") {
  test::TempDir d;
  d.write("vigil-audit.key", "short\n");
  auto w = audit_append(d.path() + "/a.jsonl", rec("accept"));
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message.find("openssl rand -hex 32") != std::string::npos);
}
