#include "detectors/gates/laptop_skip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "detectors/audit/audit_log.h"
#include "detectors/git/repo.h"
#include "detectors/policy/waiver.h"
#include "detectors/report/finding_json.h"
#include "detectors/util/text.h"

namespace vigil {

SkipRequest skip_from_env() {
  SkipRequest r;
  if (const char* s = std::getenv("VIGIL_SKIP")) {
    std::string_view rest = s;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto word = trim(rest.substr(0, comma));
      if (!word.empty()) r.rules.emplace_back(word);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  if (const char* why = std::getenv("VIGIL_SKIP_REASON")) r.reason = std::string(trim(why));
  return r;
}

std::string apply_skip(const SkipRequest& req, const Config& config, std::vector<Finding>& findings,
                       const std::string& who) {
  if (!config.settings.governance.allow_skip) return "the policy does not allow VIGIL_SKIP (settings.allow_skip = false)";
  if (req.reason.empty()) return "VIGIL_SKIP needs a reason: set VIGIL_SKIP_REASON=\"<why>\"";
  for (auto& f : findings) {
    if (f.disposition != Disposition::Block) continue;
    const bool named = std::any_of(req.rules.begin(), req.rules.end(), [&](const std::string& r) {
      return r == f.rule_id || r == rule_family(f.rule_id);
    });
    if (!named) continue;
    f.disposition = Disposition::Bypassed;
    f.note = fmt::format("skipped by {} (VIGIL_SKIP): {}", who, req.reason);
  }
  return {};
}

void laptop_skip(const git::Repo& repo, const Config& config, const char* hook, ScanReport& report) {
  report.skip_allowed = config.settings.governance.allow_skip;  // so the report offers it only where it works
  const SkipRequest req = skip_from_env();
  if (!req.present()) return;
  // Who: the identity git will record (user.email), else what the environment says.
  std::string who = repo.config_string("user.email").value_or("");
  for (const char* var : {"GIT_AUTHOR_EMAIL", "USER"}) {
    if (const char* v = std::getenv(var); who.empty() && v && *v) who = v;
  }
  if (who.empty()) who = "unknown";
  const auto refusal = apply_skip(req, config, report.findings, who);
  const auto bypassed = report.count(Disposition::Bypassed);
  if (!refusal.empty()) {
    fmt::print(stderr, "vigil: skip refused: {}\n", refusal);
  } else if (bypassed > 0) {
    fmt::print(stderr, "vigil: {} finding{} skipped by {} (recorded): {}\n", bypassed, bypassed == 1 ? "" : "s", who,
               req.reason);
  }
  if (refusal.empty() && bypassed == 0) return;  // nothing was skipped: nothing to answer for
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  auto findings = nlohmann::json::array();
  for (const auto& f : report.findings) {
    if (f.disposition == Disposition::Bypassed) findings.push_back(finding_to_json(f));
  }
  nlohmann::json rec = {
      {"time", when},
      {"hook", hook},
      {"repo", repo.is_bare() ? repo.git_dir() : repo.workdir()},
      {"pusher", who},
      {"decision", refusal.empty() ? "bypass" : "skip-refused"},
      {"bypass", {{"by", who}, {"reason", req.reason}, {"rules", req.rules}, {"via", "VIGIL_SKIP"}}},
      {"findings", findings},
      {"vigil_version", vigil_version()},
      {"rules_version", report.rules_version},
  };
  if (!refusal.empty()) rec["reason"] = refusal;
  const std::string log = repo.config_string("vigil.auditLog").value_or(repo.git_dir() + "/vigil-audit.jsonl");
  if (auto w = audit_append(log, rec); !w) {
    // A bypass nobody can see later is what this feature exists to prevent: undo it.
    fmt::print(stderr, "vigil: error: {}\nvigil: skip refused: it could not be recorded\n", w.error().message);
    for (auto& f : report.findings) {
      if (f.disposition == Disposition::Bypassed) f.disposition = Disposition::Block;
    }
  }
}

}  // namespace vigil
