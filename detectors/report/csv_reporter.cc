// CSV (RFC 4180): a header row, then one row per finding, CRLF line ends. For spreadsheets and
// ad-hoc audits. Secrets appear only redacted.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "detectors/report/reporters.h"

namespace vigil {

namespace {

// A field is quoted when it holds a comma, a quote, CR or LF (quotes doubled), per RFC 4180.
// A field that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
// apostrophe, because excerpts come from files an attacker may control (CSV injection).
std::string csv_field(std::string_view s) {
  std::string v(s);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string row;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) row += ',';
    row += csv_field(fields[i]);
  }
  row += "\r\n";
  return row;
}

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ";") + t;
  return out;
}

class CsvReporter : public Reporter {
 public:
  Result<void> write(const ScanReport& r, std::FILE* out) override {
    std::string doc = csv_row({"severity", "rule", "name", "path", "line", "column", "secret", "fingerprint",
                               "disposition", "commit", "author", "date", "confidence", "encoding", "tags",
                               "note", "excerpt"});
    for (const auto& f : r.findings) {
      doc += csv_row({to_string(f.severity), f.rule_id, f.rule_name, f.path, std::to_string(f.line),
                      std::to_string(f.column), f.redacted, f.fingerprint, to_string(f.disposition), f.commit,
                      f.author, f.date, to_string(f.confidence), f.encoding, join_tags(f.tags), f.note,
                      f.excerpt});
    }
    if (std::fwrite(doc.data(), 1, doc.size(), out) != doc.size()) {
      return make_error(ErrorCode::Io, "cannot write the CSV report");
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Reporter> make_csv_reporter() { return std::make_unique<CsvReporter>(); }

}  // namespace vigil
