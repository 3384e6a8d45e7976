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
                                              "jobs", "min_mode", "on_limit", "trust_root"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

}  // namespace

Result<void> parse_server_settings(const toml::node& node, std::string_view path, ServerSettings& s) {
  const auto* t = node.as_table();
  if (!t) return bad(path, node, "[server] must be a table");
  s.configured = true;
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (std::find(kServerKeys.begin(), kServerKeys.end(), key) == kServerKeys.end()) {
      const auto sug = suggest(key, kServerKeys);
      return bad(path, v, fmt::format("unknown key '{}' in [server]{}", key, sug.empty() ? "" : fmt::format(" (did you mean '{}'?)", sug)));
    }
    if (key == "deadline_ms" || key == "jobs") {
      const auto i = v.value<std::int64_t>();
      if (!i || *i < 1 || *i > 3600000) return bad(path, v, fmt::format("server.{} must be a positive integer", key));
      if (key == "jobs") s.jobs = static_cast<unsigned>(std::min<std::int64_t>(*i, 64));
      else s.deadline_ms = static_cast<std::uint32_t>(*i);
    } else if (key == "on_timeout" || key == "on_error" || key == "on_limit") {
      const auto str = v.value<std::string>();
      if (!str || (*str != "reject" && *str != "accept")) {
        return bad(path, v, fmt::format("server.{} must be \"reject\" (fail closed) or \"accept\" (fail open)", key));
      }
      (key == "on_timeout" ? s.accept_on_timeout : key == "on_error" ? s.accept_on_error
                                                                     : s.accept_on_limit) =
          *str == "accept";
    } else if (key == "bypass" || key == "repo_config" || key == "repo_allows") {
      const auto b = v.value<bool>();
      if (!b) return bad(path, v, fmt::format("server.{} must be true or false", key));
      (key == "bypass" ? s.bypass_allowed : key == "repo_config" ? s.repo_config
                                                                 : s.repo_allows) = *b;
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
      if (key == "trust_root") {
        for (const auto& e : *l) {
          if (e.empty()) return bad(path, v, "server.trust_root holds key file paths or SSH fingerprints (\"SHA256:...\"), not empty strings");
        }
        s.trust_root = std::move(*l);
        continue;
      }
      (key == "bypass_users" ? s.bypass_users : s.pusher_env) = std::move(*l);
    }
  }
  return {};
}

}  // namespace vigil
