#include "detectors/policy/server_policy.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/policy/config.h"
#include "detectors/policy/governance_toml.h"
#include "detectors/policy/policy.h"
#include "detectors/policy/server_toml.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kServerKeys = {"deadline_ms", "on_timeout", "on_error", "bypass", "bypass_max_severity",
                                              "bypass_users", "pusher_env", "audit_log", "audit_key", "repo_config", "repo_allows",
                                              "jobs", "min_mode"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

}  // namespace

Result<void> parse_server_settings(const toml::node& node, std::string_view path, ServerSettings& s) {
  const auto* t = node.as_table();
  if (!t) return bad(path, node, "[server] must be a table");
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (std::find(kServerKeys.begin(), kServerKeys.end(), key) == kServerKeys.end()) {
      const auto sug = suggest(key, kServerKeys);
      return bad(path, v, fmt::format("unknown key '{}' in [server]{}", key,
                                      sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
    }
    if (key == "deadline_ms" || key == "jobs") {
      const auto i = v.value<std::int64_t>();
      if (!i || *i < 1 || *i > 3600000) return bad(path, v, fmt::format("server.{} must be a positive integer", key));
      if (key == "jobs") s.jobs = static_cast<unsigned>(std::min<std::int64_t>(*i, 64));
      else s.deadline_ms = static_cast<std::uint32_t>(*i);
    } else if (key == "on_timeout" || key == "on_error") {
      const auto str = v.value<std::string>();
      if (!str || (*str != "reject" && *str != "accept")) {
        return bad(path, v, fmt::format("server.{} must be \"reject\" (fail closed) or \"accept\" (fail open)", key));
      }
      (key == "on_timeout" ? s.accept_on_timeout : s.accept_on_error) = *str == "accept";
    } else if (key == "bypass" || key == "repo_config" || key == "repo_allows") {
      const auto b = v.value<bool>();
      if (!b) return bad(path, v, fmt::format("server.{} must be true or false", key));
      (key == "bypass" ? s.bypass_allowed : key == "repo_config" ? s.repo_config : s.repo_allows) = *b;
    } else if (key == "bypass_max_severity") {
      const auto str = v.value<std::string>();
      const auto sev = str ? parse_severity(*str) : std::nullopt;
      if (!sev) return bad(path, v, "server.bypass_max_severity must be critical, high, medium, low or info");
      s.bypass_max_severity = *sev;
    } else if (key == "min_mode") {
      GovernanceSettings g;
      if (auto r = parse_min_mode(v, path, g); !r) return r.error();
      s.min_mode = g.min_mode;
    } else if (key == "audit_log" || key == "audit_key") {
      const auto str = v.value<std::string>();
      if (!str || str->empty()) return bad(path, v, fmt::format("server.{} must be a path", key));
      (key == "audit_log" ? s.audit_log : s.audit_key) = *str;
    } else {
      auto l = toml_strings(v, key, path);
      if (!l) return l.error();
      (key == "bypass_users" ? s.bypass_users : s.pusher_env) = std::move(*l);
    }
  }
  return {};
}

Config tighten(const Config& floor, const Config& repo, std::vector<std::string>& notes) {
  Config out = floor;
  // Settings: each only in the stricter direction.
  // A repository that never names a mode inherits the floor's (a server rolled out in "observe"
  // stays there until the repository itself asks for more).
  const Mode repo_default = repo.settings.governance.mode_explicit ? repo.settings.mode : floor.settings.mode;
  out.settings.mode = std::max(floor.settings.mode, repo_default);
  out.settings.fail_on = std::min(floor.settings.fail_on, repo.settings.fail_on);
  out.settings.max_file_size = std::max(floor.settings.max_file_size, repo.settings.max_file_size);
  out.settings.decode_depth = std::max(floor.settings.decode_depth, repo.settings.decode_depth);
  out.settings.inline_allow = floor.settings.inline_allow && repo.settings.inline_allow;
  for (const auto& d : repo.settings.disabled_rules) {
    if (std::any_of(floor.rules.begin(), floor.rules.end(), [&](const Rule& r) { return r.id == d; })) {
      notes.push_back(fmt::format("ignored: the repository disables rule '{}', which the server policy enables", d));
    }
  }
  for (const auto& rr : repo.rules) {
    auto it = std::find_if(out.rules.begin(), out.rules.end(), [&](const Rule& r) { return r.id == rr.id; });
    if (it == out.rules.end()) {
      out.rules.push_back(rr);  // a new rule only adds detection
      continue;
    }
    if (rr.severity > it->severity) it->severity = rr.severity;
    // Compare the modes each side would apply (rule, then family, then default), so neither a
    // rule nor a family entry of the repository can lower what the floor applies.
    const auto floor_rule = std::find_if(floor.rules.begin(), floor.rules.end(), [&](const Rule& r) { return r.id == rr.id; });
    const Mode floor_mode = floor_rule != floor.rules.end() ? configured_mode(floor, *floor_rule) : configured_mode(out, *it);
    // A repository that names no mode for the rule (rule, family or settings) has no opinion.
    const bool named = rr.mode || repo.family_modes.count(rule_family(rr.id));
    if (!named && !repo.settings.governance.mode_explicit) continue;
    const Mode repo_mode = configured_mode(repo, rr);
    if (repo_mode > floor_mode) {
      it->mode = repo_mode;
    } else if (repo_mode < floor_mode && named) {
      notes.push_back(fmt::format("ignored: the repository lowers the mode of rule '{}' to {}", rr.id, to_string(repo_mode)));
    }
  }
  // Governance: minimum modes only go up, limits only get stricter, skips need both to agree.
  auto& g = out.settings.governance;
  const auto& rg = repo.settings.governance;
  for (std::size_t i = 0; i < g.min_mode.size(); ++i) {
    if (rg.min_mode[i] && (!g.min_mode[i] || *rg.min_mode[i] > *g.min_mode[i])) g.min_mode[i] = rg.min_mode[i];
    if (rg.min_mode[i] && g.min_mode[i] && *rg.min_mode[i] < *g.min_mode[i]) {
      notes.push_back(fmt::format("ignored: the repository lowers min_mode for {} findings", to_string(static_cast<Severity>(i))));
    }
  }
  if (rg.waiver_max_days && (!g.waiver_max_days || *rg.waiver_max_days < *g.waiver_max_days)) g.waiver_max_days = rg.waiver_max_days;
  g.waiver_reason_regexes.insert(g.waiver_reason_regexes.end(), rg.waiver_reason_regexes.begin(), rg.waiver_reason_regexes.end());
  if (rg.inline_allow_max_severity && (!g.inline_allow_max_severity || *rg.inline_allow_max_severity < *g.inline_allow_max_severity)) {
    g.inline_allow_max_severity = rg.inline_allow_max_severity;
  }
  g.allow_skip = g.allow_skip && rg.allow_skip;
  // Waivers are owned, expiring exceptions: the repository's count when they meet the floor's limits.
  for (const auto& w : repo.waivers) {
    const auto problems = waiver_policy_problems(w, g);
    if (problems.empty()) {
      out.waivers.push_back(w);
    } else {
      notes.push_back(fmt::format("ignored: {} of the repository: {}", w.label(), problems.front()));
    }
  }
  // Allows loosen the gate: they count only where the server policy trusts the repository's.
  if (floor.server.repo_allows) {
    out.allows.insert(out.allows.end(), repo.allows.begin(), repo.allows.end());
  } else if (!repo.allows.empty()) {
    notes.push_back(fmt::format("ignored: {} [[allow]] entr{} of the repository (server.repo_allows = false)",
                                repo.allows.size(), repo.allows.size() == 1 ? "y" : "ies"));
  }
  // Policy sections: the repository's rules add to the floor's.
  out.files.rules.insert(out.files.rules.end(), repo.files.rules.begin(), repo.files.rules.end());
  out.hash = floor.hash + "+" + repo.hash;
  return out;
}

}  // namespace vigil
