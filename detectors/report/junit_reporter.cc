// JUnit XML: one <testcase> per finding, so CI test dashboards (GitLab, Jenkins, Azure) list
// secrets next to test failures. Blocking findings are <failure>s, findings policy let through
// are <skipped> with the reason, warnings pass with a note; a clean scan is one passing testcase.
#include <fmt/format.h>

#include <string>

#include "detectors/report/reporters.h"

namespace vigil {

namespace {

// Appends `c` as UTF-8.
void put_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// XML 1.0 allows only some code points, and the document must be well-formed UTF-8. Excerpts come
// from arbitrary files, so invalid sequences and forbidden characters become U+FFFD, and markup
// characters become entities (quotes too, so the result is safe in attributes).
std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t c = 0;
    std::size_t len = 0;
    if (b < 0x80) {
      c = b;
      len = 1;
    } else if ((b & 0xE0) == 0xC0) {
      c = b & 0x1F;
      len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      c = b & 0x0F;
      len = 3;
    } else if ((b & 0xF8) == 0xF0) {
      c = b & 0x07;
      len = 4;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80) ok = false;
      else c = (c << 6) | (cb & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range values are invalid UTF-8 too.
    if (ok && ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
               (c >= 0xD800 && c <= 0xDFFF))) {
      ok = false;
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    i += len;
    const bool allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
                         (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
    if (!allowed) {
      out += "\xEF\xBF\xBD";
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Attribute values normalise raw newlines and tabs to spaces; character references survive.
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default: put_utf8(out, c);
    }
  }
  return out;
}

std::string location_of(const Finding& f) {
  std::string where = f.line ? fmt::format("{}:{}:{}", f.path, f.line, f.column) : f.path;
  if (!f.commit.empty()) where += fmt::format(" ({})", f.commit.substr(0, 12));
  return where;
}

std::string details_of(const Finding& f) {
  std::string d = fmt::format("rule: {} ({})\nseverity: {}\nlocation: {}\nsecret: {}\nfingerprint: {}\n",
                              f.rule_id, f.rule_name, to_string(f.severity), location_of(f), f.redacted,
                              f.fingerprint);
  if (!f.excerpt.empty()) d += fmt::format("line: {}\n", f.excerpt);
  if (!f.encoding.empty()) d += fmt::format("found inside {} encoding\n", f.encoding);
  if (!f.commit.empty()) d += fmt::format("commit: {}\n", f.commit);
  if (!f.author.empty()) d += fmt::format("author: {}\n", f.author);
  if (!f.date.empty()) d += fmt::format("date: {}\n", f.date);
  if (!f.note.empty()) d += fmt::format("note: {}\n", f.note);
  return d;
}

class JunitReporter : public Reporter {
 public:
  Result<void> write(const ScanReport& r, std::FILE* out) override {
    std::size_t failures = 0, skipped = 0;
    std::string cases;
    for (const auto& f : r.findings) {
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"", xml_escape(f.path),
                           xml_escape(fmt::format("{} at {}", f.rule_id, location_of(f))), xml_escape(f.path));
      if (f.line > 0) cases += fmt::format(" line=\"{}\"", f.line);
      cases += " time=\"0\">\n";
      const auto details = xml_escape(details_of(f));
      switch (f.disposition) {
        case Disposition::Block:
          ++failures;
          cases += fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n", xml_escape(f.rule_id),
                               xml_escape(fmt::format("{} secret ({}) at {}: {}", to_string(f.severity), f.rule_id,
                                                      location_of(f), f.redacted)),
                               details);
          break;
        case Disposition::Warn:
        case Disposition::Observe:
        case Disposition::Bypassed:
          cases += fmt::format("      <system-out>{}: {}</system-out>\n", to_string(f.disposition), details);
          break;
        case Disposition::Allowed:
        case Disposition::Waived:
        case Disposition::Baselined:
          ++skipped;
          cases += fmt::format("      <skipped message=\"{}\"/>\n",
                               xml_escape(f.note.empty() ? std::string(to_string(f.disposition))
                                                         : fmt::format("{}: {}", to_string(f.disposition), f.note)));
          break;
      }
      cases += "    </testcase>\n";
    }
    std::size_t tests = r.findings.size();
    if (r.findings.empty()) {
      // A clean scan is one passing test, so dashboards show that the check ran.
      cases += fmt::format("    <testcase classname=\"vigil\" name=\"{}\" time=\"{:.3f}\"/>\n",
                           xml_escape(fmt::format("no secrets in {}", r.target.empty() ? "scan" : r.target)),
                           r.duration_ms / 1000.0);
      tests = 1;
    }
    std::string skips;
    for (const auto& s : r.skips) {
      skips += xml_escape(fmt::format("skipped {}{}: {}\n", s.path,
                                      s.commit.empty() ? "" : " (" + s.commit.substr(0, 12) + ")", s.reason));
    }
    const auto seconds = r.duration_ms / 1000.0;
    std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    doc += fmt::format("<testsuites name=\"vigil\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                       tests, failures, skipped, seconds);
    doc += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                       xml_escape(fmt::format("vigil scan {}", r.target)), tests, failures, skipped, seconds);
    doc += fmt::format("    <properties>\n      <property name=\"vigil_version\" value=\"{}\"/>\n"
                       "      <property name=\"rules_version\" value=\"{}\"/>\n    </properties>\n",
                       xml_escape(r.tool_version), xml_escape(r.rules_version));
    doc += cases;
    if (!skips.empty()) doc += fmt::format("    <system-out>{}</system-out>\n", skips);
    doc += "  </testsuite>\n</testsuites>\n";
    if (std::fputs(doc.c_str(), out) < 0) return make_error(ErrorCode::Io, "cannot write the JUnit report");
    return {};
  }
};

}  // namespace

std::unique_ptr<Reporter> make_junit_reporter() { return std::make_unique<JunitReporter>(); }

}  // namespace vigil
