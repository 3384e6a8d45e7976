#include "detectors/policy/policy_toml.h"

#include "detectors/policy/signer_policy_toml.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "detectors/rules/rule.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kFileKeys = {"id", "glob", "globs", "on", "action", "max_size", "binary", "symlink",
                                            "submodule", "lfs_over", "reason", "protected"};
const std::vector<std::string> kCheckKeys = {"id", "action", "reason"};
const std::vector<std::string> kOnValues = {"add", "modify", "delete", "rename", "mode"};
const std::vector<std::string> kMessageKeys = {"subject", "max_subject_length", "trailers", "forbidden",
                                               "forbidden_on", "author_email", "committer_email", "merges",
                                               "action", "reason"};
const std::vector<std::string> kTrailerKeys = {"name", "regex"};
const std::vector<std::string> kRefKeys = {"branch_name", "tag_name", "protected", "no_delete", "no_force_push",
                                           "action", "reason"};
const std::vector<std::string> kProtectedKeys = {"pattern", "no_delete", "no_force_push"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

Result<void> check_key(std::string_view path, const toml::node& n, std::string_view section, std::string_view key,
                       const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), key) != known.end()) return {};
  const auto s = suggest(key, known);
  return bad(path, n, fmt::format("unknown key '{}' in {}{}", key, section, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
}

std::optional<std::uint64_t> size_value(const toml::node& v) {
  if (const auto i = v.value<std::int64_t>()) return *i >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*i)) : std::nullopt;
  const auto str = v.value<std::string>();
  if (!str) return std::nullopt;
  std::string_view s = *str;
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) n = n * 10 + static_cast<unsigned>(s[i++] - '0');
  if (i == 0) return std::nullopt;
  std::string unit(trim(s.substr(i)));
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (unit.empty() || unit == "b") return n;
  if (unit == "k" || unit == "kb" || unit == "kib") return n << 10;
  if (unit == "m" || unit == "mb" || unit == "mib") return n << 20;
  if (unit == "g" || unit == "gb" || unit == "gib") return n << 30;
  return std::nullopt;
}

Result<PolicyAction> action_value(std::string_view path, const toml::node& v, std::string_view owner) {
  const auto s = v.value<std::string>();
  const auto a = s ? parse_policy_action(*s) : std::nullopt;
  if (!a) return bad(path, v, fmt::format("{}: action must be \"block\", \"warn\" or \"off\"", owner));
  return *a;
}

Result<Regex> regex_value(std::string_view path, const toml::node& v, std::string_view owner) {
  const auto s = v.value<std::string>();
  if (!s) return bad(path, v, fmt::format("{} must be a regex string", owner));
  auto re = Regex::compile(*s);
  if (!re) return bad(path, v, fmt::format("{}: {}", owner, re.error().message));
  return std::move(*re);
}

Result<bool> bool_value(std::string_view path, const toml::node& v, std::string_view owner) {
  const auto b = v.value<bool>();
  if (!b) return bad(path, v, fmt::format("{} must be true or false", owner));
  return *b;
}

// The path checks are tuned by an entry that names their id; they take nothing but an action.
Result<void> parse_check_entry(const toml::table& t, std::string_view path, std::string_view id, PathCheck& check) {
  const auto owner = fmt::format("[[files]] check '{}'", id);
  check.named = true;
  for (const auto& [k, v] : t) {
    if (auto r = check_key(path, v, owner, k.str(), kCheckKeys); !r) return r;
    if (k.str() == "action") {
      auto a = action_value(path, v, owner);
      if (!a) return a.error();
      check.action = *a;
    } else if (k.str() == "reason") {
      check.reason = v.value<std::string>().value_or(check.reason);
    }
  }
  return {};
}

Result<void> parse_file_rule(const toml::table& t, std::string_view path, std::size_t index, FilePolicy& fp) {
  FileRule r;
  auto id = files_entry_id(t, path, index);
  if (!id) return id.error();
  r.id = std::move(*id);
  r.where = fmt::format("{}:{}", path, t.source().begin.line);
  if (t.get("id")) {
    if (r.id == kCaseCollisionId) return parse_check_entry(t, path, r.id, fp.case_collision);
    if (r.id == kUnsafeNameId) return parse_check_entry(t, path, r.id, fp.unsafe_name);
    if (r.id == kPathTraversalId) return parse_check_entry(t, path, r.id, fp.path_traversal);
  }
  const auto owner = fmt::format("[[files]] rule '{}'", r.id);
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (auto c = check_key(path, v, owner, key, kFileKeys); !c) return c;
    if (key == "glob" || key == "globs") {
      if (auto g = parse_glob_list(v, key, path, owner, r.globs); !g) return g;
    } else if (key == "on") {
      auto on = parse_change_types(v, path, owner);
      if (!on) return on.error();
      r.on = *on;
    } else if (key == "action") {
      auto a = action_value(path, v, owner);
      if (!a) return a.error();
      r.action = *a;
    } else if (key == "max_size" || key == "lfs_over") {
      const auto n = size_value(v);
      if (!n) return bad(path, v, fmt::format("{}: {} must be a byte count or a size like \"10MB\"", owner, key));
      (key == "max_size" ? r.max_size : r.lfs_over) = *n;
    } else if (key == "binary" || key == "submodule") {
      auto b = bool_value(path, v, fmt::format("{}: {}", owner, key));
      if (!b) return b.error();
      (key == "binary" ? r.deny_binary : r.deny_submodule) = !*b;
    } else if (key == "symlink") {
      const auto s = v.value<std::string>();
      if (const auto b = v.value<bool>()) {
        r.symlink = *b ? SymlinkPolicy::Allow : SymlinkPolicy::Deny;
      } else if (s && *s == "deny") {
        r.symlink = SymlinkPolicy::Deny;
      } else if (s && *s == "inside") {
        r.symlink = SymlinkPolicy::Inside;
      } else if (s && *s == "allow") {
        r.symlink = SymlinkPolicy::Allow;
      } else {
        return bad(path, v, fmt::format("{}: symlink must be \"deny\", \"inside\" or \"allow\"", owner));
      }
    } else if (key == "reason") {
      r.reason = v.value<std::string>().value_or("");
    } else if (key == "protected") {
      // Entries with `signers` are signer rules (signer_policy_toml.cc); without it there is no
      // group to name who may change the paths.
      return bad(path, v, fmt::format("{}: 'protected' needs signers = \"<group>\" (who may change these paths) — "
                                      "define the group in [signers.<group>] members = [...]",
                                      owner));
    }
  }
  if (trim(r.reason).empty()) {
    return bad(path, t, fmt::format("{} needs a 'reason' (it is shown to whoever the rule stops)", owner));
  }
  if (r.globs.empty() && !r.has_limits()) {
    return bad(path, t, fmt::format("{} would forbid every change: give 'glob' or a limit (max_size, binary, "
                                    "symlink, submodule, lfs_over)",
                                    owner));
  }
  fp.rules.push_back(std::move(r));
  return {};
}

Result<void> parse_files(const toml::node& node, std::string_view path, FilePolicy& fp) {
  const auto* arr = node.as_array();
  if (!arr) return bad(path, node, "'files' must be an array of tables ([[files]])");
  std::size_t index = 0;
  for (const auto& el : *arr) {
    ++index;
    const auto* t = el.as_table();
    if (!t) return bad(path, el, "each [[files]] entry must be a table");
    if (is_signer_file_entry(*t)) continue;  // a signer rule: parse_signer_sections reads it
    if (auto r = parse_file_rule(*t, path, index, fp); !r) return r;
  }
  std::vector<std::string> seen;
  for (const auto& r : fp.rules) {
    if (std::find(seen.begin(), seen.end(), r.id) != seen.end()) {
      return make_error(ErrorCode::Config, fmt::format("{}: duplicate [[files]] id '{}'", r.where, r.id));
    }
    seen.push_back(r.id);
  }
  return {};
}

Result<void> parse_messages(const toml::node& node, std::string_view path, MessagePolicy& mp, bool& forbidden_on_set) {
  const auto* t = node.as_table();
  if (!t) return bad(path, node, "[messages] must be a table");
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (auto c = check_key(path, v, "[messages]", key, kMessageKeys); !c) return c;
    if (key == "subject" || key == "author_email" || key == "committer_email") {
      const std::string rule = key == "subject"        ? "messages.subject"
                               : key == "author_email" ? "messages.author-email"
                                                       : "messages.committer-email";
      auto re = regex_value(path, v, fmt::format("[messages] {} (rule {})", key, rule));
      if (!re) return re.error();
      (key == "subject" ? mp.subject : key == "author_email" ? mp.author_email
                                                             : mp.committer_email) = std::move(*re);
    } else if (key == "max_subject_length") {
      const auto i = v.value<std::int64_t>();
      if (!i || *i < 1) return bad(path, v, "[messages] max_subject_length must be a positive number of characters");
      mp.max_subject_length = static_cast<std::size_t>(*i);
    } else if (key == "trailers") {
      const auto* arr = v.as_array();
      if (!arr) return bad(path, v, "[messages] trailers must be an array of names or {name, regex} tables");
      for (const auto& el : *arr) {
        TrailerRule tr;
        if (const auto s = el.value<std::string>()) {
          tr.name = *s;
        } else if (const auto* tt = el.as_table()) {
          for (const auto& [tk, tv] : *tt) {
            if (auto c = check_key(path, tv, "a [messages] trailer", tk.str(), kTrailerKeys); !c) return c;
          }
          tr.name = tt->get("name") ? tt->get("name")->value<std::string>().value_or("") : "";
          if (const auto* rn = tt->get("regex")) {
            auto re = regex_value(path, *rn, fmt::format("[messages] trailer '{}' (rule messages.trailer)", tr.name));
            if (!re) return re.error();
            tr.value = std::move(*re);
          }
        } else {
          return bad(path, el, "[messages] trailers must be an array of names or {name, regex} tables");
        }
        const bool ok_name = !tr.name.empty() && std::all_of(tr.name.begin(), tr.name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
        });
        if (!ok_name) return bad(path, el, fmt::format("[messages] trailer name '{}' must be letters, digits and '-' (like Signed-off-by)", tr.name));
        mp.trailers.push_back(std::move(tr));
      }
    } else if (key == "forbidden") {
      auto l = toml_strings(v, key, path);
      if (!l) return l.error();
      for (const auto& pat : *l) {
        auto re = Regex::compile(pat);
        if (!re) return bad(path, v, fmt::format("[messages] forbidden (rule messages.forbidden): {}", re.error().message));
        mp.forbidden.push_back(std::move(*re));
      }
    } else if (key == "forbidden_on") {
      auto l = toml_strings(v, key, path);
      if (!l) return l.error();
      for (const auto& g : *l) {
        if (auto e = glob_error(g)) return bad(path, v, fmt::format("[messages] forbidden_on: {}", *e));
      }
      mp.forbidden_on = std::move(*l);
      forbidden_on_set = true;
    } else if (key == "merges") {
      const auto s = v.value<std::string>();
      if (!s || (*s != "skip" && *s != "check")) return bad(path, v, "[messages] merges must be \"skip\" or \"check\"");
      mp.check_merges = *s == "check";
    } else if (key == "action") {
      auto a = action_value(path, v, "[messages]");
      if (!a) return a.error();
      mp.action = *a;
    } else if (key == "reason") {
      mp.reason = v.value<std::string>().value_or("");
    }
  }
  return {};
}

Result<void> parse_ref_glob(std::string_view path, const toml::node& v, const std::string& g) {
  if (auto e = glob_error(g)) return bad(path, v, fmt::format("[refs] protected: {}", *e));
  if (g.rfind("refs/", 0) != 0) {
    return bad(path, v, fmt::format("[refs] protected pattern '{}' must name full refs (did you mean 'refs/heads/{}'?)", g, g));
  }
  return {};
}

Result<void> parse_refs(const toml::node& node, std::string_view path, RefPolicy& rp) {
  const auto* t = node.as_table();
  if (!t) return bad(path, node, "[refs] must be a table");
  bool no_delete = true, no_force_push = true;
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (auto c = check_key(path, v, "[refs]", key, kRefKeys); !c) return c;
    if (key == "no_delete" || key == "no_force_push") {
      auto b = bool_value(path, v, fmt::format("[refs] {}", key));
      if (!b) return b.error();
      (key == "no_delete" ? no_delete : no_force_push) = *b;
    }
  }
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (key == "branch_name" || key == "tag_name") {
      auto re = regex_value(path, v, fmt::format("[refs] {} (rule refs.{})", key, key == "branch_name" ? "branch-name" : "tag-name"));
      if (!re) return re.error();
      (key == "branch_name" ? rp.branch_name : rp.tag_name) = std::move(*re);
    } else if (key == "protected") {
      const auto* arr = v.as_array();
      if (!arr) return bad(path, v, "[refs] protected must be an array of ref globs or {pattern, no_delete, no_force_push} tables");
      for (const auto& el : *arr) {
        ProtectedRef pr{"", no_delete, no_force_push};
        if (const auto s = el.value<std::string>()) {
          pr.pattern = *s;
        } else if (const auto* pt = el.as_table()) {
          for (const auto& [pk, pv] : *pt) {
            if (auto c = check_key(path, pv, "a [refs] protected entry", pk.str(), kProtectedKeys); !c) return c;
            if (pk.str() == "pattern") {
              pr.pattern = pv.value<std::string>().value_or("");
            } else {
              auto b = bool_value(path, pv, fmt::format("[refs] protected {}", pk.str()));
              if (!b) return b.error();
              (pk.str() == "no_delete" ? pr.no_delete : pr.no_force_push) = *b;
            }
          }
        } else {
          return bad(path, el, "[refs] protected must hold ref globs or tables");
        }
        if (auto r = parse_ref_glob(path, el, pr.pattern); !r) return r;
        rp.protected_refs.push_back(std::move(pr));
      }
    } else if (key == "action") {
      auto a = action_value(path, v, "[refs]");
      if (!a) return a.error();
      rp.action = *a;
    } else if (key == "reason") {
      rp.reason = v.value<std::string>().value_or("");
    }
  }
  return {};
}

}  // namespace

Result<void> parse_policy_sections(const toml::table& doc, std::string_view path, FilePolicy& files,
                                   MessagePolicy& messages, RefPolicy& refs) {
  if (const auto* n = doc.get("files")) {
    if (auto r = parse_files(*n, path, files); !r) return r;
  }
  if (const auto* n = doc.get("refs")) {
    if (auto r = parse_refs(*n, path, refs); !r) return r;
  }
  bool forbidden_on_set = false;
  if (const auto* n = doc.get("messages")) {
    if (auto r = parse_messages(*n, path, messages, forbidden_on_set); !r) return r;
  }
  // "Forbidden on protected branches": by default the protected refs are the ones [refs] names.
  if (!forbidden_on_set) {
    for (const auto& p : refs.protected_refs) messages.forbidden_on.push_back(p.pattern);
  }
  return {};
}

Result<std::string> files_entry_id(const toml::table& t, std::string_view path, std::size_t index) {
  const auto* idn = t.get("id");
  if (!idn) return fmt::format("files.{}", index);
  const auto s = idn->value<std::string>();
  if (!s || !valid_rule_id(*s)) {
    return bad(path, *idn, "[[files]] id must be lower-case words joined by '.' or '-' (at most 32 characters)");
  }
  return *s;
}

Result<void> parse_glob_list(const toml::node& v, std::string_view key, std::string_view path, std::string_view owner,
                             std::vector<std::string>& out) {
  auto l = toml_strings(v, key, path);
  if (!l) return l.error();
  for (const auto& g : *l) {
    if (auto e = glob_error(g)) return bad(path, v, fmt::format("{}: {}", owner, *e));
  }
  out.insert(out.end(), l->begin(), l->end());
  return {};
}

Result<unsigned> parse_change_types(const toml::node& v, std::string_view path, std::string_view owner) {
  auto l = toml_strings(v, "on", path);
  if (!l) return l.error();
  unsigned on = 0;
  for (const auto& o : *l) {
    const auto it = std::find(kOnValues.begin(), kOnValues.end(), o);
    if (it == kOnValues.end()) {
      return bad(path, v, fmt::format("{}: unknown change type '{}' in 'on' (use add, modify, delete, rename, mode)", owner, o));
    }
    on |= 1u << static_cast<unsigned>(it - kOnValues.begin());
  }
  if (on == 0) return bad(path, v, fmt::format("{}: 'on' is empty, so the rule could never fire", owner));
  return on;
}

}  // namespace vigil
