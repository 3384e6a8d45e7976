// Report formats: every format is written for findings full of awkward characters and parsed back
// (nlohmann for JSON, a strict well-formedness check for JUnit XML, an RFC 4180 parser for CSV).
// SARIF is validated against the official SARIF 2.1.0 JSON schema with Ajv (installed by
// .ci/setup from .ci/setup-npm); a missing validator fails the test, it never skips.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "detectors/report/report.h"
#include "tests/support/temp_repo.h"

using nlohmann::json;
using vigil::Disposition;
using vigil::Finding;
using vigil::ScanReport;
using vigil::Severity;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

std::string render(const ScanReport& r, const std::string& format) {
  auto reporter = vigil::make_reporter(format, vigil::Audience::Ci, false);
  REQUIRE_MESSAGE(reporter, "no reporter for " << format);
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  REQUIRE(f);
  auto res = reporter->write(r, f);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  REQUIRE_MESSAGE(res.ok(), (res.ok() ? "" : res.error().message));
  return out;
}

Finding make_finding(std::string path, std::size_t line, Disposition d, Severity s = Severity::High) {
  Finding f;
  f.rule_id = "github.pat";
  f.rule_name = "GitHub \"classic\" token, <personal> & co";
  f.severity = s;
  f.tags = {"github", "pci-dss:3.4"};
  f.path = std::move(path);
  f.line = line;
  f.column = 7;
  f.redacted = "ghp_Ab…yz";
  f.excerpt = "token = \"ghp_Ab…yz\", <b>&amp;</b>, naïve 日本 🚀";
  f.fingerprint = "github.pat:0123456789abcdef01234567";
  f.disposition = d;
  return f;
}

// Findings with quotes, commas, newlines, markup, unicode, a control character and a byte that
// is not UTF-8, in every field a format prints.
ScanReport awkward_report() {
  ScanReport r;
  r.tool_version = "0.1.0";
  r.rules_version = "rules-abc123";
  r.target = "src, \"docs\" & <more>";
  r.items_scanned = 3;
  r.bytes_scanned = 1234;
  r.duration_ms = 12.5;
  auto a = make_finding("src/app config,v2.py", 3, Disposition::Block, Severity::Critical);
  a.commit = "0123456789abcdef0123456789abcdef01234567";
  a.author = "Zoë \"Z\" O'Neil <zoe@example.com>";
  a.date = "2024-05-06T07:08:09Z";
  a.blob = "89abcdef0123456789abcdef0123456789abcdef";
  a.excerpt += std::string(" ctl\x01 bad\xff byte\ttab");
  r.findings.push_back(a);
  auto b = make_finding("docs/ünï\ncode <&>.md", 12, Disposition::Warn, Severity::Medium);
  b.encoding = "base64";
  b.note = "below fail_on = high";
  b.fingerprint = "github.pat:fedcba9876543210fedcba98";
  r.findings.push_back(b);
  auto c = make_finding("=cmd|' /C calc'!A0.txt", 1, Disposition::Baselined, Severity::Low);
  c.note = "in the baseline";
  c.fingerprint = "github.pat:00000000000000000000000a";
  r.findings.push_back(c);
  auto d = make_finding("tests/fixture.env", 2, Disposition::Allowed, Severity::Info);
  d.note = "vigil:allow: test fixture, \"fake\"";
  r.findings.push_back(d);
  auto e = make_finding("legacy/old.cfg", 9, Disposition::Waived);
  e.note = "waived until 2099-01-01 by ops";
  r.findings.push_back(e);
  r.skips.push_back({"big,file.bin", "", "larger than 5 MiB (7.2 MiB)"});
  return r;
}

// --- SARIF schema validation through Ajv -------------------------------------------------

// Validates `doc` with tests/support/validate_sarif.cjs; FAILS (not skips) when Node.js, Ajv or
// the schema is missing, naming the command that installs them.
void check_sarif_schema(const std::string& doc) {
  TempDir dir;
  dir.write("report.sarif", doc);
  const auto src = vigil::test::source_dir();
  const auto node = sh(dir.path(), "command -v node");
  if (node.status != 0) {
    FAIL("SARIF schema check: Node.js is not installed — run `sh .ci/setup` (installs Debian's nodejs and the "
         "packages in .ci/setup-npm)");
  }
  const auto r = sh(dir.path(), "node '" + src + "/tests/support/validate_sarif.cjs' '" + src +
                                    "/.ci/node_modules' report.sarif");
  if (r.status == 3) {
    FAIL("SARIF schema check: validator or schema not installed (" << r.out
                                                                   << ") — run `sh .ci/setup` to install .ci/setup-npm");
  }
  INFO("validator output: " << r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("SARIF) Version 2.1.0") != std::string::npos);
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// --- a strict, small XML well-formedness check --------------------------------------------

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;
  std::vector<XmlElement> children;
};

bool valid_utf8_xml_chars(const std::string& s, std::string& why) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2
                                 : (b & 0xF0) == 0xE0   ? 3
                                 : (b & 0xF8) == 0xF0   ? 4
                                                        : 0;
    if (len == 0 || i + len > s.size()) {
      why = "invalid UTF-8 at byte " + std::to_string(i);
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        why = "invalid UTF-8 at byte " + std::to_string(i);
        return false;
      }
    }
    if (len == 1 && b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
      why = "control character " + std::to_string(b) + " at byte " + std::to_string(i);
      return false;
    }
    i += len;
  }
  return true;
}

std::string xml_unescape(const std::string& s, bool& ok) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') ok = false;
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    if (semi == std::string::npos) {
      ok = false;
      return out;
    }
    const auto ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      const long cp = ent[1] == 'x' ? std::stol(ent.substr(2), nullptr, 16) : std::stol(ent.substr(1));
      if (cp >= 0x80 || (cp < 0x20 && cp != 9 && cp != 10 && cp != 13)) ok = false;  // only what we emit
      out += static_cast<char>(cp);
    } else {
      ok = false;
    }
    i = semi;
  }
  return out;
}

// Parses the whole document into a tree, or fails with the reason.
struct XmlParser {
  const std::string& s;
  std::size_t i = 0;
  std::string error;

  void skip_ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  std::string name() {
    const auto b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '_' || s[i] == ':')) ++i;
    return s.substr(b, i - b);
  }
  bool element(XmlElement& e) {
    if (s[i] != '<') return fail("expected '<'");
    ++i;
    e.name = name();
    if (e.name.empty()) return fail("empty element name");
    for (;;) {
      skip_ws();
      if (i >= s.size()) return fail("unterminated start tag");
      if (s.compare(i, 2, "/>") == 0) {
        i += 2;
        return true;
      }
      if (s[i] == '>') {
        ++i;
        break;
      }
      const auto an = name();
      if (an.empty() || i >= s.size() || s[i] != '=') return fail("bad attribute in <" + e.name + ">");
      ++i;
      if (s[i] != '"') return fail("attribute not double-quoted");
      const auto end = s.find('"', i + 1);
      if (end == std::string::npos) return fail("unterminated attribute");
      bool ok = true;
      if (e.attrs.count(an)) return fail("duplicate attribute " + an);
      e.attrs[an] = xml_unescape(s.substr(i + 1, end - i - 1), ok);
      if (!ok) return fail("bad character or entity in attribute " + an);
      i = end + 1;
    }
    for (;;) {
      const auto lt = s.find('<', i);
      if (lt == std::string::npos) return fail("unterminated element " + e.name);
      bool ok = true;
      e.text += xml_unescape(s.substr(i, lt - i), ok);
      if (!ok) return fail("bad entity in text of " + e.name);
      i = lt;
      if (s.compare(i, 2, "</") == 0) {
        i += 2;
        if (name() != e.name) return fail("mismatched end tag for " + e.name);
        skip_ws();
        if (s[i] != '>') return fail("bad end tag");
        ++i;
        return true;
      }
      XmlElement child;
      if (!element(child)) return false;
      e.children.push_back(std::move(child));
    }
  }
  bool fail(const std::string& why) {
    error = why + " at byte " + std::to_string(i);
    return false;
  }
};

XmlElement parse_xml(const std::string& doc) {
  std::string why;
  REQUIRE_MESSAGE(valid_utf8_xml_chars(doc, why), why);
  const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  REQUIRE(doc.compare(0, decl.size(), decl) == 0);
  XmlParser p{doc, decl.size(), {}};
  p.skip_ws();
  XmlElement root;
  REQUIRE_MESSAGE(p.element(root), p.error);
  p.skip_ws();
  REQUIRE_MESSAGE(p.i == doc.size(), "content after the root element");
  return root;
}

// --- RFC 4180 CSV parsing -----------------------------------------------------------------

std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t i = 0;
  bool at_field_start = true;
  while (i < s.size()) {
    if (at_field_start && s[i] == '"') {
      ++i;
      for (;;) {
        REQUIRE_MESSAGE(i < s.size(), "unterminated quoted field");
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += s[i++];
      }
      REQUIRE_MESSAGE((i == s.size() || s[i] == ',' || s[i] == '\r'), "text after a closing quote");
      at_field_start = false;
      continue;
    }
    if (s[i] == ',') {
      row.push_back(field);
      field.clear();
      at_field_start = true;
      ++i;
    } else if (s[i] == '\r') {
      REQUIRE_MESSAGE((i + 1 < s.size() && s[i + 1] == '\n'), "CR without LF outside quotes");
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      at_field_start = true;
      i += 2;
    } else {
      REQUIRE_MESSAGE(s[i] != '"', "quote inside an unquoted field");
      REQUIRE_MESSAGE(s[i] != '\n', "bare LF outside quotes");
      field += s[i++];
      at_field_start = false;
    }
  }
  REQUIRE_MESSAGE(row.empty(), "last record not terminated by CRLF");
  return rows;
}

bool is_suppressed(Disposition d) {
  return d == Disposition::Allowed || d == Disposition::Waived || d == Disposition::Baselined;
}

}  // namespace

TEST_CASE("every CI format is listed and has a reporter") {
  const auto formats = vigil::reporter_formats();
  for (const char* f : {"sarif", "junit", "csv", "gitlab"}) {
    CHECK(std::find(formats.begin(), formats.end(), f) != formats.end());
    CHECK(vigil::make_reporter(f, vigil::Audience::Ci, false) != nullptr);
  }
}

TEST_CASE("SARIF report carries rules, results, fingerprints and suppressions, and parses back") {
  const auto r = awkward_report();
  const auto doc = render(r, "sarif");
  const auto j = json::parse(doc);
  CHECK(j["version"] == "2.1.0");
  REQUIRE(j["runs"].size() == 1);
  const auto& run = j["runs"][0];
  const auto& driver = run["tool"]["driver"];
  CHECK(driver["name"] == "vigil");
  CHECK(driver["version"] == "0.1.0");
  CHECK(driver["informationUri"].get<std::string>().rfind("https://", 0) == 0);
  REQUIRE(driver["rules"].size() == 1);  // one rule id, five findings
  const auto& rule = driver["rules"][0];
  CHECK(rule["id"] == "github.pat");
  CHECK(rule["name"] == r.findings[0].rule_name);
  CHECK(rule["shortDescription"]["text"] == r.findings[0].rule_name);
  const auto tags = rule["properties"]["tags"].get<std::vector<std::string>>();
  CHECK(std::find(tags.begin(), tags.end(), "pci-dss:3.4") != tags.end());
  CHECK(rule["properties"]["security-severity"].is_string());

  const auto& results = run["results"];
  REQUIRE(results.size() == r.findings.size());
  for (std::size_t k = 0; k < results.size(); ++k) {
    const auto& res = results[k];
    const auto& f = r.findings[k];
    INFO("finding " << k);
    CHECK(res["ruleId"] == "github.pat");
    CHECK(res["ruleIndex"] == 0);
    CHECK(res["partialFingerprints"]["vigil/v1"] == f.fingerprint);
    const auto& loc = res["locations"][0]["physicalLocation"];
    CHECK(percent_decode(loc["artifactLocation"]["uri"].get<std::string>()) == f.path);
    CHECK(loc["region"]["startLine"] == f.line);
    CHECK(loc["region"]["startColumn"] == f.column);
    CHECK(res["properties"]["disposition"] == vigil::to_string(f.disposition));
    CHECK(res.contains("suppressions") == is_suppressed(f.disposition));
  }
  CHECK(results[0]["level"] == "error");
  CHECK(results[1]["level"] == "warning");
  CHECK(results[3]["level"] == "note");
  CHECK(results[0]["properties"]["commit"] == r.findings[0].commit);
  CHECK(results[0]["properties"]["author"] == r.findings[0].author);
  CHECK(results[0]["properties"]["date"] == r.findings[0].date);
  CHECK_FALSE(results[1]["properties"].contains("commit"));
  CHECK(results[2]["suppressions"][0]["kind"] == "external");  // baselined
  CHECK(results[3]["suppressions"][0]["kind"] == "inSource");  // vigil:allow comment
  CHECK(results[3]["suppressions"][0]["justification"] == r.findings[3].note);
  // The byte that is not UTF-8 became U+FFFD instead of breaking the document.
  CHECK(results[0]["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].get<std::string>().find(
            "bad\xEF\xBF\xBD byte") != std::string::npos);
  // The skipped file is a tool notification, not silence.
  CHECK(run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].get<std::string>().find("big,file.bin") !=
        std::string::npos);
}

TEST_CASE("SARIF reports validate against the official SARIF 2.1.0 schema") {
  SUBCASE("findings with awkward characters and every disposition") { check_sarif_schema(render(awkward_report(), "sarif")); }
  SUBCASE("a clean scan") {
    ScanReport clean;
    clean.tool_version = "0.1.0";
    check_sarif_schema(render(clean, "sarif"));
  }
  SUBCASE("the validator rejects a log that breaks the schema") {
    // Proves the check can fail: a driver without its required name.
    auto j = json::parse(render(awkward_report(), "sarif"));
    j["runs"][0]["tool"]["driver"].erase("name");
    TempDir dir;
    dir.write("bad.sarif", j.dump());
    const auto src = vigil::test::source_dir();
    const auto r = sh(dir.path(), "node '" + src + "/tests/support/validate_sarif.cjs' '" + src +
                                      "/.ci/node_modules' bad.sarif");
    CHECK(r.status == 1);
    CHECK(r.out.find("name") != std::string::npos);
  }
}

TEST_CASE("JUnit report is well-formed XML with a failure per blocking finding") {
  const auto r = awkward_report();
  const auto root = parse_xml(render(r, "junit"));
  CHECK(root.name == "testsuites");
  REQUIRE(root.children.size() == 1);
  const auto& suite = root.children[0];
  CHECK(suite.name == "testsuite");
  CHECK(suite.attrs.at("name") == "vigil scan " + r.target);
  CHECK(suite.attrs.at("tests") == "5");
  CHECK(suite.attrs.at("failures") == "1");
  CHECK(suite.attrs.at("skipped") == "3");
  std::vector<const XmlElement*> cases;
  for (const auto& c : suite.children) {
    if (c.name == "testcase") cases.push_back(&c);
  }
  REQUIRE(cases.size() == 5);
  CHECK(cases[0]->attrs.at("file") == r.findings[0].path);
  CHECK(cases[1]->attrs.at("file") == r.findings[1].path);  // newline and <&> survive the round trip
  CHECK(cases[0]->attrs.at("line") == "3");
  REQUIRE(cases[0]->children.size() == 1);
  CHECK(cases[0]->children[0].name == "failure");
  CHECK(cases[0]->children[0].text.find(r.findings[0].author) != std::string::npos);
  CHECK(cases[0]->children[0].text.find("naïve 日本 🚀") != std::string::npos);
  CHECK(cases[1]->children[0].name == "system-out");  // a warning passes
  CHECK(cases[2]->children[0].name == "skipped");
  CHECK(cases[3]->children[0].attrs.at("message").find(r.findings[3].note) != std::string::npos);
  CHECK(suite.children.back().name == "system-out");  // skipped files are listed
  CHECK(suite.children.back().text.find("big,file.bin") != std::string::npos);
}

TEST_CASE("JUnit report of a clean scan is one passing testcase") {
  ScanReport clean;
  clean.target = "src";
  const auto root = parse_xml(render(clean, "junit"));
  const auto& suite = root.children.at(0);
  CHECK(suite.attrs.at("tests") == "1");
  CHECK(suite.attrs.at("failures") == "0");
  std::size_t cases = 0;
  for (const auto& c : suite.children) {
    if (c.name != "testcase") continue;
    ++cases;
    CHECK(c.children.empty());
    CHECK(c.attrs.at("name") == "no secrets in src");
  }
  CHECK(cases == 1);
}

TEST_CASE("CSV report follows RFC 4180 and parses back field for field") {
  const auto r = awkward_report();
  const auto doc = render(r, "csv");
  const auto rows = parse_csv(doc);
  REQUIRE(rows.size() == r.findings.size() + 1);
  const auto& header = rows[0];
  REQUIRE(header.size() == 17);
  std::map<std::string, std::size_t> col;
  for (std::size_t k = 0; k < header.size(); ++k) col[header[k]] = k;
  for (std::size_t k = 0; k < r.findings.size(); ++k) {
    const auto& row = rows[k + 1];
    const auto& f = r.findings[k];
    INFO("row " << k + 1);
    REQUIRE(row.size() == header.size());
    CHECK(row[col["rule"]] == f.rule_id);
    CHECK(row[col["name"]] == f.rule_name);
    CHECK(row[col["line"]] == std::to_string(f.line));
    CHECK(row[col["fingerprint"]] == f.fingerprint);
    CHECK(row[col["disposition"]] == vigil::to_string(f.disposition));
    CHECK(row[col["author"]] == f.author);
    CHECK(row[col["excerpt"]] == f.excerpt);
    CHECK(row[col["note"]] == f.note);
    // A cell that a spreadsheet would run as a formula is defused with a leading apostrophe.
    CHECK(row[col["path"]] == (f.path[0] == '=' ? "'" + f.path : f.path));
  }
}

TEST_CASE("GitLab report has the secret-detection structure GitLab's dashboard reads") {
  const auto r = awkward_report();
  const auto j = json::parse(render(r, "gitlab"));
  REQUIRE(j["version"].is_string());
  CHECK(j["version"].get<std::string>().rfind("15.", 0) == 0);
  const auto& vulns = j["vulnerabilities"];
  REQUIRE(vulns.size() == 2);  // blocking + warning; allowed, waived and baselined are left out
  std::set<std::string> ids;
  const std::set<std::string> severities = {"Critical", "High", "Medium", "Low", "Info", "Unknown"};
  for (const auto& v : vulns) {
    ids.insert(v["id"].get<std::string>());
    CHECK(v["category"] == "secret_detection");
    CHECK(v["name"] == r.findings[0].rule_name);
    CHECK_FALSE(v["description"].get<std::string>().empty());
    CHECK(severities.count(v["severity"].get<std::string>()) == 1);
    CHECK(v["location"]["file"].is_string());
    CHECK(v["location"]["start_line"].is_number_integer());
    CHECK(v["location"]["commit"]["sha"].is_string());
    REQUIRE(v["identifiers"].size() >= 1);
    for (const char* k : {"type", "name", "value"}) CHECK_FALSE(v["identifiers"][0][k].get<std::string>().empty());
  }
  CHECK(ids.size() == 2);
  CHECK(vulns[0]["severity"] == "Critical");
  CHECK(vulns[0]["location"]["file"] == r.findings[0].path);
  CHECK(vulns[0]["location"]["start_line"] == 3);
  CHECK(vulns[0]["location"]["commit"]["sha"] == r.findings[0].commit);
  CHECK(vulns[1]["severity"] == "Medium");
  CHECK(vulns[1]["location"]["file"] == r.findings[1].path);
  const auto& scan = j["scan"];
  CHECK(scan["type"] == "secret_detection");
  CHECK(scan["status"] == "success");
  const std::regex time_re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$)");
  CHECK(std::regex_match(scan["start_time"].get<std::string>(), time_re));
  CHECK(std::regex_match(scan["end_time"].get<std::string>(), time_re));
  CHECK(scan["start_time"].get<std::string>() <= scan["end_time"].get<std::string>());
  for (const char* who : {"scanner", "analyzer"}) {
    CHECK(scan[who]["id"] == "vigil");
    CHECK(scan[who]["name"] == "vigil");
    CHECK(scan[who]["version"] == "0.1.0");
    CHECK(scan[who]["vendor"]["name"] == "vigil");
  }
}

TEST_SUITE("e2e") {
  TEST_CASE("vigil scan writes every format from a real scan, never with the secret in full") {
    TempDir dir;
    const auto secret = vigil::test::fake_github_pat(5);
    dir.write("src/odd, \"name\" <&>.env", "# config\nGITHUB_TOKEN=" + secret + "\n");
    dir.write("src/clean.txt", "nothing here\n");
    vigil::test::hermetic_git_env();
    for (const char* format : {"sarif", "junit", "csv", "gitlab", "json", "text"}) {
      INFO("format " << format);
      const auto r = sh(dir.path(), std::string("$VIGIL scan --format ") + format + " -o report.out src");
      CHECK(r.status == 1);  // blocked: exit codes do not depend on the format
      const auto out = dir.read("report.out");
      CHECK(out.find("GITHUB_TOKEN") != std::string::npos);  // the excerpt is there ...
      CHECK(out.find(secret) == std::string::npos);          // ... the secret is not
      if (std::string(format) == "sarif") {
        const auto j = json::parse(out);
        CHECK(percent_decode(j["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                                 .get<std::string>()) == "src/odd, \"name\" <&>.env");
        check_sarif_schema(out);
      }
      if (std::string(format) == "junit") CHECK(parse_xml(out).children.at(0).attrs.at("failures") == "1");
      if (std::string(format) == "csv") CHECK(parse_csv(out).size() == 2);
      if (std::string(format) == "gitlab") CHECK(json::parse(out)["vulnerabilities"].size() == 1);
    }
    const auto bad = sh(dir.path(), "$VIGIL scan --format xml src");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("sarif, junit, csv, gitlab") != std::string::npos);
  }

  TEST_CASE("a Latin-1 file never breaks a report: invalid UTF-8 is replaced, every format parses") {
    TempDir dir;
    dir.write("legacy.cfg", "# caf\xe9 \xff\xfe\nGITHUB_TOKEN=" + vigil::test::fake_github_pat(6) + " # r\xe9sum\xe9\n");
    vigil::test::hermetic_git_env();
    for (const char* format : {"json", "sarif", "junit", "csv", "gitlab"}) {
      INFO("format " << format);
      const auto r = sh(dir.path(), std::string("$VIGIL scan --format ") + format + " legacy.cfg");
      CHECK(r.status == 1);  // blocked, not aborted
      if (std::string(format) == "json") {
        CHECK(json::parse(r.out.substr(0, r.out.find('\n')))["data"]["excerpt"].get<std::string>().find("r\xEF\xBF\xBDsum") !=
              std::string::npos);
      }
      if (std::string(format) == "sarif") check_sarif_schema(r.out);
      if (std::string(format) == "junit") CHECK(parse_xml(r.out).children.at(0).attrs.at("failures") == "1");
      if (std::string(format) == "gitlab") CHECK(json::parse(r.out)["vulnerabilities"].size() == 1);
      if (std::string(format) == "csv") CHECK(parse_csv(r.out).size() == 2);
    }
  }
}
