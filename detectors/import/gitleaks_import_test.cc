// Tests for the gitleaks importer: Go regex translation, path regex -> globs, config mapping,
// the warnings it prints, its errors, and that it survives damaged input.
#include "detectors/import/gitleaks_import.h"
#include "detectors/import/gitleaks_path_globs.h"
#include "detectors/import/gitleaks_regex.h"

#include <doctest/doctest.h>

#include <random>

#include "detectors/policy/config.h"
#include "detectors/scan/regex.h"
#include "detectors/scan/scanner.h"
#include "detectors/util/glob.h"
#include "detectors/util/read_file.h"
#include "tests/support/temp_repo.h"

using namespace vigil;

namespace {

std::string fixture(const std::string& name) {
  auto text = read_whole_file(test::source_dir() + "/tests/fixtures/gitleaks/" + name);
  REQUIRE(text);
  return *text;
}

std::string translated(std::string_view go) {
  auto t = translate_go_regex(go);
  REQUIRE_MESSAGE(t.ok(), go);
  return t->pattern;
}

std::string why_not(std::string_view go) {
  auto t = translate_go_regex(go);
  REQUIRE_MESSAGE(!t.ok(), go);
  return t.error().message;
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

bool any_warning(const GitleaksImport& im, const std::string& needle) {
  for (const auto& w : im.warnings) {
    if (has(w, needle)) return true;
  }
  return false;
}

// A made-up token of the fixture's acme-api-key format, built at run time.
std::string acme_key(unsigned seed) {
  std::mt19937 rng(seed);
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string k = "acme_live_";
  for (int i = 0; i < 32; ++i) k += alphabet[rng() % alphabet.size()];
  return k;
}

}  // namespace

TEST_CASE("gitleaks regex: Go-only spellings become Hyperscan/PCRE2 ones") {
  CHECK(translated("(?i)abc") == "(?i)abc");
  CHECK(translated("(?P<key>ab)(?<v>c)") == "(ab)(c)");  // plain groups keep Go's numbering
  CHECK(translate_go_regex("(?P<key>ab)(?:x)(c)")->groups == 2);
  CHECK(translated(R"(\Q.*+\E)") == R"(\.\*\+)");
  CHECK(translated(R"(\x{e9})") == R"((?:\xc3\xa9))");  // a rune is its UTF-8 bytes
  CHECK(translated(R"(\x41\101)") == "AA");
  CHECK(translated(R"(a\vb)") == R"(a\x0bb)");         // PCRE2's \v is a class of vertical spaces
  CHECK(translated("a{2}b{,3}") == R"(a{2}b\{,3\})");  // Go reads "{,3}" as literal text
  CHECK(translated("[]a-]") == R"([\]a-])");
  CHECK(translated("é+") == R"((?:\xc3\xa9)+)");  // the quantifier covers the whole character
  auto z = translate_go_regex(R"(\Aab\z)");
  REQUIRE(z.ok());
  CHECK(z->pattern == "^ab$");
  CHECK(z->notes.size() == 2);
}

TEST_CASE("gitleaks regex: syntax without an equivalent is refused with the reason") {
  CHECK(has(why_not(R"(\p{L}+)"), "Unicode class"));
  CHECK(has(why_not(R"([\p{Greek}])"), "Unicode class"));
  CHECK(has(why_not("(?U)a+"), "(?U)"));
  CHECK(has(why_not("a{1001}"), "at most 1000"));
  CHECK(has(why_not("(a{100}){20}"), "beyond 1000"));
  CHECK(has(why_not("(?=a)"), "lookaround"));
  CHECK(has(why_not(R"((a)\1)"), "backreference"));
  CHECK(has(why_not("[é]"), "non-ASCII"));
  CHECK(has(why_not(R"(\C)"), "\\C"));
  CHECK(has(why_not("(ab"), "missing closing )"));
  CHECK(has(why_not("ab)"), "unexpected )"));
  CHECK(has(why_not("[ab"), "missing closing ]"));
  CHECK(has(why_not("ab\\"), "trailing backslash"));
  CHECK(has(why_not(std::string(20000, 'a')), "16 KiB"));
}

TEST_CASE("gitleaks path regexes become globs that match the same paths") {
  const std::vector<std::string> regexes = {R"((?:^|/)vendor/)", R"(\.(?:lock|sum)$)", R"((?i)\.p(?:12|fx)$)",
                                            R"(^docs/)", R"(gitleaks\.toml)", R"((.*?)(svg|png)$)",
                                            R"(^\.?gitleaks.toml$)", R"(gen/.+\.pb\.go$)", R"(^a/[^/]+/c$)",
                                            R"(jpe?g$)", R"([0-9]{0}x)"};
  const std::vector<std::string> paths = {"vendor/a.go", "lib/vendor/a.go", "myvendor/a.go", "go.sum",
                                          "a/go.sum.txt", "x.lock", "KEY.P12", "b/c.pfx",
                                          "docs/a.md", "src/docs/a.md", "gitleaks.toml", "a/.gitleaks.toml",
                                          ".gitleaksXtoml", "gitleaks.toml.bak", "img/x.svg", "x.png.txt",
                                          "gen/api.pb.go", "gen/sub/api.pb.go", "a/b/c", "a/b/d/c",
                                          "pic.jpg", "pic.jpeg", "pic.jpeg.gz", "x"};
  for (const auto& re : regexes) {
    auto globs = go_path_regex_to_globs(re);
    auto pcre = Regex::compile(re);
    REQUIRE(pcre.ok());
    if (re == R"([0-9]{0}x)") {
      CHECK_FALSE(globs.has_value());  // counted repeats have no glob form
      continue;
    }
    REQUIRE_MESSAGE(globs.has_value(), re);
    for (const auto& g : *globs) CHECK_MESSAGE(!glob_error(g), g);
    for (const auto& p : paths) {
      const bool by_glob = std::any_of(globs->begin(), globs->end(), [&](const std::string& g) { return glob_match(g, p); });
      INFO("regex ", re, " path ", p);
      CHECK(by_glob == pcre->search(p));
    }
  }
  CHECK_FALSE(go_path_regex_to_globs(".*").has_value());  // would allow every path
  CHECK_FALSE(go_path_regex_to_globs("[a-z]+\\.js").has_value());
  CHECK_FALSE(go_path_regex_to_globs("a$b").has_value());  // an anchor in the middle
  CHECK(*go_path_regex_to_globs(R"(\.(?:lock|sum)$)") == std::vector<std::string>{"**.lock", "**.sum"});
}

TEST_CASE("gitleaks import maps the team fixture and names every item it could not map") {
  auto im = import_gitleaks(fixture("team.gitleaks.toml"), "team.gitleaks.toml");
  REQUIRE_MESSAGE(im.ok(), (im.ok() ? "" : im.error().message));
  CHECK(im->rules_imported == 4);  // acme-api-key, acme-webhook-secret, terraform-secret-var, heroku-uuid
  CHECK(im->rules_skipped == 3);   // pkcs12-file, unicode-label-token, maybe-empty
  // One line each, with file:line:col, verbatim where the wording is the contract.
  CHECK(any_warning(*im, "team.gitleaks.toml:7:8: [extend] path 'base.gitleaks.toml' is not followed"));
  CHECK(any_warning(*im, "team.gitleaks.toml:26:6: rule 'Acme_Webhook_Secret' imported as 'acme-webhook-secret'"));
  CHECK(any_warning(*im, "rule 'acme-webhook-secret': \\z (end of text) became $ (end of a line)"));
  CHECK(any_warning(*im, "team.gitleaks.toml:37:1: rule 'pkcs12-file' not imported: it matches file paths only"));
  CHECK(any_warning(*im, "glob = ['**.[Pp]12', '**.[Pp][Ff][Xx]']"));
  CHECK(any_warning(*im, "rule 'unicode-label-token' not imported: regex: Unicode class \\p"));
  CHECK(any_warning(*im, "rule 'terraform-secret-var': its path condition '\\.tf$' is dropped"));
  CHECK(any_warning(*im, "team.gitleaks.toml:57: rule 'maybe-empty': regex can match the empty string (every match must consume text) — rule not imported"));
  CHECK(any_warning(*im, "rule 'heroku-uuid': keywords dropped"));
  CHECK(any_warning(*im, "(condition = AND) not imported: commits cannot be mapped"));
  CHECK(any_warning(*im, "global allowlist: commits (1 id) not imported"));
  CHECK(any_warning(*im, "regexTarget = 'line': vigil allow regexes see only the secret; 1 regex not imported"));
  CHECK(im->warnings.size() == 11);
  for (const auto& w : im->warnings) CHECK_MESSAGE(w.find('\n') == std::string::npos, w);

  // The output is a valid .vigil.toml fragment with what could be mapped.
  const auto& out = im->toml;
  CHECK(has(out, "id = 'acme-api-key'"));
  CHECK(has(out, "keywords = ['acme_']"));
  CHECK(has(out, "entropy = 3.5"));
  CHECK(has(out, R"(regex = '(?i)(whsec_[a-z0-9]{40})(?:\s|$)')"));
  CHECK(!has(out, "keywords = ['heroku']"));
  CHECK(!has(out, "maybe-empty"));
  auto cfg = parse_config(out, "imported.toml");
  REQUIRE_MESSAGE(cfg.ok(), (cfg.ok() ? "" : cfg.error().message));
  CHECK(cfg->allows.size() == 6);  // rule: stopwords + paths; global: paths, regexes, stopwords; docs/ paths
  const auto& rule_allow = cfg->allows[0];
  CHECK(rule_allow.rules == std::vector<std::string>{"acme-api-key"});
  const auto targeted = std::find_if(cfg->allows.begin(), cfg->allows.end(), [](const AllowEntry& a) {
    return std::find(a.paths.begin(), a.paths.end(), "/docs/**") != a.paths.end();
  });
  REQUIRE(targeted != cfg->allows.end());
  CHECK(targeted->rules == std::vector<std::string>{"acme-api-key"});
}

TEST_CASE("gitleaks import: an imported rule finds its secret with the real scanner") {
  auto im = import_gitleaks(fixture("team.gitleaks.toml"), "team.gitleaks.toml");
  REQUIRE(im.ok());
  auto cfg = parse_config(std::string("[settings]\nbuiltin_rules = false\n") + im->toml, "imported.toml");
  REQUIRE(cfg.ok());
  auto scanner = Scanner::compile(cfg->rules);
  REQUIRE(scanner.ok());
  auto scratch = scanner->make_scratch();
  REQUIRE(scratch.ok());
  std::vector<Match> hits;
  const std::string key = acme_key(3);
  REQUIRE(scanner->scan("deploy with " + key + "\n", *scratch, hits).ok());
  REQUIRE(hits.size() == 1);
  CHECK(scanner->rules()[hits[0].rule].id == "acme-api-key");
  CHECK(hits[0].secret == key);
  hits.clear();
  REQUIRE(scanner->scan("acme_live_short\n", *scratch, hits).ok());
  CHECK(hits.empty());
}

TEST_CASE("gitleaks import: legacy [allowlist] tables and per-rule allowlist") {
  auto im = import_gitleaks(fixture("legacy.gitleaks.toml"), "legacy.gitleaks.toml");
  REQUIRE(im.ok());
  CHECK(im->rules_imported == 1);
  CHECK(im->allows_imported == 2);
  CHECK(has(im->toml, "rules = ['widget-token']\nregexes = ['wdg_0{40}']"));
  // ".+" spans directories: one glob per way the two "**" can cross '/' (globs are wildmatch).
  CHECK(has(im->toml, "paths = ['*gen/?*.pb.go', '*gen/?*/**/*.pb.go', '*/**/*gen/?*.pb.go', "
                      "'*/**/*gen/?*/**/*.pb.go']"));
  CHECK(any_warning(*im, "path regex '[a-z]+\\.min\\.js$' has no glob form"));
  CHECK(has(im->toml, "builtin_rules = false"));  // no useDefault: says how to run only these
}

TEST_CASE("gitleaks import: input gitleaks rejects is an error with file:line:col") {
  auto broken = import_gitleaks(fixture("broken.gitleaks.toml"), "broken.gitleaks.toml");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.rfind("broken.gitleaks.toml:4:", 0) == 0);
  auto no_id = import_gitleaks("[[rules]]\nregex = 'a'\n", "x.toml");
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.error().message == "x.toml:1:1: rule has no 'id' (gitleaks requires one)");
  auto typed = import_gitleaks("[[rules]]\nid = 'a'\nregex = 5\n", "x.toml");
  REQUIRE_FALSE(typed.ok());
  CHECK(typed.error().message == "x.toml:3:9: 'regex' must be a string");
  auto nothing = import_gitleaks("[[rules]]\nid = 'a'\n", "x.toml");
  REQUIRE_FALSE(nothing.ok());
  CHECK(nothing.error().message == "x.toml:1:1: rule 'a' has neither 'regex' nor 'path'");
  auto group = import_gitleaks("[[rules]]\nid = 'a'\nregex = '(a)b'\nsecretGroup = 2\n", "x.toml");
  REQUIRE_FALSE(group.ok());
  CHECK(group.error().message == "x.toml:4:15: rule 'a': secretGroup 2 but the regex has 1 group(s)");
  auto cond = import_gitleaks("[allowlist]\ncondition = 'XOR'\npaths = ['a']\n", "x.toml");
  REQUIRE_FALSE(cond.ok());
  CHECK(has(cond.error().message, "x.toml:2:13: unknown condition 'XOR'"));
}

TEST_CASE("gitleaks import: an empty config maps to comments only; keys are case-insensitive") {
  auto empty = import_gitleaks("", "e.toml");
  REQUIRE(empty.ok());
  CHECK(empty->warnings.empty());
  CHECK(parse_config(empty->toml, "e.toml").ok());
  auto lowered = import_gitleaks("[[rules]]\nid = 'x-key'\nregex = '(xk_[0-9a-f]{20})'\nsecretgroup = 1\n", "l.toml");
  REQUIRE(lowered.ok());
  CHECK(lowered->rules_imported == 1);
  CHECK(lowered->warnings.empty());
}

TEST_CASE("gitleaks import: an id that collides with a built-in rule is renamed, not an override") {
  auto im = import_gitleaks("[[rules]]\nid = 'github.pat'\nregex = '(ghx_[0-9a-f]{20})'\n", "c.toml");
  REQUIRE(im.ok());
  CHECK(has(im->toml, "id = 'github.pat-2'"));
  CHECK(any_warning(*im, "imported as 'github.pat-2' (the id is already taken)"));
}

TEST_CASE("gitleaks import survives damaged input: every mutation is a result or an error") {
  // Deterministic byte mutations of a real config; the fuzz target does the long version.
  const std::string base = fixture("legacy.gitleaks.toml");
  std::mt19937 rng(42);
  for (int round = 0; round < 60; ++round) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const auto pos = rng() % s.size();
      switch (rng() % 3) {
        case 0: s[pos] = static_cast<char>(rng() % 256); break;
        case 1: s.erase(pos, 1 + rng() % 8); break;
        default: s.insert(pos, std::string(1 + rng() % 3, "[]{}()\\'\"=\n*+?"[rng() % 15])); break;
      }
      if (s.empty()) s = "x";
    }
    auto im = import_gitleaks(s, "m.toml");
    if (im.ok()) {
      CHECK_MESSAGE(parse_config(im->toml, "m.toml").ok(), s);
    } else {
      CHECK_MESSAGE(im.error().code != ErrorCode::Internal, im.error().message);
    }
  }
  for (const char* odd : {"[[rules]]\nid='a'\nregex='(((((((((('\n", "[[[[[[[[", "rules = 5", "\xff\xfe",
                          "[[rules]]\nid='a'\nregex='(a{1000}){1000}'\n", "[allowlist]\npaths=['(?:a|b|c|d)(?:a|b|c|d)(?:a|b|c|d)(?:a|b|c|d)']\n"}) {
    auto im = import_gitleaks(odd, "odd.toml");
    if (!im.ok()) CHECK(im.error().code != ErrorCode::Internal);
  }
}
