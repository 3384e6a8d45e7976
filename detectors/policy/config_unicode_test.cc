// toml++ 3.3 reached a "can't happen" point (undefined behaviour) on some non-ASCII characters in
// a bare key (util/toml.h explains the work-around). Found by the config fuzzer; here each such
// file is a plain parse result or a one-line error, checked under the sanitizer build too.
#include <doctest/doctest.h>

#include <string>

#include "detectors/policy/config.h"

TEST_CASE("config: non-ASCII characters in a bare key are a parse error, not undefined behaviour") {
  // U+00A1, U+0400 (Cyrillic), U+3001 and U+FEFE fall in the ranges toml++'s tables left out;
  // U+00A0, U+3000 and U+FEFF are the ones they handle.
  for (const char* cp : {"\xC2\xA1", "\xD0\x80", "\xE3\x80\x81", "\xEF\xBB\xBE", "\xC2\xA0", "\xE3\x80\x80", "\xEF\xBB\xBF"}) {
    const std::string text = std::string("version = 1\n[server]\ndeadli") + cp + "ms = 2\n";
    auto c = vigil::parse_config(text, ".vigil.toml");
    INFO(text);
    REQUIRE_FALSE(c);
    CHECK(c.error().message.rfind(".vigil.toml:", 0) == 0);
  }
}
