#include "detectors/gates/server_policy_file.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/git/refs.h"
#include "detectors/policy/server_policy.h"
#include "detectors/rules/rule_loader.h"
#include "detectors/scan/scanner.h"

namespace vigil {

namespace {

constexpr const char* kPolicyPath = ".vigil.toml";

bool same_matcher(const Rule& a, const Rule& b) {
  return a.regex == b.regex && a.secret_group == b.secret_group;
}

// What is wrong with a policy text ("" when nothing is).
std::string policy_problem(const std::string& text, const std::string& label) {
  auto cfg = parse_config(text, label, RuleDetail::Scan);
  if (!cfg) return cfg.error().message;
  if (auto c = check_own_rules_compile(*cfg); !c) return c.error().message;
  return {};
}

}  // namespace

Result<void> check_own_rules_compile(const Config& config) {
  auto builtin = load_builtin_rules(RuleDetail::Scan);
  if (!builtin) return builtin.error();
  std::vector<Rule> own;
  for (const auto& r : config.rules) {
    const auto it = std::find_if(builtin->begin(), builtin->end(), [&](const Rule& b) { return b.id == r.id; });
    if (it == builtin->end() || !same_matcher(*it, r)) own.push_back(r);
  }
  if (own.empty()) return {};
  CacheOptions cache;
  cache.dir = default_cache_dir();
  auto scanner = Scanner::compile(std::move(own), cache);
  if (!scanner) return scanner.error();
  return scanner->check_all_patterns();
}

Result<ServerPolicy> load_server_policy(const git::Repo& repo, std::vector<std::string>& notes, const std::string& head_rev) {
  Result<Config> floor = make_error(ErrorCode::Internal, "unset");
  if (auto path = repo.config_string("vigil.policy")) {
    floor = load_config_file(*path, true, RuleDetail::Scan);
  } else {
    floor = default_config(RuleDetail::Scan);
  }
  if (!floor) return floor.error();
  if (!floor->server.repo_config) return ServerPolicy{std::move(*floor), std::nullopt};
  // Never from the push itself: HEAD still names the old tip while the push is in quarantine.
  auto text = repo.read_file_at(head_rev, kPolicyPath);
  if (!text) return text.error();
  if (!*text) return ServerPolicy{std::move(*floor), std::nullopt};
  auto repo_cfg = parse_config(**text, "HEAD:.vigil.toml", RuleDetail::Scan);
  if (repo_cfg) {
    if (auto c = check_own_rules_compile(*repo_cfg); !c) repo_cfg = c.error();
  }
  if (!repo_cfg) {
    // A broken repository file neither disables the floor nor locks anyone out: the floor judges
    // alone (so a push that repairs the file is judged by the floor).
    notes.push_back("ignored the repository's .vigil.toml: " + repo_cfg.error().message + " — the server floor applies alone");
    return ServerPolicy{std::move(*floor), std::nullopt};
  }
  ServerPolicy out{tighten(*floor, *repo_cfg, notes), std::nullopt};
  out.floor = std::move(*floor);
  return out;
}

Result<std::vector<Finding>> pushed_policy_findings(const git::Repo& repo, const std::vector<RefUpdate>& updates) {
  std::vector<Finding> out;
  std::vector<std::string> seen;  // a tip pushed to several refs is reported once
  for (const auto& u : updates) {
    if (git::is_zero_oid(u.new_oid)) continue;
    const auto type = git::object_type(repo, u.new_oid);
    if (type != "commit" && type != "tag") continue;
    if (std::find(seen.begin(), seen.end(), u.new_oid) != seen.end()) continue;
    seen.push_back(u.new_oid);
    auto now = repo.read_file_at(u.new_oid, kPolicyPath);
    if (!now) return now.error();
    if (!*now) continue;
    const std::string before_rev = git::is_zero_oid(u.old_oid) ? std::string("HEAD") : u.old_oid;
    auto before = repo.read_file_at(before_rev, kPolicyPath);
    if (!before) return before.error();
    if (*before && **before == **now) continue;  // not introduced by this push
    const auto problem = policy_problem(**now, fmt::format("{}:{}", u.ref, kPolicyPath));
    if (problem.empty()) continue;
    Finding f;
    f.rule_id = std::string(kConfigInvalidId);
    f.rule_name = "repository policy file";
    f.severity = Severity::High;
    f.confidence = Confidence::High;
    f.tags = {"policy"};
    f.path = kPolicyPath;
    f.commit = u.new_oid;
    f.excerpt = problem;
    f.note = "the pushed .vigil.toml is broken: fix it (vigil rules check) and push again";
    f.fingerprint = fingerprint(kConfigInvalidId, u.new_oid);
    // A broken policy is not a finding a rollout mode softens: it never lands.
    f.disposition = Disposition::Block;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vigil
