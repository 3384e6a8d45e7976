// GitLab secret-detection report (security report schema 15.x), the file a job publishes as
// `artifacts:reports:secret_detection` for GitLab's security dashboard and merge request widget.
// Findings that policy let through (allowed, waived, baselined) are left out, because GitLab has
// no suppression field; the report says how many. Secrets appear only redacted.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "detectors/report/reporters.h"
#include "detectors/util/hash.h"
#include "detectors/util/quote.h"

namespace vigil {

namespace {

constexpr const char* kSchemaVersion = "15.0.7";

const char* gitlab_severity(Severity s) {
  switch (s) {
    case Severity::Critical: return "Critical";
    case Severity::High: return "High";
    case Severity::Medium: return "Medium";
    case Severity::Low: return "Low";
    case Severity::Info: return "Info";
  }
  return "High";
}

// The schema wants UTC as YYYY-MM-DDTHH:MM:SS, without a zone suffix.
std::string gitlab_time(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

bool reported(Disposition d) {
  return d != Disposition::Allowed && d != Disposition::Waived && d != Disposition::Baselined;
}

nlohmann::ordered_json vulnerability_of(const Finding& f) {
  // GitLab tracks a vulnerability across pipelines by id, so it must be stable and unique per
  // occurrence: the fingerprint (the secret) plus where it is.
  const auto id = Sha256()
                      .update("vigil-gitlab-v1")
                      .update(std::string_view("\0", 1))
                      .update(f.fingerprint)
                      .update(std::string_view("\0", 1))
                      .update(f.path)
                      .update(std::string_view("\0", 1))
                      .update(f.commit)
                      .update(std::to_string(f.line))
                      .hex();
  nlohmann::ordered_json location = {{"file", quote_name(f.path, NameQuoting::Json)}};
  if (f.line > 0) location["start_line"] = f.line;
  if (f.line > 0) location["end_line"] = f.line;
  nlohmann::ordered_json commit = {{"sha", f.commit.empty() ? "0000000" : f.commit}};
  if (!f.author.empty()) commit["author"] = f.author;
  if (!f.date.empty()) commit["date"] = f.date;
  location["commit"] = commit;
  const std::string name = f.rule_name.empty() ? f.rule_id : f.rule_name;
  std::string description = fmt::format("{} detected ({}); remove it and rotate the credential if it is real.",
                                        name, f.redacted);
  if (!f.encoding.empty()) description += fmt::format(" Found inside {} encoding.", f.encoding);
  if (!f.note.empty()) description += fmt::format(" Note: {}.", f.note);
  return {
      {"id", id},
      {"category", "secret_detection"},
      {"name", name},
      {"description", description},
      {"severity", gitlab_severity(f.severity)},
      {"solution", "Remove the secret from the code, load it from the environment or a secret store, and rotate it."},
      {"location", location},
      {"identifiers", nlohmann::ordered_json::array({{{"type", "vigil_rule_id"},
                                                      {"name", fmt::format("vigil rule {}", f.rule_id)},
                                                      {"value", f.rule_id}}})},
      {"raw_source_code_extract", f.excerpt},
  };
}

class GitlabReporter : public Reporter {
 public:
  Result<void> write(const ScanReport& r, std::FILE* out) override {
    nlohmann::ordered_json vulns = nlohmann::ordered_json::array();
    std::size_t left_out = 0;
    for (const auto& f : r.findings) {
      if (reported(f.disposition)) vulns.push_back(vulnerability_of(f));
      else ++left_out;
    }
    const auto end = std::chrono::system_clock::now();
    const auto start = end - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                 std::chrono::duration<double, std::milli>(r.duration_ms));
    const std::string version = r.tool_version.empty() ? std::string(vigil_version()) : r.tool_version;
    const nlohmann::ordered_json tool = {{"id", "vigil"}, {"name", "vigil"}, {"version", version}, {"vendor", {{"name", "vigil"}}}};
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    if (left_out > 0) {
      messages.push_back({{"level", "info"},
                          {"value", fmt::format("{} finding{} allowed, waived or baselined by policy and not listed",
                                                left_out, left_out == 1 ? "" : "s")}});
    }
    for (const auto& s : r.skips) {
      messages.push_back({{"level", "warn"}, {"value", fmt::format("skipped {}: {}", quote_name(s.path), s.reason)}});
    }
    nlohmann::ordered_json scan = {
        {"analyzer", tool},
        {"scanner", tool},
        {"type", "secret_detection"},
        {"start_time", gitlab_time(start)},
        {"end_time", gitlab_time(end)},
        {"status", "success"},
    };
    if (!messages.empty()) scan["messages"] = messages;
    const nlohmann::ordered_json doc = {{"version", kSchemaVersion}, {"vulnerabilities", vulns}, {"scan", scan}};
    const auto text = doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    if (std::fputs(text.c_str(), out) < 0 || std::fputc('\n', out) == EOF) {
      return make_error(ErrorCode::Io, "cannot write the GitLab report");
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Reporter> make_gitlab_reporter() { return std::make_unique<GitlabReporter>(); }

}  // namespace vigil
