// The gitleaks importer's working state (internal to detectors/import): the TOML it has written so
// far, the ids it has used, and the helpers that read gitleaks tables case-insensitively. Its
// methods live in gitleaks_import.cc (rules, [extend], the whole config) and gitleaks_allowlist.cc.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/import/gitleaks_import.h"
#include "detectors/import/gitleaks_text.h"
#include "detectors/rules/rule.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/toml.h"

namespace vigil::gitleaks {

struct Importer {
  std::string_view path;
  GitleaksImport out;
  std::string rules_toml;
  std::string allows_toml;
  std::set<std::string> used_ids;               // built-in ids and ids emitted so far
  std::map<std::string, std::string> imported;  // gitleaks id -> vigil id

  std::string where(const toml::node& n) const { return toml_where(path, n); }
  void warn(const toml::node& n, const std::string& msg) { out.warnings.push_back(where(n) + ": " + msg); }
  Error bad(const toml::node& n, const std::string& msg) const {
    return make_error(ErrorCode::Config, where(n) + ": " + msg);
  }

  // Viper reads gitleaks keys case-insensitively ("secretGroup" == "secretgroup").
  static const toml::node* get(const toml::table& t, std::string_view key) {
    for (const auto& [k, v] : t) {
      if (lower(k.str()) == key) return &v;
    }
    return nullptr;
  }

  Result<std::string> str(const toml::table& t, std::string_view key) const {
    const auto* n = get(t, key);
    if (!n) return std::string();
    const auto* s = n->as_string();
    if (!s) return bad(*n, fmt::format("'{}' must be a string", key));
    return s->get();
  }

  Result<std::vector<std::string>> strs(const toml::table& t, std::string_view key) const {
    const auto* n = get(t, key);
    if (!n) return std::vector<std::string>{};
    return toml_strings(*n, key, path);
  }

  void warn_unknown_keys(const toml::table& t, const std::vector<std::string_view>& known, std::string_view what) {
    for (const auto& [k, v] : t) {
      const auto key = lower(k.str());
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        warn(v, fmt::format("{}: unknown key '{}' ignored", what, one_line(k.str(), 64)));
      }
    }
  }

  /// One gitleaks allowlist (rule-level when `rule_ids` is set, else global) -> [[allow]] entries.
  Result<void> allowlist(const toml::table& t, std::vector<std::string> rule_ids, const std::string& scope,
                         bool global);
  /// The [rules.allowlist] table and [[rules.allowlists]] array of a rule, or the global ones.
  Result<void> allowlists(const toml::table& t, const std::vector<std::string>& rule_ids, const std::string& scope,
                          bool global);
  std::string unique_id(const std::string& want);
  Result<void> rule(const toml::table& t);
  void emit_rule(const Rule& r);
  Result<void> extend(const toml::node& n, std::string& header);
  Result<void> run(std::string_view text);
};

}  // namespace vigil::gitleaks
