#include "detectors/policy/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "detectors/policy/governance_toml.h"
#include "detectors/policy/identity_toml.h"
#include "detectors/policy/policy_toml.h"
#include "detectors/rules/rule_loader.h"
#include "detectors/policy/report_toml.h"
#include "detectors/policy/server_toml.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/policy/signature_policy_toml.h"
#include "detectors/policy/signer_policy_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/hash.h"
#include "detectors/util/read_file.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kTopKeys = {"version", "settings", "rules", "allow", "waivers", "families", "signatures", "files", "messages", "refs", "server",
                                           "signers", "pushers", "ai", "report"};
// Sections that later versions of the schema define; naming them now is an error, not a no-op,
// so nobody believes a policy is enforced when it is not.
const std::vector<std::string> kReservedKeys = {};
const std::vector<std::string> kSettingsKeys = {"mode", "fail_on", "max_file_size", "builtin_rules",
                                                "decode_depth", "inline_allow", "disable", "max_candidates"};
const std::vector<std::string> kAllowKeys = {"paths", "regexes", "stopwords", "rules", "reason"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

Error unknown_key(std::string_view path, const toml::node& n, std::string_view section,
                  std::string_view key, const std::vector<std::string>& known) {
  const auto s = suggest(key, known);
  return bad(path, n, fmt::format("unknown key '{}' in {}{}", key, section, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
}

std::optional<std::uint64_t> parse_size(std::string_view s) {
  std::size_t i = 0;
  std::uint64_t v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + static_cast<unsigned>(s[i++] - '0');
  if (i == 0) return std::nullopt;
  std::string unit(trim(s.substr(i)));
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (unit.empty() || unit == "b") return v;
  if (unit == "k" || unit == "kb" || unit == "kib") return v << 10;
  if (unit == "m" || unit == "mb" || unit == "mib") return v << 20;
  if (unit == "g" || unit == "gb" || unit == "gib") return v << 30;
  return std::nullopt;
}

Result<void> parse_settings(const toml::table& t, std::string_view path, Settings& s) {
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    const auto& gov = governance_settings_keys();
    if (std::find(gov.begin(), gov.end(), key) != gov.end()) {
      if (auto g = parse_governance_setting(key, v, path, s.governance); !g) return g.error();
      continue;
    }
    if (std::find(kSettingsKeys.begin(), kSettingsKeys.end(), key) == kSettingsKeys.end()) {
      auto known = kSettingsKeys;
      known.insert(known.end(), gov.begin(), gov.end());
      return unknown_key(path, v, "[settings]", key, known);
    }
    if (key == "mode") {
      const auto m = v.value<std::string>();
      const auto mode = m ? parse_mode(*m) : std::nullopt;
      if (!mode) return bad(path, v, "settings.mode must be \"enforce\", \"warn\" or \"observe\"");
      s.mode = *mode;
      s.governance.mode_explicit = true;
    } else if (key == "fail_on") {
      const auto m = v.value<std::string>();
      const auto sev = m ? parse_severity(*m) : std::nullopt;
      if (!sev) return bad(path, v, "settings.fail_on must be critical, high, medium, low or info");
      s.fail_on = *sev;
    } else if (key == "max_file_size") {
      std::optional<std::uint64_t> size;
      if (const auto i = v.value<std::int64_t>(); i && *i > 0) size = static_cast<std::uint64_t>(*i);
      if (const auto str = v.value<std::string>()) size = parse_size(*str);
      if (!size) return bad(path, v, "settings.max_file_size must be a byte count or a size like \"5MB\"");
      s.max_file_size = *size;
    } else if (key == "builtin_rules" || key == "inline_allow") {
      const auto b = v.value<bool>();
      if (!b) return bad(path, v, fmt::format("settings.{} must be true or false", key));
      (key == "builtin_rules" ? s.builtin_rules : s.inline_allow) = *b;
    } else if (key == "decode_depth") {
      const auto i = v.value<std::int64_t>();
      if (!i || *i < 0 || *i > 4) return bad(path, v, "settings.decode_depth must be 0..4");
      s.decode_depth = static_cast<int>(*i);
    } else if (key == "max_candidates") {
      const auto i = v.value<std::int64_t>();
      if (!i || *i < 1000 || *i > 100000000) return bad(path, v, "settings.max_candidates must be 1000..100000000");
      s.max_candidates = static_cast<std::uint64_t>(*i);
    } else if (key == "disable") {
      auto l = toml_strings(v, "disable", path);
      if (!l) return l.error();
      s.disabled_rules = std::move(*l);
    }
  }
  return {};
}

Result<AllowEntry> parse_allow(const toml::table& t, std::string_view path) {
  AllowEntry a;
  a.where = fmt::format("{}:{}", path, t.source().begin.line);
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (std::find(kAllowKeys.begin(), kAllowKeys.end(), key) == kAllowKeys.end()) {
      return unknown_key(path, v, "[[allow]]", key, kAllowKeys);
    }
    if (key == "reason") {
      a.reason = v.value<std::string>().value_or("");
      continue;
    }
    auto l = toml_strings(v, key, path);
    if (!l) return l.error();
    if (key == "paths") {
      for (const auto& g : *l) {
        if (auto e = glob_error(g)) return bad(path, v, *e);
      }
      a.paths = std::move(*l);
    } else if (key == "regexes") {
      for (const auto& pat : *l) {
        auto re = Regex::compile(pat);
        if (!re) return bad(path, v, re.error().message);
        a.regexes.push_back(std::move(*re));
      }
    } else if (key == "stopwords") {
      for (auto& w : *l) {
        std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      }
      a.stopwords = std::move(*l);
    } else if (key == "rules") {
      a.rules = std::move(*l);
    }
  }
  if (trim(a.reason).empty()) {
    return bad(path, t, "[[allow]] entry needs a 'reason' (say why this is not a secret)");
  }
  if (a.paths.empty() && a.regexes.empty() && a.stopwords.empty() && a.rules.empty()) {
    return bad(path, t, "[[allow]] entry allows nothing: give paths, regexes, stopwords or rules");
  }
  return a;
}

void apply_override(Rule& base, const Rule& o, const toml::table& t) {
  if (t.contains("name")) base.name = o.name;
  if (t.contains("description")) base.description = o.description;
  if (t.contains("regex")) base.regex = o.regex;
  if (t.contains("secret_group")) base.secret_group = o.secret_group;
  if (t.contains("keywords")) base.keywords = o.keywords;
  if (t.contains("entropy")) base.entropy = o.entropy;
  if (t.contains("severity")) base.severity = o.severity;
  if (t.contains("confidence")) base.confidence = o.confidence;
  if (t.contains("validator")) base.validator = o.validator;
  if (t.contains("tags")) base.tags = o.tags;
  if (t.contains("window")) base.window = o.window;
  if (t.contains("mode")) base.mode = o.mode;
  if (t.contains("examples")) base.examples = o.examples;
  if (t.contains("negative_examples")) base.negative_examples = o.negative_examples;
  if (t.contains("regex")) {
    base.source = o.source;
    base.source_line = o.source_line;
  }
}

}  // namespace

Result<Config> parse_config(std::string_view text, std::string_view path, RuleDetail detail) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view{path});
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, e.source()), e.description()));
  }
  Config c;
  c.source = std::string(path);
  c.hash = sha256_hex(text).substr(0, 16);
  for (const auto& [k, v] : doc) {
    const std::string_view key = k.str();
    if (std::find(kReservedKeys.begin(), kReservedKeys.end(), key) != kReservedKeys.end()) {
      return bad(path, v, fmt::format("section '{}' is not supported by this vigil version — "
                                      "upgrade vigil or remove the section",
                                      key));
    }
    if (std::find(kTopKeys.begin(), kTopKeys.end(), key) == kTopKeys.end()) {
      return unknown_key(path, v, "the top level", key, kTopKeys);
    }
  }
  if (const auto* ver = doc.get("version")) {
    const auto i = ver->value<std::int64_t>();
    if (!i || *i != 1) return bad(path, *ver, "unsupported 'version': this vigil reads version = 1");
  }
  if (const auto* st = doc.get("settings")) {
    const auto* t = st->as_table();
    if (!t) return bad(path, *st, "[settings] must be a table");
    auto r = parse_settings(*t, path, c.settings);
    if (!r) return r.error();
  }
  if (c.settings.builtin_rules) {
    auto b = load_builtin_rules(detail);
    if (!b) return b.error();
    c.rules = std::move(*b);
  }
  if (const auto* rs = doc.get("rules")) {
    const auto* arr = rs->as_array();
    if (!arr) return bad(path, *rs, "'rules' must be an array of tables ([[rules]])");
    for (const auto& el : *arr) {
      const auto* t = el.as_table();
      if (!t) return bad(path, el, "each [[rules]] entry must be a table");
      const auto id = t->get("id") ? t->get("id")->value<std::string>() : std::nullopt;
      auto existing = id ? std::find_if(c.rules.begin(), c.rules.end(), [&](const Rule& r) { return r.id == *id; })
                         : c.rules.end();
      auto r = rule_from_toml(*t, path, existing != c.rules.end());
      if (!r) return r.error();
      if (existing != c.rules.end()) {
        apply_override(*existing, *r, *t);
      } else {
        c.rules.push_back(std::move(*r));
      }
    }
  }
  if (const auto* al = doc.get("allow")) {
    const auto* arr = al->as_array();
    if (!arr) return bad(path, *al, "'allow' must be an array of tables ([[allow]])");
    for (const auto& el : *arr) {
      const auto* t = el.as_table();
      if (!t) return bad(path, el, "each [[allow]] entry must be a table");
      auto a = parse_allow(*t, path);
      if (!a) return a.error();
      c.allows.push_back(std::move(*a));
    }
  }
  if (const auto* wv = doc.get("waivers")) {
    auto w = parse_waivers(*wv, path);
    if (!w) return w.error();
    c.waivers = std::move(*w);
  }
  if (const auto* fm = doc.get("families")) {
    if (auto f = parse_families(*fm, path, c.family_modes); !f) return f.error();
  }
  if (auto pr = parse_policy_sections(doc, path, c.files, c.messages, c.refs); !pr) return pr.error();
  if (auto sg = parse_signer_sections(doc, path, c.signers); !sg) return sg.error();
  if (const auto problem = signer_policy_problem(c.signers); !problem.empty()) {
    return make_error(ErrorCode::Config, problem);
  }
  if (const auto* sv = doc.get("server")) {
    if (auto sr = parse_server_settings(*sv, path, c.server); !sr) return sr.error();
  }
  if (const auto* rp = doc.get("report")) {
    if (auto rr = parse_report_settings(*rp, path, c.report); !rr) return rr.error();
  }
  if (const auto* sg = doc.get("signatures")) {
    const auto* t = sg->as_table();
    if (!t) return bad(path, *sg, "[signatures] must be a table");
    auto sp = parse_signature_policy(*t, path);
    if (!sp) return sp.error();
    c.signatures = std::move(*sp);
  }
  if (const auto* pu = doc.get("pushers")) {
    const auto* t = pu->as_table();
    if (!t) return bad(path, *pu, "[pushers] must be a table");
    auto pp = parse_pusher_policy(*t, path);
    if (!pp) return pp.error();
    c.pushers = std::move(*pp);
  }
  if (const auto* ai = doc.get("ai")) {
    const auto* t = ai->as_table();
    if (!t) return bad(path, *ai, "[ai] must be a table");
    auto ap = parse_ai_policy(*t, path);
    if (!ap) return ap.error();
    c.ai = std::move(*ap);
  }
  std::vector<std::string> ids;
  for (const auto& r : c.rules) ids.push_back(r.id);
  for (const auto& d : c.settings.disabled_rules) {
    if (std::find(ids.begin(), ids.end(), d) == ids.end()) {
      const auto s = suggest(d, ids);
      return make_error(ErrorCode::Config,
                        fmt::format("{}: settings.disable names unknown rule '{}'{}", path, d,
                                    s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
  }
  c.rules.erase(std::remove_if(c.rules.begin(), c.rules.end(),
                               [&](const Rule& r) {
                                 return std::find(c.settings.disabled_rules.begin(),
                                                  c.settings.disabled_rules.end(),
                                                  r.id) != c.settings.disabled_rules.end();
                               }),
                c.rules.end());
  // [server] min_mode is the floor's spelling of [settings] min_mode: one rule applies both.
  for (std::size_t i = 0; i < c.server.min_mode.size(); ++i) {
    auto& slot = c.settings.governance.min_mode[i];
    if (c.server.min_mode[i]) slot = slot ? std::max(*slot, *c.server.min_mode[i]) : *c.server.min_mode[i];
  }
  // Duplicate ids would make waivers and pragmas ambiguous.
  std::map<std::string, const Rule*> seen;
  for (const auto& r : c.rules) {
    auto [it, fresh] = seen.emplace(r.id, &r);
    if (!fresh) {
      return make_error(ErrorCode::Config, fmt::format("{}:{}: duplicate rule id '{}' (first defined at {}:{})",
                                                       r.source, r.source_line, r.id, it->second->source,
                                                       it->second->source_line));
    }
  }
  if (auto g = check_governance(c); !g) return g.error();
  return c;
}

Result<Config> default_config(RuleDetail detail) { return parse_config("", "<built-in>", detail); }

Result<Config> load_config_file(const std::string& path, bool must_exist, RuleDetail detail) {
  // A directory opens as an empty stream, which would parse as the defaults: on a server that
  // silently replaced the policy floor (fail open). It is an error, present or not required.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorCode::Config, fmt::format("config file '{}' is a directory — check the path", path));
  }
  const auto text = read_whole_file(path);
  if (!text) {
    if (must_exist) {
      return make_error(ErrorCode::Config, fmt::format("cannot read config file '{}' — check the path", path));
    }
    return default_config(detail);
  }
  return parse_config(*text, path, detail);
}

Result<void> add_rules_file(Config& config, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorCode::Config, fmt::format("rules file '{}' is a directory — check the path", path));
  }
  const auto text = read_whole_file(path);
  if (!text) return make_error(ErrorCode::Config, fmt::format("cannot read rules file '{}' — check the path", path));
  auto rules = load_rules_text(*text, path);
  if (!rules) return rules.error();
  for (auto& r : *rules) {
    auto it = std::find_if(config.rules.begin(), config.rules.end(), [&](const Rule& x) { return x.id == r.id; });
    if (it != config.rules.end()) {
      *it = std::move(r);
    } else {
      config.rules.push_back(std::move(r));
    }
  }
  return {};
}

std::string rules_version(const Config& config) {
  Sha256 sha;
  sha.update(builtin_rules_hash()).update(config.hash);
  return sha.hex().substr(0, 12);
}

}  // namespace vigil
