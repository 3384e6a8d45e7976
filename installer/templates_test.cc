// The starter .vigil.toml and the server policy scaffold: valid as written, valid with every
// commented example enabled, and documenting every [server] key.
#include "installer/templates.h"

#include <doctest/doctest.h>

#include <sstream>

#include "detectors/policy/config.h"

namespace {

// Enables every example line: "#key = value" -> "key = value"; prose ("# ...") stays a comment.
std::string uncomment_examples(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.size() > 1 && line[0] == '#' && line[1] != ' ' && line[1] != '#' && line[1] != '!') line.erase(0, 1);
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("starter config parses, and still parses with every example enabled") {
  const std::string text = vigil::starter_config_text();
  auto cfg = vigil::parse_config(text, ".vigil.toml");
  REQUIRE_MESSAGE(cfg.ok(), (cfg.ok() ? "" : cfg.error().message));
  CHECK(cfg->settings.builtin_rules);
  CHECK(!cfg->signatures.configured);  // examples are off until enabled
  const std::string all = uncomment_examples(text);
  CHECK(all != text);
  auto full = vigil::parse_config(all, ".vigil.toml");
  REQUIRE_MESSAGE(full.ok(), (full.ok() ? "" : full.error().message));
  CHECK(full->signatures.configured);
  CHECK(full->files.rules.size() == 2);
  bool has_example_rule = false;
  for (const auto& r : full->rules) has_example_rule |= r.id == "acme.api-key";
  CHECK(has_example_rule);
}

TEST_CASE("server policy scaffold documents every [server] key at its default") {
  const std::string text = vigil::server_policy_text();
  for (const char* key : {"deadline_ms", "on_timeout", "on_error", "bypass", "bypass_max_severity", "bypass_users",
                          "pusher_env", "audit_log", "repo_config", "repo_allows", "jobs"}) {
    CHECK_MESSAGE(text.find(std::string("\n# ") + key + ":") != std::string::npos, key);
  }
  auto cfg = vigil::parse_config(text, "vigil-policy.toml");
  REQUIRE_MESSAGE(cfg.ok(), (cfg.ok() ? "" : cfg.error().message));
  const vigil::ServerSettings defaults;
  CHECK(cfg->server.deadline_ms == defaults.deadline_ms);
  CHECK(cfg->server.accept_on_timeout == defaults.accept_on_timeout);
  CHECK(cfg->server.accept_on_error == defaults.accept_on_error);
  CHECK(cfg->server.bypass_allowed == defaults.bypass_allowed);
  CHECK(cfg->server.bypass_max_severity == defaults.bypass_max_severity);
  CHECK(cfg->server.pusher_env == defaults.pusher_env);
  CHECK(cfg->server.repo_config == defaults.repo_config);
  CHECK(cfg->server.repo_allows == defaults.repo_allows);
  CHECK(cfg->server.jobs == defaults.jobs);
  auto full = vigil::parse_config(uncomment_examples(text), "vigil-policy.toml");
  REQUIRE_MESSAGE(full.ok(), (full.ok() ? "" : full.error().message));
  CHECK(full->server.audit_log == "/var/log/vigil/audit.jsonl");
}
