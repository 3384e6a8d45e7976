// Fuzz target: the gitleaks importer. Arbitrary bytes as a .gitleaks.toml (import_gitleaks: TOML,
// rule and allowlist tables, Go regex translation, Hyperscan and PCRE2 compiles of each converted
// rule), and as a Go regex (translate_go_regex) and a gitleaks path regex
// (go_path_regex_to_globs). Whatever the importer emits must load as a vigil config, as it
// promises.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "detectors/policy/config.h"
#include "detectors/import/gitleaks_import.h"
#include "detectors/import/gitleaks_path_globs.h"
#include "detectors/import/gitleaks_regex.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  (void)vigil::translate_go_regex(text);
  if (auto globs = vigil::go_path_regex_to_globs(text)) {
    if (globs->size() > 64) std::abort();
  }

  auto imported = vigil::import_gitleaks(text, ".gitleaks.toml");
  if (!imported) return 0;
  const std::string doc = "version = 1\n[settings]\nbuiltin_rules = false\n" + imported->toml;
  auto cfg = vigil::parse_config(doc, "imported.toml");
  if (!cfg) {
    std::fprintf(stderr, "gitleaks_import_fuzz: the imported TOML does not load: %s\n--- imported ---\n%s\n",
                 cfg.error().message.c_str(), imported->toml.c_str());
    std::abort();
  }
  if (cfg->rules.size() != imported->rules_imported) {
    std::fprintf(stderr, "gitleaks_import_fuzz: %zu rules loaded, %zu reported imported\n", cfg->rules.size(),
                 imported->rules_imported);
    std::abort();
  }
  return 0;
}
