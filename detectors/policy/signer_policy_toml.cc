// Reading signer groups and signer-protected [[files]] rules (see signer_policy_toml.h).
#include "detectors/policy/signer_policy_toml.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "detectors/policy/policy_toml.h"
#include "detectors/rules/rule.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kGroupKeys = {"members"};
const std::vector<std::string> kSignerRuleKeys = {"id", "glob", "globs", "protected", "on", "signers",
                                                  "approval", "refs", "reason"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

bool valid_group_name(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '-' || c == '_'; });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Result<void> parse_group(std::string_view name, const toml::node& node, std::string_view path, SignerPolicy& out) {
  const auto owner = fmt::format("[signers.{}]", name);
  if (!valid_group_name(name)) {
    return bad(path, node, fmt::format("{}: a group name is lower-case letters, digits, '-' or '_' (at most 32)", owner));
  }
  const auto* t = node.as_table();
  if (!t) return bad(path, node, fmt::format("{} must be a table with members = [\"alice@example.org\", ...]", owner));
  SignerGroup g;
  g.name = std::string(name);
  g.where = fmt::format("{}:{}", path, node.source().begin.line);
  for (const auto& [k, v] : *t) {
    if (std::find(kGroupKeys.begin(), kGroupKeys.end(), k.str()) == kGroupKeys.end()) {
      return bad(path, v, fmt::format("unknown key '{}' in {} (a group has only 'members')", k.str(), owner));
    }
    auto l = toml_strings(v, "members", path);
    if (!l) return l.error();
    for (auto& m : *l) {
      const std::string p = lower(std::string(trim(m)));
      if (p.empty() || p.find_first_of(" \t,\"") != std::string::npos) {
        return bad(path, v, fmt::format("{}: member '{}' is not a principal (an e-mail or allowed_signers name)", owner, m));
      }
      if (std::find(g.members.begin(), g.members.end(), p) == g.members.end()) g.members.push_back(p);
    }
  }
  if (g.members.empty()) {
    return bad(path, node, fmt::format("{} has no members: name who may sign, members = [\"alice@example.org\"]", owner));
  }
  out.groups.push_back(std::move(g));
  return {};
}

Result<void> parse_rule(const toml::table& t, std::string_view path, std::size_t index, SignerPolicy& out) {
  SignerRule r;
  auto id = files_entry_id(t, path, index);
  if (!id) return id.error();
  r.id = std::move(*id);
  r.where = fmt::format("{}:{}", path, t.source().begin.line);
  const auto owner = fmt::format("[[files]] rule '{}'", r.id);
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (std::find(kSignerRuleKeys.begin(), kSignerRuleKeys.end(), key) == kSignerRuleKeys.end()) {
      return bad(path, v, fmt::format("{}: '{}' does not go with 'signers' (a signer rule takes glob, on, signers, "
                                      "approval, refs and reason) — put the limit in a [[files]] entry of its own",
                                      owner, key));
    }
    if (key == "glob" || key == "globs" || key == "protected") {
      if (auto g = parse_glob_list(v, key, path, owner, r.globs); !g) return g;
    } else if (key == "on") {
      auto on = parse_change_types(v, path, owner);
      if (!on) return on.error();
      r.on = *on;
    } else if (key == "signers") {
      const auto s = v.value<std::string>();
      if (!s || !valid_group_name(*s)) return bad(path, v, fmt::format("{}: signers must name a group, signers = \"maintainers\"", owner));
      r.group = *s;
    } else if (key == "approval") {
      const auto s = v.value<std::string>();
      if (!s || (*s != "signed" && *s != "merge")) {
        return bad(path, v, fmt::format("{}: approval must be \"signed\" (the commit carries a member's signature) or "
                                        "\"merge\" (or a member other than its author signs the merge bringing it)",
                                        owner));
      }
      r.approval = *s == "merge" ? SignerApproval::Merge : SignerApproval::Signed;
    } else if (key == "refs") {
      auto l = toml_strings(v, key, path);
      if (!l) return l.error();
      for (const auto& g : *l) {
        if (g.rfind("refs/", 0) != 0) return bad(path, v, fmt::format("{}: refs holds full ref globs (\"refs/heads/main\")", owner));
      }
      r.refs = std::move(*l);
    } else if (key == "reason") {
      r.reason = v.value<std::string>().value_or("");
    }
  }
  if (trim(r.reason).empty()) return bad(path, t, fmt::format("{} needs a 'reason' (it is shown to whoever the rule stops)", owner));
  if (r.globs.empty()) return bad(path, t, fmt::format("{} protects no path: give glob = [\"src/auth/**\"]", owner));
  out.rules.push_back(std::move(r));
  return {};
}

}  // namespace

bool is_signer_file_entry(const toml::table& entry) { return entry.get("signers") != nullptr; }

Result<void> parse_signer_sections(const toml::table& doc, std::string_view path, SignerPolicy& out) {
  if (const auto* n = doc.get("signers")) {
    const auto* t = n->as_table();
    if (!t) return bad(path, *n, "'signers' must hold one table per group: [signers.maintainers] members = [...]");
    for (const auto& [k, v] : *t) {
      if (auto r = parse_group(k.str(), v, path, out); !r) return r;
    }
  }
  if (const auto* n = doc.get("files"); n && n->as_array()) {
    std::size_t index = 0;
    for (const auto& el : *n->as_array()) {
      ++index;
      const auto* t = el.as_table();
      if (t && is_signer_file_entry(*t)) {
        if (auto r = parse_rule(*t, path, index, out); !r) return r;
      }
    }
  }
  return {};
}

}  // namespace vigil
