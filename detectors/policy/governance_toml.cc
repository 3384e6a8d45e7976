#include "detectors/policy/governance_toml.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "detectors/policy/config.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kWaiverKeys = {"id", "fingerprint", "rule", "path", "owner", "reason", "created", "expires", "kind"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

// TOML has a native date type (expires = 2026-12-31); a quoted "2026-12-31" is accepted too.
std::optional<Date> date_of(const toml::node& v) {
  if (const auto d = v.value<toml::date>()) {
    return make_date(d->year, d->month, d->day);
  }
  if (const auto s = v.value<std::string>()) return parse_date(*s);
  return std::nullopt;
}

bool plausible_email(std::string_view s) {
  const auto at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size() && s.find('@', at + 1) == std::string_view::npos &&
         s.find_first_of(" \t<>") == std::string_view::npos && s.find('.', at) != std::string_view::npos;
}

}  // namespace

const std::vector<std::string>& governance_settings_keys() {
  static const std::vector<std::string> keys = {"min_mode", "waiver_max_days", "waiver_reason_regex",
                                                "inline_allow_max_severity", "allow_skip"};
  return keys;
}

Result<void> parse_min_mode(const toml::node& value, std::string_view path, GovernanceSettings& g) {
  const auto* t = value.as_table();
  if (!t) return bad(path, value, "min_mode must be a table such as { critical = \"enforce\", high = \"warn\" }");
  for (const auto& [k, v] : *t) {
    const auto sev = parse_severity(k.str());
    if (!sev) return bad(path, v, fmt::format("min_mode: unknown severity '{}' — use critical, high, medium, low or info", k.str()));
    const auto s = v.value<std::string>();
    const auto mode = s ? parse_mode(*s) : std::nullopt;
    if (!mode) return bad(path, v, "min_mode values must be \"enforce\", \"warn\" or \"observe\"");
    auto& slot = g.min_mode[static_cast<std::size_t>(*sev)];
    slot = slot ? std::max(*slot, *mode) : *mode;
  }
  return {};
}

Result<void> parse_governance_setting(std::string_view key, const toml::node& v, std::string_view path,
                                      GovernanceSettings& g) {
  if (key == "min_mode") return parse_min_mode(v, path, g);
  if (key == "waiver_max_days") {
    const auto i = v.value<std::int64_t>();
    if (!i || *i < 1 || *i > 3650) return bad(path, v, "settings.waiver_max_days must be a number of days (1..3650)");
    g.waiver_max_days = static_cast<int>(*i);
  } else if (key == "waiver_reason_regex") {
    const auto s = v.value<std::string>();
    if (!s || s->empty()) return bad(path, v, "settings.waiver_reason_regex must be a regex such as '[A-Z]+-[0-9]+'");
    auto re = Regex::compile(*s);
    if (!re) return bad(path, v, re.error().message);
    g.waiver_reason_regexes.push_back(std::move(*re));
  } else if (key == "inline_allow_max_severity") {
    const auto s = v.value<std::string>();
    const auto sev = s ? parse_severity(*s) : std::nullopt;
    if (!sev) return bad(path, v, "settings.inline_allow_max_severity must be critical, high, medium, low or info");
    g.inline_allow_max_severity = *sev;
  } else if (key == "allow_skip") {
    const auto b = v.value<bool>();
    if (!b) return bad(path, v, "settings.allow_skip must be true or false");
    g.allow_skip = *b;
  }
  return {};
}

namespace {

Result<Waiver> parse_waiver(const toml::table* t, std::string_view path) {
  Waiver w;
  w.where = fmt::format("{}:{}", path, t->source().begin.line);
  bool has_expires = false;
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (std::find(kWaiverKeys.begin(), kWaiverKeys.end(), key) == kWaiverKeys.end()) {
      const auto s = suggest(key, kWaiverKeys);
      return bad(path, v, fmt::format("unknown key '{}' in [[waivers]]{}", key, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
    if (key == "created" || key == "expires") {
      const auto d = date_of(v);
      if (!d) return bad(path, v, fmt::format("waivers.{} must be a date such as 2026-12-31", key));
      if (key == "created") w.created = *d;
      else {
        w.expires = *d;
        has_expires = true;
      }
      continue;
    }
    const auto s = v.value<std::string>();
    if (!s) return bad(path, v, fmt::format("waivers.{} must be a string", key));
    std::string val(trim(*s));
    if (key == "id") w.id = val;
    else if (key == "fingerprint") w.fingerprint = val;
    else if (key == "rule") w.rule = val;
    else if (key == "path") {
      if (auto e = glob_error(val)) return bad(path, v, *e);
      w.path = val;
    } else if (key == "owner") w.owner = val;
    else if (key == "reason") w.reason = val;
    else if (key == "kind") {
      if (!valid_exception_kind(val)) {
        return bad(path, v, fmt::format("waivers.kind '{}' is not a kind — use \"false-positive\" or \"accepted-risk\"", val));
      }
      w.kind = val;
    }
  }
  const std::string where = w.where;
  auto missing = [&](std::string_view what) {
    return make_error(ErrorCode::Config, fmt::format("{}: [[waivers]] entry {} — every waiver needs an owner "
                                                     "(e-mail), a reason and an expiry date",
                                                     where, what));
  };
  if (w.owner.empty()) return missing("has no 'owner'");
  if (!plausible_email(w.owner)) return missing(fmt::format("has owner '{}', which is not an e-mail address", w.owner));
  if (w.reason.empty()) return missing("has no 'reason'");
  if (!has_expires) return missing("has no 'expires' date");
  if (w.created && *w.created > w.expires) {
    return make_error(ErrorCode::Config, fmt::format("{}: [[waivers]] entry expires ({}) before it is created ({})",
                                                     where, to_string(w.expires), to_string(*w.created)));
  }
  if (w.fingerprint.empty() && (w.rule.empty() || w.path.empty())) {
    return make_error(ErrorCode::Config, fmt::format("{}: [[waivers]] entry matches nothing: give a 'fingerprint' "
                                                     "(from a report), or a 'rule' and a 'path' glob",
                                                     where));
  }
  return w;
}

}  // namespace

Result<std::vector<Waiver>> parse_waivers(const toml::node& node, std::string_view path) {
  const auto* arr = node.as_array();
  if (!arr) return bad(path, node, "'waivers' must be an array of tables ([[waivers]])");
  std::vector<Waiver> out;
  for (const auto& el : *arr) {
    const auto* t = el.as_table();
    if (!t) return bad(path, el, "each [[waivers]] entry must be a table");
    auto w = parse_waiver(t, path);
    if (!w) return w.error();
    out.push_back(std::move(*w));
  }
  return out;
}

Result<std::vector<WaiverEntry>> read_waiver_entries(std::string_view text, std::string_view path) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view{path});
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, e.source()), e.description()));
  }
  std::vector<WaiverEntry> out;
  const auto* arr = doc.get("waivers") ? doc.get("waivers")->as_array() : nullptr;
  if (!arr) return out;
  for (const auto& el : *arr) {
    WaiverEntry e;
    e.waiver.where = fmt::format("{}:{}", path, el.source().begin.line);
    if (const auto* t = el.as_table()) {
      // Keep what can be read, so the listing shows whose entry is broken.
      if (auto v = t->get("id")) e.waiver.id = v->value<std::string>().value_or("");
      if (auto v = t->get("owner")) e.waiver.owner = v->value<std::string>().value_or("");
      if (auto v = t->get("rule")) e.waiver.rule = v->value<std::string>().value_or("");
      if (auto v = t->get("fingerprint")) e.waiver.fingerprint = v->value<std::string>().value_or("");
      if (auto v = t->get("path")) e.waiver.path = v->value<std::string>().value_or("");
      if (auto v = t->get("expires"); v && date_of(*v)) e.waiver.expires = *date_of(*v);
    }
    if (const auto* t = el.as_table()) {
      auto w = parse_waiver(t, path);
      if (w) e.waiver = std::move(*w);
      else e.problem = w.error().message;
    } else {
      e.problem = "each [[waivers]] entry must be a table";
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> parse_families(const toml::node& node, std::string_view path, std::map<std::string, Mode>& out) {
  const auto* t = node.as_table();
  if (!t) return bad(path, node, "[families] must be a table of [families.<name>] tables");
  for (const auto& [k, v] : *t) {
    const auto* ft = v.as_table();
    if (!ft) return bad(path, v, fmt::format("[families.{}] must be a table, e.g. mode = \"warn\"", k.str()));
    for (const auto& [fk, fv] : *ft) {
      if (fk.str() != "mode") {
        return bad(path, fv, fmt::format("unknown key '{}' in [families.{}] (only 'mode')", fk.str(), k.str()));
      }
      const auto s = fv.value<std::string>();
      const auto mode = s ? parse_mode(*s) : std::nullopt;
      if (!mode) return bad(path, fv, fmt::format("families.{}.mode must be \"enforce\", \"warn\" or \"observe\"", k.str()));
      out[std::string(k.str())] = *mode;
    }
  }
  return {};
}

Result<void> check_governance(const Config& c) {
  std::set<std::string> families;
  std::vector<std::string> ids;
  for (const auto& r : c.rules) {
    families.insert(rule_family(r.id));
    ids.push_back(r.id);
  }
  for (const auto& [fam, mode] : c.family_modes) {
    if (!families.count(fam)) {
      const auto s = suggest(fam, std::vector<std::string>(families.begin(), families.end()));
      return make_error(ErrorCode::Config, fmt::format("{}: [families.{}] names no rule family{}", c.source, fam,
                                                       s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
  }
  for (const auto& w : c.waivers) {
    // A typo inside a secret rule family is an error; other ids may name file or message rules.
    if (!w.rule.empty() && families.count(rule_family(w.rule)) && std::find(ids.begin(), ids.end(), w.rule) == ids.end()) {
      const auto s = suggest(w.rule, ids);
      return make_error(ErrorCode::Config, fmt::format("{}: [[waivers]] entry names unknown rule '{}'{}", w.where, w.rule,
                                                       s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
    const auto problems = waiver_policy_problems(w, c.settings.governance);
    if (!problems.empty()) {
      return make_error(ErrorCode::Config, fmt::format("{}: [[waivers]] entry {}", w.where, problems.front()));
    }
  }
  return {};
}

}  // namespace vigil
