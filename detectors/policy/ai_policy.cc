// AiPolicy: recognising AI-assisted commits, and the [ai] table parser.
#include "detectors/policy/ai_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "detectors/policy/identity_toml.h"
#include "detectors/policy/message_policy.h"
#include "detectors/policy/ref_policy.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kKeys = {"disclosure_trailers", "coauthor_trailers", "identities",
                                        "require_disclosure", "escalate", "action"};
const std::vector<std::string> kEscalateKeys = {"paths", "on", "approvers"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// A value that says "not AI-assisted" ("AI-Assisted: false").
bool negative_value(std::string_view v) {
  v = trim(v);
  return ieq(v, "false") || ieq(v, "no") || ieq(v, "none") || ieq(v, "0") || ieq(v, "n/a");
}

bool in_list(const std::vector<std::string>& names, std::string_view key) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return ieq(n, key); });
}

Result<std::vector<std::string>> ref_globs(const toml::node& v, std::string_view key, std::string_view path) {
  auto l = toml_strings(v, key, path);
  if (!l) return l.error();
  for (const auto& g : *l) {
    if (auto e = glob_error(g)) return bad(path, v, *e);
    if (g.substr(0, 5) != "refs/") {
      return bad(path, v, fmt::format("ai.{} entry '{}' must be a full ref name or glob starting with refs/ "
                                      "(e.g. \"refs/heads/main\")",
                                      key, g));
    }
  }
  return l;
}

Result<AiEscalation> parse_escalation(const toml::table& t, std::string_view path) {
  AiEscalation e;
  e.on = {"refs/heads/**"};
  e.where = toml_where(path, t);
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (std::find(kEscalateKeys.begin(), kEscalateKeys.end(), key) == kEscalateKeys.end()) {
      const auto s = suggest(key, kEscalateKeys);
      return bad(path, v, fmt::format("unknown key '{}' in [[ai.escalate]]{}", key, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
    if (key == "approvers") {
      const auto s = v.value<std::string>();
      if (!s || s->empty()) return bad(path, v, "ai.escalate.approvers must name a signer group ([signers.<group>])");
      e.approvers = *s;
      continue;
    }
    if (key == "on") {
      auto l = ref_globs(v, "escalate.on", path);
      if (!l) return l.error();
      e.on = std::move(*l);
      continue;
    }
    auto l = toml_strings(v, key, path);
    if (!l) return l.error();
    for (const auto& g : *l) {
      if (auto err = glob_error(g)) return bad(path, v, *err);
    }
    e.paths = std::move(*l);
  }
  if (e.paths.empty()) return bad(path, t, "[[ai.escalate]] needs paths = [\"<glob>\", ...] (e.g. \"auth/**\", \".github/workflows/**\")");
  if (e.approvers.empty()) return bad(path, t, "[[ai.escalate]] needs approvers = \"<group>\", a [signers.<group>] whose human members approve");
  return e;
}

}  // namespace

bool identity_pattern_match(std::string_view pattern, std::string_view text) {
  // Iterative '*' matching with one backtrack point: linear in practice, never exponential.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && lower(pattern[p]) == lower(text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_ai_identity(const AiPolicy& p, std::string_view name, std::string_view email) {
  for (const auto& pat : p.identities) {
    const bool by_email = pat.find('@') != std::string::npos;
    const std::string_view subject = by_email ? email : name;
    if (!subject.empty() && identity_pattern_match(pat, subject)) return true;
  }
  return false;
}

std::pair<std::string, std::string> split_identity(std::string_view value) {
  value = trim(value);
  const auto lt = value.rfind('<');
  const auto gt = value.rfind('>');
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt) return {std::string(value), ""};
  return {std::string(trim(value.substr(0, lt))), std::string(trim(value.substr(lt + 1, gt - lt - 1)))};
}

AiSignals ai_signals(const AiPolicy& p, std::string_view message, std::string_view author, std::string_view committer) {
  AiSignals s;
  for (const auto& [key, value] : message_trailers(message)) {
    if (in_list(p.disclosure_trailers, key) && !negative_value(value)) {
      s.disclosed = true;
      if (s.evidence.empty()) s.evidence = fmt::format("trailer '{}: {}'", key, std::string(trim(value)).substr(0, 80));
    } else if (in_list(p.coauthor_trailers, key)) {
      const auto [name, email] = split_identity(value);
      if (is_ai_identity(p, name, email)) {
        s.disclosed = true;
        if (s.evidence.empty()) s.evidence = fmt::format("trailer '{}: {}'", key, std::string(trim(value)).substr(0, 80));
      }
    }
  }
  for (const auto who : {author, committer}) {
    const auto [name, email] = split_identity(who);
    if (is_ai_identity(p, name, email)) {
      s.ai_identity = true;
      if (s.evidence.empty()) s.evidence = fmt::format("identity {}", std::string(who).substr(0, 120));
      break;
    }
  }
  s.assisted = s.disclosed || s.ai_identity;
  return s;
}

bool disclosure_required(const AiPolicy& p, std::string_view ref) {
  if (p.action == PolicyAction::Off) return false;
  return std::any_of(p.require_disclosure.begin(), p.require_disclosure.end(),
                     [&](const std::string& g) { return ref_glob_match(g, ref); });
}

Result<AiPolicy> parse_ai_policy(const toml::table& t, std::string_view path) {
  AiPolicy p;
  p.configured = true;
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      const auto s = suggest(key, kKeys);
      return bad(path, v, fmt::format("unknown key '{}' in [ai]{}", key, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
    if (key == "action") {
      const auto s = v.value<std::string>();
      const auto a = s ? parse_policy_action(*s) : std::nullopt;
      if (!a) return bad(path, v, "ai.action must be \"block\", \"warn\" or \"off\"");
      p.action = *a;
    } else if (key == "escalate") {
      const auto* arr = v.as_array();
      if (!arr) return bad(path, v, "'ai.escalate' must be an array of tables ([[ai.escalate]])");
      for (const auto& el : *arr) {
        const auto* et = el.as_table();
        if (!et) return bad(path, el, "each [[ai.escalate]] entry must be a table");
        auto e = parse_escalation(*et, path);
        if (!e) return e.error();
        p.escalate.push_back(std::move(*e));
      }
    } else if (key == "require_disclosure") {
      auto l = ref_globs(v, key, path);
      if (!l) return l.error();
      p.require_disclosure = std::move(*l);
    } else {
      auto l = toml_strings(v, key, path);
      if (!l) return l.error();
      for (const auto& s : *l) {
        if (trim(s).empty()) return bad(path, v, fmt::format("ai.{} holds an empty entry", key));
      }
      // Lists add to the built-in ones: recognising less would hide AI-assisted commits.
      auto& dst = key == "disclosure_trailers" ? p.disclosure_trailers
                  : key == "coauthor_trailers" ? p.coauthor_trailers
                                               : p.identities;
      for (auto& s : *l) {
        if (std::find(dst.begin(), dst.end(), s) == dst.end()) dst.push_back(std::move(s));
      }
    }
  }
  return p;
}

}  // namespace vigil
