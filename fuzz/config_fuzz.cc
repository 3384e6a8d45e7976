// Fuzz target: the rules/config loader. Arbitrary bytes as a repository's .vigil.toml
// (parse_config: settings, [[rules]] overrides, [[allow]], [[waivers]], [[files]], [messages],
// [refs], [server], [signatures]) and as a rules pack (load_rules_text). A rule pack that parses
// has each regex compiled with PCRE2 too, as the scanner's confirmation stage does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/policy/config.h"
#include "detectors/rules/rule_loader.h"
#include "detectors/scan/regex.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Parse the built-in pack once up front: parse_config copies it on every call.
  (void)vigil::builtin_rules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = vigil::parse_config(text, ".vigil.toml");
  if (cfg) (void)vigil::rules_version(*cfg);
  auto rules = vigil::load_rules_text(text, "fuzz-rules.toml");
  if (rules) {
    std::size_t compiled = 0;
    for (const auto& r : *rules) {
      if (r.regex.size() > 512 || ++compiled > 4) break;  // keep each run cheap
      (void)vigil::Regex::compile(r.regex);
    }
  }
  return 0;
}
