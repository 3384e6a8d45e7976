// The JSON Lines report parsed back: one envelope per finding and skip, then the summary, with
// every field a finding carries and only the masked secret.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "detectors/report/report.h"

using namespace vigil;
using nlohmann::json;

namespace {

std::string render(const ScanReport& r, const std::string& format, Audience a = Audience::Ci) {
  auto reporter = make_reporter(format, a, false);
  REQUIRE(reporter);
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  REQUIRE(f);
  const auto res = reporter->write(r, f);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  REQUIRE(res);
  return out;
}

std::vector<json> lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

Finding finding(std::string path, Disposition d) {
  Finding f;
  f.rule_id = "test.token";
  f.rule_name = "Test token";
  f.severity = Severity::High;
  f.tags = {"test"};
  f.path = std::move(path);
  f.line = 3;
  f.column = 9;
  f.redacted = "tok_****\xE2\x80\xA6wxyz";
  f.excerpt = "token = tok_****\xE2\x80\xA6wxyz";
  f.fingerprint = "test.token:0123456789abcdef01234567";
  f.disposition = d;
  return f;
}

}  // namespace

TEST_CASE("json report: a finding envelope per finding with every field, skips, then the summary") {
  ScanReport r;
  r.tool_version = "9.9.9";
  r.rules_version = "rules-1";
  r.target = "staged changes";
  r.items_scanned = 4;
  r.bytes_scanned = 100;
  auto a = finding("src/a.env", Disposition::Block);
  a.commit = "0123456789abcdef0123456789abcdef01234567";
  a.author = "A U Thor <author@example.com>";
  a.date = "2026-01-02T03:04:05Z";
  a.encoding = "base64";
  r.findings.push_back(a);
  auto b = finding("docs/b.md", Disposition::Allowed);
  b.note = "vigil:allow: test fixture";
  r.findings.push_back(b);
  r.skips.push_back({"big.bin", "", "binary (NUL byte in the first 8000 bytes)"});

  const auto out = lines(render(r, "json"));
  REQUIRE(out.size() == 4);
  CHECK(out[0]["type"] == "finding");
  const auto& d = out[0]["data"];
  CHECK(d["rule"] == "test.token");
  CHECK(d["name"] == "Test token");
  CHECK(d["severity"] == "high");
  CHECK(d["path"] == "src/a.env");
  CHECK(d["line"] == 3);
  CHECK(d["column"] == 9);
  CHECK(d["secret"] == a.redacted);
  CHECK(d["excerpt"] == a.excerpt);
  CHECK(d["fingerprint"] == a.fingerprint);
  CHECK(d["disposition"] == "block");
  CHECK(d["commit"] == a.commit);
  CHECK(d["author"] == a.author);
  CHECK(d["date"] == a.date);
  CHECK(d["encoding"] == "base64");
  CHECK(d["tags"] == json::array({"test"}));
  // Optional fields are left out, not written empty.
  CHECK_FALSE(out[1]["data"].contains("commit"));
  CHECK(out[1]["data"]["note"] == "vigil:allow: test fixture");
  CHECK(out[2]["type"] == "skip");
  CHECK(out[2]["data"]["path"] == "big.bin");
  CHECK(out[3]["type"] == "summary");
  const auto& s = out[3]["data"];
  CHECK(s["blocked"] == true);
  CHECK(s["findings"] == 2);
  CHECK(s["blocking"] == 1);
  CHECK(s["allowed"] == 1);
  CHECK(s["skipped"] == 1);
  CHECK(s["items_scanned"] == 4);
  CHECK(s["target"] == "staged changes");
  CHECK(s["vigil_version"] == "9.9.9");
  CHECK(s["rules_version"] == "rules-1");
}

TEST_CASE("json report: a clean run is one summary line; odd bytes in names stay valid JSON") {
  ScanReport clean;
  const auto one = lines(render(clean, "json"));
  REQUIRE(one.size() == 1);
  CHECK(one[0]["data"]["blocked"] == false);
  ScanReport r;
  r.findings.push_back(finding(std::string("bad\xff\nname"), Disposition::Warn));
  const auto out = lines(render(r, "json"));
  REQUIRE(out.size() == 2);
  // The path is quoted as git quotes it, so the bytes survive and the line stays one line.
  CHECK(out[0]["data"]["path"] == "\"bad\\377\\nname\"");
  CHECK(out[1]["data"]["warnings"] == 1);
}
