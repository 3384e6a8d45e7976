// Gitleaks import, config half: walks a gitleaks v8 TOML config, maps rules to vigil [[rules]]
// entries (allowlists: gitleaks_allowlist.cc), validates every regex with the scanner's own compile
// path, and records one warning per item it could not carry over.
#include "detectors/import/gitleaks_import.h"

#include <fmt/format.h>

#include "detectors/import/gitleaks_importer.h"
#include "detectors/import/gitleaks_path_globs.h"
#include "detectors/import/gitleaks_regex.h"
#include "detectors/policy/config.h"
#include "detectors/rules/rule_loader.h"
#include "detectors/scan/scanner.h"

namespace vigil {

namespace gitleaks {

namespace {

// Bounds the work one import can cause (each rule costs one Hyperscan compile).
constexpr std::size_t kMaxRules = 2000;
constexpr double kSlowCompileMs = 250;

}  // namespace

std::string Importer::unique_id(const std::string& want) {
  std::string id = want.empty() ? "gitleaks-rule" : want;
  if (used_ids.count(id)) {
    for (int k = 2;; ++k) {
      const std::string suffix = fmt::format("-{}", k);
      std::string base = id.substr(0, 32 - suffix.size());
      while (!base.empty() && (base.back() == '-' || base.back() == '.')) base.pop_back();
      if (!used_ids.count(base + suffix)) {
        id = base + suffix;
        break;
      }
    }
  }
  used_ids.insert(id);
  return id;
}

Result<void> Importer::rule(const toml::table& t) {
  warn_unknown_keys(t, {"id", "description", "regex", "secretgroup", "entropy", "keywords", "path", "tags", "allowlist", "allowlists", "skipreport", "required"},
                    "rule");
  auto id = str(t, "id");
  if (!id) return id.error();
  if (id->empty()) return bad(t, "rule has no 'id' (gitleaks requires one)");
  auto description = str(t, "description");
  auto regex = str(t, "regex");
  auto path_re = str(t, "path");
  auto keywords = strs(t, "keywords");
  auto tags = strs(t, "tags");
  for (const Error* e : {description ? nullptr : &description.error(), regex ? nullptr : &regex.error(),
                         path_re ? nullptr : &path_re.error(), keywords ? nullptr : &keywords.error(),
                         tags ? nullptr : &tags.error()}) {
    if (e) return *e;
  }
  const std::string shown = one_line(*id, 64);
  if (regex->empty() && path_re->empty()) return bad(t, fmt::format("rule '{}' has neither 'regex' nor 'path'", shown));
  long long group = 0;
  if (const auto* g = get(t, "secretgroup")) {
    const auto* i = g->as_integer();
    if (!i || i->get() < 0) return bad(*g, "'secretGroup' must be a non-negative integer");
    group = i->get();
  }
  double entropy = 0;
  const toml::node* entropy_node = get(t, "entropy");
  if (entropy_node) {
    const auto d = entropy_node->value<double>();
    if (!d || !(*d == *d)) return bad(*entropy_node, "'entropy' must be a number");
    entropy = *d;
  }
  if (const auto* s = get(t, "skipreport")) {
    const auto* b = s->as_boolean();
    if (!b) return bad(*s, "'skipReport' must be true or false");
    if (b->get()) {
      warn(t, fmt::format("rule '{}' not imported: skipReport = true (it only feeds composite rules, which "
                          "vigil does not have)",
                          shown));
      ++out.rules_skipped;
      return {};
    }
  }
  if (regex->empty()) {
    auto g = go_path_regex_to_globs(*path_re);
    warn(t, fmt::format("rule '{}' not imported: it matches file paths only (path, no regex) and vigil rules match "
                        "content — {}",
                        shown,
                        g ? fmt::format("forbid the files with a [[files]] rule: glob = {} (docs/policy.md)", toml_strs(*g))
                          : "write a [[files]] rule with a glob for them (docs/policy.md)"));
    ++out.rules_skipped;
    return {};
  }
  auto tr = translate_go_regex(*regex);
  if (!tr) {
    warn(*get(t, "regex"), fmt::format("rule '{}' not imported: regex: {}", shown, tr.error().message));
    ++out.rules_skipped;
    return {};
  }
  if (static_cast<long long>(tr->groups) < group) {
    return bad(*get(t, "secretgroup"), fmt::format("rule '{}': secretGroup {} but the regex has {} group(s)", shown,
                                                   group, tr->groups));
  }
  const std::string wanted = normalize_id(*id);
  const std::string vid = unique_id(wanted);
  if (vid != *id) {
    warn(*get(t, "id"), fmt::format("rule '{}' imported as '{}' ({})", shown, vid,
                                    vid != wanted ? "the id is already taken"
                                                  : "vigil ids are lower-case words joined by '.' or '-', at most 32 characters"));
  }
  for (const auto& n : tr->notes) warn(*get(t, "regex"), fmt::format("rule '{}': {}", vid, n));
  if (!path_re->empty()) {
    warn(*get(t, "path"), fmt::format("rule '{}': its path condition '{}' is dropped — vigil rules apply to every "
                                      "file, so it may report more than gitleaks",
                                      vid, one_line(*path_re, 80)));
  }
  Rule r;
  r.id = vid;
  r.name = description->empty() || description->size() > 100 ? vid : *description;
  r.description = description->empty() ? "Imported from gitleaks rule '" + *id + "'" : *description;
  r.regex = tr->pattern;
  r.secret_group = group > 0 ? static_cast<int>(group) : (tr->groups > 0 ? 1 : 0);
  if (group == 0 && tr->groups > 1) {
    warn(*get(t, "regex"), fmt::format("rule '{}': no secretGroup and {} groups — gitleaks takes the first non-empty "
                                       "group as the secret, vigil takes group 1",
                                       vid, tr->groups));
  }
  if (entropy < 0 || entropy > 8) {
    warn(*entropy_node, fmt::format("rule '{}': entropy {} is outside 0..8 bits per character; clamped", vid, entropy));
    entropy = std::clamp(entropy, 0.0, 8.0);
  }
  r.entropy = entropy;
  // gitleaks looks for a keyword anywhere in the file; vigil requires one inside the match. Keep
  // them only when the regex spells every one, so that no match the gitleaks rule makes is lost.
  if (!keywords->empty()) {
    const auto lit = literal_text(*regex);
    std::vector<std::string> kws;
    for (const auto& k : *keywords) kws.push_back(lower(k));
    kws.erase(std::remove(kws.begin(), kws.end(), std::string()), kws.end());
    const bool spelled = std::all_of(kws.begin(), kws.end(), [&](const std::string& k) { return lit.find(k) != std::string::npos; });
    if (spelled) {
      r.keywords = kws;
    } else {
      warn(*get(t, "keywords"), fmt::format("rule '{}': keywords dropped — gitleaks needs one anywhere in the file, "
                                            "vigil needs one inside the match, and the regex does not spell them all",
                                            vid));
    }
  }
  r.tags = *tags;
  r.reference = fmt::format("gitleaks config {}:{} (rule '{}')", one_line(path), t.source().begin.line, shown);
  r.source = std::string(path);
  r.source_line = static_cast<int>(t.source().begin.line);
  // The scanner's own compile path: Hyperscan for the database, PCRE2 for confirmation.
  CompileStats stats;
  auto scanner = Scanner::compile({r}, CacheOptions{}, &stats);
  Result<void> checked = scanner ? scanner->check_all_patterns() : Result<void>(scanner.error());
  if (!checked) {
    // The scanner's message ends with advice for hand-written rules; say what it means here.
    std::string msg = checked.error().message;
    if (const auto dash = msg.find(" — "); dash != std::string::npos) msg.resize(dash);
    if (msg.find("matches empty buffer") != std::string::npos) {
      msg = msg.substr(0, msg.find("regex rejected")) + "regex can match the empty string (every match must consume text)";
    }
    out.warnings.push_back(fmt::format("{} — rule not imported", one_line(msg, 400)));
    used_ids.erase(vid);
    ++out.rules_skipped;
    return {};
  }
  if (stats.compile_ms > kSlowCompileMs) {
    warn(*get(t, "regex"), fmt::format("rule '{}' takes {:.0f} ms to compile (the whole built-in pack takes about a "
                                       "second): prefer runs that stop at a delimiter to wide counted repeats",
                                       vid, stats.compile_ms));
  }
  imported[*id] = vid;
  emit_rule(r);
  ++out.rules_imported;
  return allowlists(t, {vid}, fmt::format("allowlist of rule '{}'", vid), false);
}

void Importer::emit_rule(const Rule& r) {
  rules_toml += "\n[[rules]]\n";
  rules_toml += "id = " + toml_str(r.id) + "\n";
  rules_toml += "name = " + toml_str(r.name) + "\n";
  rules_toml += "description = " + toml_str(r.description) + "\n";
  rules_toml += "regex = " + toml_str(r.regex) + "\n";
  rules_toml += fmt::format("secret_group = {}\n", r.secret_group);
  if (!r.keywords.empty()) rules_toml += "keywords = " + toml_strs(r.keywords) + "\n";
  if (r.entropy > 0) {
    std::string e = fmt::format("{:.4g}", r.entropy);
    if (e.find_first_of(".e") == std::string::npos) e += ".0";
    rules_toml += "entropy = " + e + "\n";
  }
  rules_toml += "severity = \"high\"\nconfidence = \"medium\"\n";
  if (!r.tags.empty()) rules_toml += "tags = " + toml_strs(r.tags) + "\n";
  rules_toml += "reference = " + toml_str(r.reference) + "\n";
}

Result<void> Importer::extend(const toml::node& n, std::string& header) {
  const auto* t = n.as_table();
  if (!t) return bad(n, "[extend] must be a table");
  warn_unknown_keys(*t, {"usedefault", "path", "url", "disabledrules"}, "[extend]");
  bool use_default = false;
  if (const auto* u = get(*t, "usedefault")) {
    const auto* b = u->as_boolean();
    if (!b) return bad(*u, "'useDefault' must be true or false");
    use_default = b->get();
  }
  auto p = str(*t, "path");
  if (!p) return p.error();
  auto u = str(*t, "url");
  if (!u) return u.error();
  auto disabled = strs(*t, "disabledrules");
  if (!disabled) return disabled.error();
  if (!p->empty()) {
    warn(*get(*t, "path"), fmt::format("[extend] path '{}' is not followed — import that file too (vigil rules "
                                       "import-gitleaks FILE) and append both outputs",
                                       one_line(*p, 120)));
  }
  if (!u->empty()) warn(*get(*t, "url"), "[extend] url is not fetched — download and import that config too");
  if (!disabled->empty()) {
    warn(*get(*t, "disabledrules"), fmt::format("[extend] disabledRules ({} rule{}) names gitleaks' default rules, "
                                                "whose vigil counterparts have other ids — disable vigil rules with "
                                                "[settings] disable = [...] (see `vigil rules list`)",
                                                disabled->size(), disabled->size() == 1 ? "" : "s"));
  }
  if (use_default) {
    header += "# [extend] useDefault = true: vigil's built-in rule pack takes the place of gitleaks' default\n"
              "# rules (it is on unless [settings] builtin_rules = false).\n";
  }
  return {};
}

Result<void> Importer::run(std::string_view text) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view{path});
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, e.source()), e.description()));
  }
  if (auto b = builtin_rules(); b) {
    for (const auto& r : *b) used_ids.insert(r.id);
  }
  std::string header = fmt::format("# Converted from the gitleaks config '{}' by `vigil rules import-gitleaks`.\n",
                                   one_line(path));
  warn_unknown_keys(doc, {"title", "description", "minversion", "extend", "rules", "allowlist", "allowlists"},
                    "top level");
  if (auto title = str(doc, "title"); !title) {
    return title.error();
  } else if (!title->empty()) {
    header += "# title: " + one_line(*title) + "\n";
  }
  bool use_default = false;
  if (const auto* e = get(doc, "extend")) {
    if (auto r = extend(*e, header); !r) return r;
    if (const auto* t = e->as_table(); t && get(*t, "usedefault")) use_default = get(*t, "usedefault")->value_or(false);
  }
  if (!use_default) {
    header += "# gitleaks ran only these rules; vigil adds them to its built-in pack. To run only these,\n"
              "# set [settings] builtin_rules = false in .vigil.toml.\n";
  }
  header += "# Append this file to .vigil.toml (or check it with `vigil rules check FILE`). See docs/rules.md.\n";
  if (const auto* rs = get(doc, "rules")) {
    const auto* arr = rs->as_array();
    if (!arr) return bad(*rs, "'rules' must be an array of tables ([[rules]])");
    std::size_t n = 0;
    for (const auto& el : *arr) {
      const auto* t = el.as_table();
      if (!t) return bad(el, "each [[rules]] entry must be a table");
      if (++n > kMaxRules) {
        warn(el, fmt::format("only the first {} rules are converted; the remaining {} are not", kMaxRules, arr->size() - kMaxRules));
        out.rules_skipped += arr->size() - kMaxRules;
        break;
      }
      if (auto r = rule(*t); !r) return r;
    }
  }
  if (auto r = allowlists(doc, {}, "global allowlist", true); !r) return r;
  out.toml = header + rules_toml + allows_toml;
  // The output must load exactly as a user will load it; anything else is a bug in this file.
  if (auto rules = load_rules_text(header + rules_toml, path); !rules) {
    return make_error(ErrorCode::Internal, "gitleaks import produced invalid rules: " + rules.error().message +
                                               " — please report this with the input file");
  }
  if (auto cfg = parse_config(out.toml, path); !cfg) {
    return make_error(ErrorCode::Internal, "gitleaks import produced an invalid config: " + cfg.error().message +
                                               " — please report this with the input file");
  }
  return {};
}

}  // namespace gitleaks

Result<GitleaksImport> import_gitleaks(std::string_view toml_text, std::string_view path) {
  gitleaks::Importer im;
  im.path = path;
  try {
    if (auto r = im.run(toml_text); !r) return r.error();
  } catch (const std::exception& e) {  // toml++ or the allocator; never let it escape
    return make_error(ErrorCode::Internal, fmt::format("{}: cannot convert: {}", path, e.what()));
  }
  return std::move(im.out);
}

}  // namespace vigil
