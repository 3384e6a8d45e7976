// `vigil rules list | explain ID | check [FILE] | test [FILE] | import-gitleaks FILE`.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "detectors/cli/commands.h"
#include "detectors/gates/common.h"
#include "detectors/git/repo.h"
#include "detectors/import/gitleaks_import.h"
#include "detectors/rules/rule_loader.h"
#include "detectors/util/text.h"

namespace vigil::cli {

namespace {

// The effective config: the repository's (or defaults), plus FILE when given.
Result<Config> effective_config(const std::string& file) {
  git::LibGit2Session session;
  std::string root = ".";
  std::error_code ec;
  auto repo = git::Repo::discover(std::filesystem::current_path(ec).string());
  if (repo && !repo->is_bare()) root = repo->workdir();
  auto cfg = load_config_file(root + "/.vigil.toml", false);
  if (!cfg) return cfg.error();
  if (!file.empty()) {
    auto r = add_rules_file(*cfg, file);
    if (!r) {
      // A file with [[allow]] entries (what `rules import-gitleaks` writes) is a .vigil.toml
      // fragment: check it as one, its rules and allows added to the repository's.
      auto frag = load_config_file(file, true);
      if (!frag && r.error().message.find("'allow'") != std::string::npos) return frag.error();
      if (!frag || frag->allows.empty()) return r.error();
      for (auto& rule : frag->rules) {
        if (rule.source != file) continue;
        auto it = std::find_if(cfg->rules.begin(), cfg->rules.end(), [&](const Rule& x) { return x.id == rule.id; });
        if (it != cfg->rules.end()) {
          *it = std::move(rule);
        } else {
          cfg->rules.push_back(std::move(rule));
        }
      }
      for (auto& a : frag->allows) cfg->allows.push_back(std::move(a));
    }
  }
  return cfg;
}

int cmd_import_gitleaks(const std::string& file, const std::string& output) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return die(make_error(ErrorCode::Usage, fmt::format("cannot read '{}' — check the path", file)));
  std::stringstream ss;
  ss << in.rdbuf();
  auto im = import_gitleaks(ss.str(), file);
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
  for (const auto& r : cfg->rules) {
    fmt::print("{:<32}  {:<8}  {}\n", r.id, to_string(r.severity), r.name.empty() ? r.description : r.name);
  }
  return kExitAllowed;
}

int cmd_explain(const std::string& id) {
  auto cfg = effective_config("");
  if (!cfg) return die(cfg.error());
  std::vector<std::string> ids;
  for (const auto& r : cfg->rules) {
    ids.push_back(r.id);
    if (r.id != id) continue;
    fmt::print("id:          {}\nname:        {}\ndescription: {}\nseverity:    {}\nconfidence:  {}\n", r.id, r.name,
               r.description, to_string(r.severity), to_string(r.confidence));
    fmt::print("regex:       {}\nsecret:      group {}\nkeywords:    {}\nentropy:     {}{}\n", r.regex, r.secret_group,
               fmt::join(r.keywords, ", "), r.entropy, r.generic ? " (fraction of the alphabet's maximum)" : " bits/char");
    if (r.validator != Validator::None) {
      fmt::print("validator:   {}\n", r.validator == Validator::Base62Crc32 ? "base62-crc32" : "jwt");
    }
    fmt::print("tags:        {}\nreference:   {}\nsource:      {}:{}\n", fmt::join(r.tags, ", "), r.reference, r.source,
               r.source_line);
    fmt::print("examples:    {} positive, {} negative\n", r.examples.size(), r.negative_examples.size());
    return kExitAllowed;
  }
  const auto s = suggest(id, ids);
  return die(make_error(ErrorCode::Usage, fmt::format("no rule '{}'{}", id, s.empty() ? " — `vigil rules list` shows them" : fmt::format(" (did you mean '{}'?)", s))));
}

int cmd_check(const std::string& file) {
  auto cfg = effective_config(file);
  if (!cfg) return die(cfg.error());
  // Compile without the cache so the numbers are real, then load through the cache.
  CompileStats cold;
  auto scanner = Scanner::compile(cfg->rules, CacheOptions{}, &cold);
  if (!scanner) return die(scanner.error());
  auto patterns = scanner->check_all_patterns();
  if (!patterns) return die(patterns.error());
  CacheOptions cache;
  cache.dir = default_cache_dir();
  CompileStats warm;
  auto again = Scanner::compile(cfg->rules, cache, &warm);
  if (!again) return die(again.error());
  CompileStats hit;
  auto third = Scanner::compile(cfg->rules, cache, &hit);
  if (!third) return die(third.error());
  fmt::print("ok: {} rules compile with Hyperscan and PCRE2\n", cfg->rules.size());
  fmt::print("database: {} bytes, compiled in {:.1f} ms, loaded from cache in {:.3f} ms{}\n", cold.db_bytes,
             cold.compile_ms, hit.load_ms, hit.cache_hit ? "" : " (cache unavailable: " + hit.cache_note + ")");
  return kExitAllowed;
}

int cmd_test(const std::string& file) {
  auto cfg = effective_config(file);
  if (!cfg) return die(cfg.error());
  CacheOptions cache;
  cache.dir = default_cache_dir();
  auto scanner = Scanner::compile(cfg->rules, cache);
  if (!scanner) return die(scanner.error());
  auto patterns = scanner->check_all_patterns();
  if (!patterns) return die(patterns.error());
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
    if (!file.empty() && r.source != file) continue;
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
  list->add_option("file", *file, "Also load this rules file");
  list->callback([file, &exit_code] { exit_code = cmd_list(*file); });
  auto* explain = rules->add_subcommand("explain", "Everything about one rule");
  explain->add_option("id", *id, "Rule id")->required();
  explain->callback([id, &exit_code] { exit_code = cmd_explain(*id); });
  auto* check = rules->add_subcommand("check", "Validate and compile the rules (and FILE); print database stats");
  check->add_option("file", *file, "A rules file to add");
  check->callback([file, &exit_code] { exit_code = cmd_check(*file); });
  auto* test = rules->add_subcommand("test", "Run every rule's positive and negative examples");
  test->add_option("file", *file, "Only test the rules of this file");
  test->callback([file, &exit_code] { exit_code = cmd_test(*file); });
  auto output = std::make_shared<std::string>();
  auto* import = rules->add_subcommand("import-gitleaks", "Convert a .gitleaks.toml into vigil rules and allows; report what did not map");
  import->add_option("file", *file, "The gitleaks config")->required();
  import->add_option("-o,--output", *output, "Write the vigil TOML here [default: stdout]");
  import->callback([file, output, &exit_code] { exit_code = cmd_import_gitleaks(*file, *output); });
}

}  // namespace vigil::cli
