// SARIF 2.1.0 (OASIS): one run, one rule per rule id that produced a finding, one result per
// finding. GitHub code scanning and most security dashboards read it. Findings that policy let
// through (allowed, waived, baselined) stay in the log with a `suppressions` entry, so a dashboard
// shows them as dismissed instead of losing them. Secrets appear only redacted.
#include <fmt/format.h>

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "detectors/report/reporters.h"
#include "detectors/util/quote.h"

namespace vigil {

namespace {

// Where a reader of the log learns about the tool (SARIF wants an absolute URI here).
constexpr const char* kInformationUri = "https://github.com/vigil-hooks/vigil";
constexpr const char* kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

const char* level_of(Severity s) {
  switch (s) {
    case Severity::Critical:
    case Severity::High: return "error";
    case Severity::Medium: return "warning";
    case Severity::Low:
    case Severity::Info: return "note";
  }
  return "error";
}

// GitHub maps security-severity to its own scale: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
// 0.1-3.9 low. The value is a string holding a number.
const char* security_severity_of(Severity s) {
  switch (s) {
    case Severity::Critical: return "9.5";
    case Severity::High: return "8.0";
    case Severity::Medium: return "5.5";
    case Severity::Low: return "3.0";
    case Severity::Info: return "0.0";
  }
  return "8.0";
}

// artifactLocation.uri must be a valid URI reference: a relative path with every byte outside
// RFC 3986's unreserved set (and '/') percent-encoded, so spaces and non-ASCII names stay valid.
std::string uri_of(const std::string& path) {
  std::string p = path;
  while (p.size() > 2 && p.compare(0, 2, "./") == 0) p.erase(0, 2);
  std::string out;
  for (unsigned char c : p) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

bool suppressed(Disposition d) {
  return d == Disposition::Allowed || d == Disposition::Waived || d == Disposition::Baselined;
}

nlohmann::ordered_json rule_of(const Finding& f) {
  nlohmann::ordered_json tags = nlohmann::ordered_json::array({"security", "secret"});
  for (const auto& t : f.tags) {
    if (t != "security" && t != "secret") tags.push_back(t);
  }
  return {
      {"id", f.rule_id},
      {"name", f.rule_name.empty() ? f.rule_id : f.rule_name},
      {"shortDescription", {{"text", f.rule_name.empty() ? f.rule_id : f.rule_name}}},
      {"defaultConfiguration", {{"level", level_of(f.severity)}}},
      {"properties", {{"tags", tags}, {"security-severity", security_severity_of(f.severity)}, {"precision", f.confidence == Confidence::High ? "high" : f.confidence == Confidence::Medium ? "medium"
                                                                                                                                                                                            : "low"}}},
  };
}

nlohmann::ordered_json result_of(const Finding& f, std::size_t rule_index) {
  nlohmann::ordered_json physical = {{"artifactLocation", {{"uri", uri_of(f.path)}, {"uriBaseId", "%SRCROOT%"}}}};
  if (f.line > 0) {
    nlohmann::ordered_json region = {{"startLine", f.line}};
    if (f.column > 0) region["startColumn"] = f.column;
    if (!f.excerpt.empty()) region["snippet"] = {{"text", f.excerpt}};
    physical["region"] = region;
  }
  nlohmann::ordered_json props = {{"disposition", to_string(f.disposition)},
                                  {"severity", to_string(f.severity)},
                                  {"confidence", to_string(f.confidence)},
                                  {"secret", f.redacted}};
  if (!f.commit.empty()) props["commit"] = f.commit;
  if (!f.author.empty()) props["author"] = f.author;
  if (!f.date.empty()) props["date"] = f.date;
  if (!f.blob.empty()) props["blob"] = f.blob;
  if (!f.encoding.empty()) props["encoding"] = f.encoding;
  if (!f.note.empty()) props["note"] = f.note;
  std::string text = fmt::format("{} found: {}", f.rule_name.empty() ? f.rule_id : f.rule_name, f.redacted);
  if (!f.encoding.empty()) text += fmt::format(" (inside {} encoding)", f.encoding);
  if (!f.commit.empty()) text += fmt::format(" in commit {}", f.commit.substr(0, 12));
  nlohmann::ordered_json r = {
      {"ruleId", f.rule_id},
      {"ruleIndex", rule_index},
      {"level", level_of(f.severity)},
      {"message", {{"text", text}}},
      {"locations", nlohmann::ordered_json::array({{{"physicalLocation", physical}}})},
      {"partialFingerprints", {{"vigil/v1", f.fingerprint}}},
      {"properties", props},
  };
  if (suppressed(f.disposition)) {
    // An inline `vigil:allow` sits in the scanned file itself; config allows, waivers and the
    // baseline live in other files.
    const bool in_source = f.disposition == Disposition::Allowed && f.note.rfind("vigil:allow", 0) == 0;
    nlohmann::ordered_json s = {{"kind", in_source ? "inSource" : "external"}, {"status", "accepted"}};
    s["justification"] = f.note.empty() ? std::string(to_string(f.disposition)) : f.note;
    r["suppressions"] = nlohmann::ordered_json::array({s});
  }
  return r;
}

class SarifReporter : public Reporter {
 public:
  Result<void> write(const ScanReport& report, std::FILE* out) override {
    nlohmann::ordered_json rules = nlohmann::ordered_json::array();
    std::map<std::string, std::size_t> index;  // rule id -> position in `rules`
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (const auto& f : report.findings) {
      auto [it, fresh] = index.emplace(f.rule_id, rules.size());
      if (fresh) rules.push_back(rule_of(f));
      results.push_back(result_of(f, it->second));
    }
    // Skips are tool notifications: the reader sees what was not scanned and why.
    nlohmann::ordered_json notes = nlohmann::ordered_json::array();
    for (const auto& s : report.skips) {
      nlohmann::ordered_json n = {
          {"level", s.bound.empty() ? "note" : "error"},  // a bound reached: part of the input was not judged
          {"descriptor", {{"id", "skipped"}}},
          {"message", {{"text", fmt::format("skipped {}: {}", quote_name(s.path), s.reason)}}},
          {"locations", nlohmann::ordered_json::array(
                            {{{"physicalLocation", {{"artifactLocation", {{"uri", uri_of(s.path)}, {"uriBaseId", "%SRCROOT%"}}}}}}})},
      };
      if (!s.commit.empty()) n["properties"]["commit"] = s.commit;
      if (!s.bound.empty()) n["properties"]["bound"] = s.bound;
      notes.push_back(n);
    }
    nlohmann::ordered_json invocation = {{"executionSuccessful", true}};
    if (!notes.empty()) invocation["toolExecutionNotifications"] = notes;
    nlohmann::ordered_json driver = {
        {"name", "vigil"},
        {"version", report.tool_version.empty() ? std::string(vigil_version()) : report.tool_version},
        {"informationUri", kInformationUri},
        {"rules", rules},
    };
    if (!report.rules_version.empty()) driver["properties"] = {{"rulesVersion", report.rules_version}};
    nlohmann::ordered_json run = {
        {"tool", {{"driver", driver}}},
        {"invocations", nlohmann::ordered_json::array({invocation})},
        {"results", results},
        {"properties", {{"target", report.target}, {"itemsScanned", report.items_scanned}, {"bytesScanned", report.bytes_scanned}, {"blocked", report.blocked()}}},
    };
    nlohmann::ordered_json log = {{"$schema", kSchemaUri}, {"version", "2.1.0"}, {"runs", nlohmann::ordered_json::array({run})}};
    // Excerpts come from arbitrary files: invalid UTF-8 becomes U+FFFD instead of an exception.
    const auto text = log.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    if (std::fputs(text.c_str(), out) < 0 || std::fputc('\n', out) == EOF) {
      return make_error(ErrorCode::Io, "cannot write the SARIF report");
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Reporter> make_sarif_reporter() { return std::make_unique<SarifReporter>(); }

}  // namespace vigil
