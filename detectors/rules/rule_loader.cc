#include "detectors/rules/rule_loader.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/rules/builtin_rules.h"
#include "detectors/rules/rule_cache.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/cache_file.h"
#include "detectors/util/mapped_file.h"
#include "detectors/util/hash.h"
#include "detectors/util/text.h"

namespace vigil {

std::string toml_where(std::string_view path, const toml::source_region& region) {
  return fmt::format("{}:{}:{}", path, region.begin.line, region.begin.column);
}
std::string toml_where(std::string_view path, const toml::node& node) {
  return toml_where(path, node.source());
}

Result<std::vector<std::string>> toml_strings(const toml::node& n, std::string_view key,
                                              std::string_view path) {
  std::vector<std::string> out;
  if (const auto* s = n.as_string()) {
    out.push_back(s->get());
    return out;
  }
  const auto* arr = n.as_array();
  if (!arr) {
    return make_error(ErrorCode::Config, fmt::format("{}: '{}' must be an array of strings",
                                                     toml_where(path, n), key));
  }
  for (const auto& el : *arr) {
    const auto* s = el.as_string();
    if (!s) {
      return make_error(ErrorCode::Config, fmt::format("{}: '{}' must hold only strings",
                                                       toml_where(path, el), key));
    }
    out.push_back(s->get());
  }
  return out;
}

namespace {

const std::vector<std::string> kRuleKeys = {
    "id", "name", "description", "regex", "secret_group", "keywords", "entropy", "severity",
    "confidence", "validator", "reference", "tags", "examples", "negative_examples", "window",
    "mode", "generic"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

}  // namespace

Result<Rule> rule_from_toml(const toml::table& t, std::string_view path, bool partial) {
  Rule r;
  r.source = std::string(path);
  r.source_line = static_cast<int>(t.source().begin.line);
  for (const auto& entry : t) {
    // Not a structured binding: clang 14 cannot capture one in the lambdas below.
    const auto& k = entry.first;
    const auto& v = entry.second;
    const std::string_view key = k.str();
    if (std::find(kRuleKeys.begin(), kRuleKeys.end(), key) == kRuleKeys.end()) {
      const auto s = suggest(key, kRuleKeys);
      return bad(path, v, fmt::format("unknown rule key '{}'{}", key, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
    auto str = [&](std::string& out) -> Result<void> {
      const auto* s = v.as_string();
      if (!s) return bad(path, v, fmt::format("'{}' must be a string", key));
      out = s->get();
      return {};
    };
    auto strs = [&](std::vector<std::string>& out) -> Result<void> {
      auto l = toml_strings(v, key, path);
      if (!l) return l.error();
      out = std::move(*l);
      return {};
    };
    Result<void> res;
    if (key == "id") {
      res = str(r.id);
      if (res && !valid_rule_id(r.id)) {
        return bad(path, v, fmt::format("rule id '{}' is invalid: use lower-case words joined by "
                                        "'.' or '-', at most 32 characters",
                                        r.id));
      }
    } else if (key == "name") {
      res = str(r.name);
    } else if (key == "description") {
      res = str(r.description);
    } else if (key == "regex") {
      res = str(r.regex);
    } else if (key == "reference") {
      res = str(r.reference);
    } else if (key == "keywords") {
      res = strs(r.keywords);
      for (auto& kw : r.keywords) {
        std::transform(kw.begin(), kw.end(), kw.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      }
    } else if (key == "tags") {
      res = strs(r.tags);
    } else if (key == "examples") {
      res = strs(r.examples);
    } else if (key == "negative_examples") {
      res = strs(r.negative_examples);
    } else if (key == "secret_group") {
      const auto* i = v.as_integer();
      if (!i || i->get() < 0 || i->get() > 99) return bad(path, v, "'secret_group' must be 0..99");
      r.secret_group = static_cast<int>(i->get());
    } else if (key == "window") {
      const auto* i = v.as_integer();
      if (!i || i->get() < 16 || i->get() > 65536) return bad(path, v, "'window' must be 16..65536");
      r.window = static_cast<std::size_t>(i->get());
    } else if (key == "entropy") {
      const auto d = v.value<double>();
      if (!d || *d < 0 || *d > 8) return bad(path, v, "'entropy' must be a number from 0 to 8");
      r.entropy = *d;
    } else if (key == "generic") {
      const auto* b = v.as_boolean();
      if (!b) return bad(path, v, "'generic' must be true or false");
      r.generic = b->get();
    } else if (key == "severity") {
      std::string s;
      res = str(s);
      const auto sev = parse_severity(s);
      if (res && !sev) return bad(path, v, fmt::format("unknown severity '{}': use critical, high, medium, low or info", s));
      if (sev) r.severity = *sev;
    } else if (key == "confidence") {
      std::string s;
      res = str(s);
      const auto c = parse_confidence(s);
      if (res && !c) return bad(path, v, fmt::format("unknown confidence '{}': use high, medium or low", s));
      if (c) r.confidence = *c;
    } else if (key == "mode") {
      std::string s;
      res = str(s);
      const auto m = parse_mode(s);
      if (res && !m) return bad(path, v, fmt::format("unknown mode '{}': use enforce, warn or observe", s));
      r.mode = m;
    } else if (key == "validator") {
      std::string s;
      res = str(s);
      if (s == "base62-crc32") {
        r.validator = Validator::Base62Crc32;
      } else if (s == "jwt") {
        r.validator = Validator::Jwt;
      } else if (s == "uri-password") {
        r.validator = Validator::UriPassword;
      } else if (s == "credential") {
        r.validator = Validator::Credential;
      } else if (s == "password") {
        r.validator = Validator::Password;
      } else if (s == "http-auth") {
        r.validator = Validator::HttpAuth;
      } else if (res) {
        return bad(path, v, fmt::format("unknown validator '{}': use base62-crc32, jwt, uri-password, credential, "
                                        "password or http-auth",
                                        s));
      }
    }
    if (!res) return res.error();
  }
  if (r.id.empty()) return bad(path, t, "rule has no 'id'");
  if (!partial && r.regex.empty()) return bad(path, t, fmt::format("rule '{}' has no 'regex'", r.id));
  return r;
}

Result<std::vector<Rule>> load_rules_text(std::string_view text, std::string_view path) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view{path});
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::Config,
                      fmt::format("{}: {}", toml_where(path, e.source()), e.description()));
  }
  std::vector<Rule> rules;
  for (const auto& [k, v] : doc) {
    if (k.str() != "rules") {
      return bad(path, v, fmt::format("unknown top-level key '{}' in a rules file (expected [[rules]])", k.str()));
    }
  }
  const auto* arr = doc["rules"].as_array();
  if (!arr) return rules;
  for (const auto& el : *arr) {
    const auto* t = el.as_table();
    if (!t) return bad(path, el, "each [[rules]] entry must be a table");
    auto r = rule_from_toml(*t, path, false);
    if (!r) return r.error();
    rules.push_back(std::move(*r));
  }
  return rules;
}

namespace {

Result<std::vector<Rule>> parse_builtin_rules() {
  std::vector<Rule> all;
  for (const auto& f : builtin_rule_files()) {
    auto r = load_rules_text(f.text, f.path);
    if (!r) return r.error();
    for (auto& rule : *r) all.push_back(std::move(rule));
  }
  return all;
}

}  // namespace

Result<std::vector<Rule>> load_builtin_rules(RuleDetail detail) {
  // Parsing the pack's TOML costs more than the rest of a pre-commit run, so the parsed rules
  // are kept in the cache dir, keyed by the pack and the parser's sources (both fixed at build
  // time). A missing or damaged cache file only means parsing again.
  const std::string dir = default_cache_dir();
  const std::string file = dir.empty() ? "" : fmt::format("{}/rules-{}.bin", dir, builtin_rules_parsed_digest().substr(0, 32));
  if (!file.empty()) {
    if (const MappedFile bytes(file); bytes.ok()) {  // replaced by rename, never rewritten in place
      if (auto cached = deserialize_rules(bytes.bytes(), detail)) {
        mark_cache_entry_used(file);
        return std::move(*cached);
      }
    }
  }
  auto parsed = parse_builtin_rules();
  if (parsed && !file.empty() && write_file_atomic(file, serialize_rules(*parsed))) {
    prune_cache_entries(dir, "rules-", ".bin", 4, 60, file);  // one per vigil build
  }
  return parsed;
}

const Result<std::vector<Rule>>& builtin_rules() {
  static const Result<std::vector<Rule>> rules = load_builtin_rules();
  return rules;
}

const std::string& builtin_rules_hash() {
  static const std::string h(builtin_rule_files_digest());
  return h;
}

}  // namespace vigil
