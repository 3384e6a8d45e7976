// JSON Lines: {"type":"finding","data":{...}} per finding, {"type":"skip",...}, then one
// {"type":"summary","data":{...}}. Secrets appear only redacted.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "detectors/report/finding_json.h"
#include "detectors/report/reporters.h"
#include "detectors/util/quote.h"

namespace vigil {

nlohmann::json finding_to_json(const Finding& f) {
  nlohmann::json j = {
      {"rule", f.rule_id},
      {"name", f.rule_name},
      {"severity", to_string(f.severity)},
      {"confidence", to_string(f.confidence)},
      {"path", quote_name(f.path, NameQuoting::Json)},
      {"line", f.line},
      {"column", f.column},
      {"secret", f.redacted},
      {"excerpt", f.excerpt},
      {"fingerprint", f.fingerprint},
      {"disposition", to_string(f.disposition)},
      {"tags", f.tags},
  };
  if (!f.commit.empty()) j["commit"] = f.commit;
  if (!f.author.empty()) j["author"] = f.author;
  if (!f.date.empty()) j["date"] = f.date;
  if (!f.blob.empty()) j["blob"] = f.blob;
  if (!f.encoding.empty()) j["encoding"] = f.encoding;
  if (!f.note.empty()) j["note"] = f.note;
  if (!f.kind.empty()) j["kind"] = f.kind;
  return j;
}

namespace {

// Excerpts and paths come from arbitrary files (Latin-1, binary-ish): invalid UTF-8 becomes
// U+FFFD instead of an exception that would abort the run.
constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;

class JsonReporter : public Reporter {
 public:
  Result<void> write(const ScanReport& r, std::FILE* out) override {
    for (const auto& f : r.findings) {
      fmt::print(out, "{}\n", nlohmann::json{{"type", "finding"}, {"data", finding_to_json(f)}}.dump(-1, ' ', false, kReplaceInvalidUtf8));
    }
    for (const auto& s : r.skips) {
      nlohmann::json d = {{"path", quote_name(s.path, NameQuoting::Json)}, {"reason", s.reason}};
      if (!s.commit.empty()) d["commit"] = s.commit;
      if (!s.bound.empty()) d["bound"] = s.bound;  // not fully judged: the gate fails closed
      fmt::print(out, "{}\n", nlohmann::json{{"type", "skip"}, {"data", d}}.dump(-1, ' ', false, kReplaceInvalidUtf8));
    }
    nlohmann::json summary = {
        {"blocked", r.blocked()},
        {"findings", r.findings.size()},
        {"blocking", r.count(Disposition::Block)},
        {"warnings", r.count(Disposition::Warn)},
        {"allowed", r.count(Disposition::Allowed)},
        {"waived", r.count(Disposition::Waived)},
        {"bypassed", r.count(Disposition::Bypassed)},
        {"skipped", r.skips.size()},
        {"bound_hits", count_bound_hits(r.skips)},
        {"items_scanned", r.items_scanned},
        {"bytes_scanned", r.bytes_scanned},
        {"duration_ms", r.duration_ms},
        {"target", r.target},
        {"vigil_version", r.tool_version},
        {"rules_version", r.rules_version},
    };
    fmt::print(out, "{}\n", nlohmann::json{{"type", "summary"}, {"data", summary}}.dump(-1, ' ', false, kReplaceInvalidUtf8));
    return {};
  }
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter() { return std::make_unique<JsonReporter>(); }

}  // namespace vigil
