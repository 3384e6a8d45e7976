// `vigil rules list | explain ID | check [FILE] | test [FILE] | import-gitleaks FILE`.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"
#include "detectors/import/gitleaks_import.h"
#include "detectors/rules/rule_loader.h"
#include "detectors/util/read_file.h"
#include "detectors/util/text.h"

namespace vigil::cli {

namespace {

// The config a `vigil rules` command works on, and what it is, for the first line of output.
struct Checked {
  Config config;
  std::string what;    // ".vigil.toml", "policy.toml (vigil.policy)", "the built-in rules", ...
  bool whole = false;  // FILE was a whole policy (a .vigil.toml or a server policy), not a rules file
};

// Without FILE: in a work tree its .vigil.toml; in a bare repository the server policy that
// `git config vigil.policy` names (what the server hooks judge by); else the built-in defaults.
Result<Checked> repository_config() {
  git::LibGit2Session session;
  std::error_code ec;
  auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
  Checked c;
  Result<Config> cfg = make_error(ErrorCode::Internal, "unset");
  if (repo && repo->is_bare()) {
    if (auto policy = repo->config_string("vigil.policy")) {
      cfg = load_config_file(*policy, true);
      c.what = fmt::format("{} (git config vigil.policy)", *policy);
    } else {
      cfg = default_config();
      c.what = "the built-in rules (this bare repository has no `git config vigil.policy`)";
    }
  } else {
    const std::string file = (repo ? repo->workdir() : std::string(".")) + "/.vigil.toml";
    c.what = std::filesystem::exists(file, ec) ? ".vigil.toml" : "the built-in rules (no .vigil.toml here)";
    cfg = load_config_file(file, false);
  }
  if (!cfg) return cfg.error();
  c.config = std::move(*cfg);
  return c;
}

// The effective config: the repository's, plus FILE when it holds only [[rules]]. Any other FILE
// (a .vigil.toml, a server policy file, an imported gitleaks config with [[allow]]) is checked as
// the whole policy it is, on its own.
Result<Checked> effective_config(const std::string& file) {
  auto base = repository_config();
  if (!base || file.empty()) return base;
  auto rules_only = add_rules_file(base->config, file);
  if (rules_only) {
    base->what += " with the rules of " + file;
    return base;
  }
  auto whole = load_config_file(file, true);
  if (!whole) {
    // Unreadable: say so as a rules file. Readable but wrong: the whole-policy error is the more
    // precise one ("unknown key 'fail_onn' in [settings]" rather than "'settings' in a rules file").
    std::error_code ec;
    return std::filesystem::is_regular_file(file, ec) ? whole.error() : rules_only.error();
  }
  Checked c;
  c.config = std::move(*whole);
  c.what = file + " as a whole policy (the repository's .vigil.toml is not added)";
  c.whole = true;
  return c;
}

int cmd_import_gitleaks(const std::string& file, const std::string& output) {
  const auto text = read_whole_file(file);
  if (!text) return die(make_error(ErrorCode::Usage, fmt::format("cannot read '{}' — check the path", file)));
  auto im = import_gitleaks(*text, file);
  if (!im) return die(im.error());
  for (const auto& w : im->warnings) fmt::print(stderr, "vigil: warning: {}\n", w);
  if (output.empty() || output == "-") {
    fmt::print("{}", im->toml);
  } else {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << im->toml;
    out.close();
    if (!out) return die(make_error(ErrorCode::Io, fmt::format("cannot write '{}' — check the directory", output)));
  }
  fmt::print(stderr, "vigil: {} rule{} and {} allow entr{} imported from {}; {} rule{} not imported, {} note{} above\n",
             im->rules_imported, im->rules_imported == 1 ? "" : "s", im->allows_imported,
             im->allows_imported == 1 ? "y" : "ies", file, im->rules_skipped, im->rules_skipped == 1 ? "" : "s",
             im->warnings.size(), im->warnings.size() == 1 ? "" : "s");
  return kExitAllowed;
}

int cmd_list(const std::string& file) {
  auto cfg = effective_config(file);
  if (!cfg) return die(cfg.error());
  for (const auto& r : cfg->config.rules) {
    fmt::print("{:<32}  {:<8}  {}\n", r.id, to_string(r.severity), r.name.empty() ? r.description : r.name);
  }
  return kExitAllowed;
}

int cmd_explain(const std::string& id) {
  auto cfg = effective_config("");
  if (!cfg) return die(cfg.error());
  std::vector<std::string> ids;
  for (const auto& r : cfg->config.rules) {
    ids.push_back(r.id);
    if (r.id != id) continue;
    fmt::print("id:          {}\nname:        {}\ndescription: {}\nseverity:    {}\nconfidence:  {}\n", r.id, r.name,
               r.description, to_string(r.severity), to_string(r.confidence));
    fmt::print("regex:       {}\nsecret:      group {}\nkeywords:    {}\nentropy:     {}{}\n", r.regex, r.secret_group,
               fmt::join(r.keywords, ", "), r.entropy, r.generic ? " (fraction of the alphabet's maximum)" : " bits/char");
    if (r.validator != Validator::None) {
      // A switch, not a table: a validator added to the enum cannot index past a name list.
      const char* name = "none";
      switch (r.validator) {
        case Validator::None: break;
        case Validator::Base62Crc32: name = "base62-crc32"; break;
        case Validator::Jwt: name = "jwt"; break;
        case Validator::UriPassword: name = "uri-password"; break;
        case Validator::Credential: name = "credential"; break;
        case Validator::Password: name = "password"; break;
        case Validator::HttpAuth: name = "http-auth"; break;
      }
      fmt::print("validator:   {}\n", name);
    }
    fmt::print("tags:        {}\nreference:   {}\nsource:      {}:{}\n", fmt::join(r.tags, ", "), r.reference, r.source,
               r.source_line);
    fmt::print("examples:    {} positive, {} negative\n", r.examples.size(), r.negative_examples.size());
    return kExitAllowed;
  }
  const auto s = suggest(id, ids);
  return die(make_error(ErrorCode::Usage, fmt::format("no rule '{}'{}", id, s.empty() ? " — `vigil rules list` shows them" : fmt::format(" (did you mean '{}'?)", s))));
}

// The rules through the same database cache the hooks use (keyed by the rules): a database
// compiled before is loaded in about a millisecond, and one compiled here is ready for the hooks.
Result<Scanner> cached_scanner(const Config& cfg, CompileStats* stats) {
  CacheOptions cache;
  cache.dir = default_cache_dir();
  auto scanner = Scanner::compile(cfg.rules, cache, stats);
  if (!scanner) return scanner.error();
  if (auto patterns = scanner->check_all_patterns(); !patterns) return patterns.error();
  return scanner;
}

int cmd_check(const std::string& file) {
  auto cfg = effective_config(file);
  if (!cfg) return die(cfg.error());
  CompileStats st;
  auto scanner = cached_scanner(cfg->config, &st);
  if (!scanner) return die(scanner.error());
  fmt::print("checked: {}\n", cfg->what);
  fmt::print("ok: {} rules compile with Hyperscan and PCRE2\n", cfg->config.rules.size());
  if (st.cache_hit) {
    fmt::print("database: {} bytes, loaded from the cache in {:.3f} ms (compiled before)\n", st.db_bytes, st.load_ms);
  } else {
    // A plain miss notes "no cached database"; a damaged file that was replaced, or a cache that
    // cannot be written, is worth saying.
    std::error_code ec;
    const bool stored = !st.cache_file.empty() && std::filesystem::exists(st.cache_file, ec);
    std::string how = stored ? "cached, so the hooks load it without compiling" : "not cached (" + st.cache_note + ")";
    if (stored && !st.cache_note.empty() && st.cache_note != "no cached database") how = st.cache_note + "; " + how;
    fmt::print("database: {} bytes, compiled in {:.1f} ms; {}\n", st.db_bytes, st.compile_ms, how);
  }
  return kExitAllowed;
}

int cmd_test(const std::string& file) {
  auto cfg = effective_config(file);
  if (!cfg) return die(cfg.error());
  auto scanner = cached_scanner(cfg->config, nullptr);
  if (!scanner) return die(scanner.error());
  // A rules file: only its own rules. A whole policy: every rule it runs.
  const std::string only = cfg->whole ? std::string() : file;
  auto scratch = scanner->make_scratch();
  if (!scratch) return die(scratch.error());
  std::size_t failures = 0, checked = 0;
  const auto& rules = scanner->rules();
  std::vector<Match> matches;
  auto has_rule = [&](std::size_t idx) {
    return std::any_of(matches.begin(), matches.end(), [&](const Match& m) { return m.rule == idx; });
  };
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (!only.empty() && r.source != only) continue;
    if (r.examples.empty()) {
      ++failures;
      fmt::print("FAIL {} ({}:{}): no positive example\n", r.id, r.source, r.source_line);
    }
    if (r.negative_examples.empty()) {
      ++failures;
      fmt::print("FAIL {} ({}:{}): no negative example\n", r.id, r.source, r.source_line);
    }
    for (const auto& ex : r.examples) {
      matches.clear();
      auto s = scanner->scan(ex, *scratch, matches);
      if (!s) return die(s.error());
      ++checked;
      if (!has_rule(i)) {
        ++failures;
        fmt::print("FAIL {} ({}:{}): positive example not detected: {}\n", r.id, r.source, r.source_line,
                   redact(ex));
      }
    }
    for (const auto& ex : r.negative_examples) {
      matches.clear();
      auto s = scanner->scan(ex, *scratch, matches);
      if (!s) return die(s.error());
      ++checked;
      if (has_rule(i)) {
        ++failures;
        fmt::print("FAIL {} ({}:{}): negative example detected: {}\n", r.id, r.source, r.source_line, redact(ex));
      }
    }
  }
  if (failures) {
    fmt::print("{} of {} examples failed\n", failures, checked);
    return kExitBlocked;
  }
  fmt::print("ok: {} examples passed\n", checked);
  return kExitAllowed;
}

}  // namespace

void register_rules(CLI::App& app, int& exit_code) {
  auto* rules = app.add_subcommand("rules", "List, explain, check and test rules");
  rules->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto* list = rules->add_subcommand("list", "One rule per line: id, severity, name");
  list->add_option("file", *file, "Also load this rules file, or list a whole .vigil.toml or server policy's rules");
  list->callback([file, &exit_code] { exit_code = cmd_list(*file); });
  auto* explain = rules->add_subcommand("explain", "Everything about one rule");
  explain->add_option("id", *id, "Rule id")->required();
  explain->callback([id, &exit_code] { exit_code = cmd_explain(*id); });
  auto* check = rules->add_subcommand("check", "Validate and compile the rules (and FILE); print database stats");
  check->add_option("file", *file,
                    "A rules file to add, or a whole .vigil.toml or server policy file to check on its own "
                    "[default: .vigil.toml; in a bare repository the file `git config vigil.policy` names]");
  check->callback([file, &exit_code] { exit_code = cmd_check(*file); });
  auto* test = rules->add_subcommand("test", "Run every rule's positive and negative examples");
  test->add_option("file", *file, "Only test the rules of this rules file; a whole .vigil.toml or server policy: every rule it runs");
  test->callback([file, &exit_code] { exit_code = cmd_test(*file); });
  auto output = std::make_shared<std::string>();
  auto* import = rules->add_subcommand("import-gitleaks", "Convert a .gitleaks.toml into vigil rules and allows; report what did not map");
  import->add_option("file", *file, "The gitleaks config")->required();
  import->add_option("-o,--output", *output, "Write the vigil TOML here [default: stdout]");
  import->callback([file, output, &exit_code] { exit_code = cmd_import_gitleaks(*file, *output);
});
}  // namespace vigil::cli

}  // namespace vigil::cli
