// Gitleaks import, allowlists: each gitleaks allowlist (global or of a rule) becomes [[allow]]
// entries, one per kind of condition, or a warning saying what could not be carried over.
#include <fmt/format.h>

#include "detectors/import/gitleaks_importer.h"
#include "detectors/import/gitleaks_path_globs.h"
#include "detectors/import/gitleaks_regex.h"
#include "detectors/scan/regex.h"
#include "detectors/util/glob.h"

namespace vigil::gitleaks {

Result<void> Importer::allowlist(const toml::table& t, std::vector<std::string> rule_ids, const std::string& scope,
                                 bool global) {
  std::vector<std::string_view> known = {"description", "condition", "commits", "paths", "regexes", "regextarget",
                                         "stopwords"};
  if (global) known.push_back("targetrules");
  warn_unknown_keys(t, known, scope);
  auto description = str(t, "description");
  auto condition = str(t, "condition");
  auto target = str(t, "regextarget");
  auto commits = strs(t, "commits");
  auto paths = strs(t, "paths");
  auto regexes = strs(t, "regexes");
  auto stopwords = strs(t, "stopwords");
  auto targets = strs(t, "targetrules");
  for (const Error* e : {description ? nullptr : &description.error(), condition ? nullptr : &condition.error(),
                         target ? nullptr : &target.error(), commits ? nullptr : &commits.error(),
                         paths ? nullptr : &paths.error(), regexes ? nullptr : &regexes.error(),
                         stopwords ? nullptr : &stopwords.error(), targets ? nullptr : &targets.error()}) {
    if (e) return *e;
  }
  const auto cond = lower(*condition);
  if (!cond.empty() && cond != "or" && cond != "and") {
    return bad(*get(t, "condition"), fmt::format("unknown condition '{}': gitleaks accepts OR or AND", one_line(*condition, 32)));
  }
  const bool all_of = cond == "and";
  const auto tgt = lower(*target);
  if (!tgt.empty() && tgt != "secret" && tgt != "match" && tgt != "line") {
    return bad(*get(t, "regextarget"), fmt::format("unknown regexTarget '{}': gitleaks accepts secret, match or line", one_line(*target, 32)));
  }
  if (commits->empty() && paths->empty() && regexes->empty() && stopwords->empty()) {
    warn(t, fmt::format("{} allows nothing (no commits, paths, regexes or stopwords); skipped", scope));
    return {};
  }
  if (global && !targets->empty()) {
    for (const auto& id : *targets) {
      auto it = imported.find(id);
      if (it == imported.end()) {
        warn(*get(t, "targetrules"), fmt::format("{}: targetRules names '{}', which was not imported", scope, one_line(id, 64)));
      } else {
        rule_ids.push_back(it->second);
      }
    }
    // Without any target left, the entry would apply to every rule: allow nothing instead.
    if (rule_ids.empty()) {
      warn(t, fmt::format("{}: none of its targetRules was imported; skipped", scope));
      return {};
    }
  }

  std::vector<std::string> lost;  // conditions that could not be carried over, for AND
  if (!commits->empty()) {
    lost.push_back("commits");
    if (!all_of) {
      warn(*get(t, "commits"), fmt::format("{}: commits ({} id{}) not imported — vigil allows by path, secret "
                                           "regex or stopword; waive those findings by fingerprint ([[waivers]])",
                                           scope, commits->size(), commits->size() == 1 ? "" : "s"));
    }
  }
  std::vector<std::string> globs;
  for (const auto& p : *paths) {
    auto g = go_path_regex_to_globs(p);
    if (!g) {
      lost.push_back("path '" + one_line(p, 80) + "'");
      if (!all_of) {
        warn(*get(t, "paths"), fmt::format("{}: path regex '{}' has no glob form; not imported (findings under "
                                           "it are reported) — add a [[allow]] paths glob by hand",
                                           scope, one_line(p, 80)));
      }
      continue;
    }
    for (auto& x : *g) {
      if (!glob_error(x) && std::find(globs.begin(), globs.end(), x) == globs.end()) globs.push_back(std::move(x));
    }
  }
  std::vector<std::string> res;
  if (!regexes->empty() && !tgt.empty() && tgt != "secret") {
    lost.push_back("regexTarget = " + tgt);
    if (!all_of) {
      warn(*get(t, "regexes"), fmt::format("{}: regexTarget = '{}': vigil allow regexes see only the secret; "
                                           "{} regex{} not imported",
                                           scope, tgt, regexes->size(),
                                           regexes->size() == 1 ? "" : "es"));
    }
  } else {
    for (const auto& r : *regexes) {
      auto tr = translate_go_regex(r);
      Result<Regex> compiled = tr ? Regex::compile(tr->pattern) : Result<Regex>(tr.error());
      if (!compiled) {
        lost.push_back("regex '" + one_line(r, 80) + "'");
        if (!all_of) {
          warn(*get(t, "regexes"), fmt::format("{}: regex '{}' not imported: {}", scope, one_line(r, 80),
                                               one_line(compiled.error().message)));
        }
        continue;
      }
      res.push_back(tr->pattern);
    }
  }
  std::vector<std::string> words;
  for (const auto& w : *stopwords) {
    if (!w.empty()) words.push_back(lower(w));
  }
  if (all_of && !lost.empty()) {
    std::string what;
    for (const auto& l : lost) what += (what.empty() ? "" : ", ") + l;
    warn(t, fmt::format("{} (condition = AND) not imported: {} cannot be mapped, and dropping a condition would "
                        "allow more than gitleaks does",
                        scope, what));
    return {};
  }
  const std::string reason = fmt::format("gitleaks {}:{}: {}", one_line(path), t.source().begin.line,
                                         description->empty() ? scope : one_line(*description));
  auto emit = [&](const std::vector<std::string>* g, const std::vector<std::string>* r,
                  const std::vector<std::string>* s) {
    allows_toml += "\n[[allow]]\n";
    allows_toml += "reason = " + toml_str(reason) + "\n";
    if (!rule_ids.empty()) allows_toml += "rules = " + toml_strs(rule_ids) + "\n";
    if (g && !g->empty()) allows_toml += "paths = " + toml_strs(*g) + "\n";
    if (r && !r->empty()) allows_toml += "regexes = " + toml_strs(*r) + "\n";
    if (s && !s->empty()) allows_toml += "stopwords = " + toml_strs(*s) + "\n";
    ++out.allows_imported;
  };
  if (all_of) {
    if (!globs.empty() || !res.empty() || !words.empty()) emit(&globs, &res, &words);
  } else {
    // gitleaks ORs the kinds of condition; a vigil [[allow]] ANDs them: one entry per kind.
    if (!globs.empty()) emit(&globs, nullptr, nullptr);
    if (!res.empty()) emit(nullptr, &res, nullptr);
    if (!words.empty()) emit(nullptr, nullptr, &words);
  }
  return {};
}

Result<void> Importer::allowlists(const toml::table& t, const std::vector<std::string>& rule_ids, const std::string& scope,
                                  bool global) {
  if (const auto* a = get(t, "allowlist")) {
    const auto* at = a->as_table();
    if (!at) return bad(*a, "'allowlist' must be a table");
    if (auto r = allowlist(*at, rule_ids, scope, global); !r) return r;
  }
  if (const auto* a = get(t, "allowlists")) {
    const auto* arr = a->as_array();
    if (!arr) return bad(*a, "'allowlists' must be an array of tables ([[allowlists]])");
    for (const auto& el : *arr) {
      const auto* at = el.as_table();
      if (!at) return bad(el, "each allowlists entry must be a table");
      if (auto r = allowlist(*at, rule_ids, scope, global); !r) return r;
    }
  }
  return {};
}

}  // namespace vigil::gitleaks
