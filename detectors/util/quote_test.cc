// Quoting names for terminals and JSON: what is quoted, and that quoting is reversible.
#include "detectors/util/quote.h"

#include <doctest/doctest.h>

using namespace vigil;

TEST_CASE("quote: plain UTF-8 names stay as they are") {
  CHECK(quote_name("src/main.cc") == "src/main.cc");
  CHECK(quote_name("docs/caf\xc3\xa9.md") == "docs/caf\xc3\xa9.md");
  CHECK(quote_name("a\tb", NameQuoting::Json) == "a\tb");  // JSON escapes a tab itself
}

TEST_CASE("quote: odd bytes are quoted as git does, and unquote gives them back") {
  CHECK(quote_name("caf\xe9.env") == "\"caf\\351.env\"");
  CHECK(quote_name("caf\xe9.env", NameQuoting::Json) == "\"caf\\351.env\"");
  CHECK(quote_name("red\x1b[31m") == "\"red\\033[31m\"");
  CHECK(quote_name("a\tb\n") == "\"a\\tb\\n\"");
  CHECK(quote_name("x\xc2\x9b"
                   "2J") == "\"x\\302\\2332J\"");                                    // C1 CSI
  CHECK(quote_name("evil\xe2\x80\xaetxt.exe") == "\"evil\\342\\200\\256txt.exe\"");  // RTL override
  CHECK(quote_name("\"quoted\"") == "\"\\\"quoted\\\"\"");                           // a leading quote is always quoted
  for (const std::string n : {"caf\xe9", "a\"b\\c\x01", "\"x", "\xff\xfe", "ok", "\xed\xa0\x80"}) {
    for (const auto how : {NameQuoting::Terminal, NameQuoting::Json}) {
      const auto q = quote_name(n, how);
      CHECK(unquote_name(q) == n);
    }
  }
  CHECK_FALSE(unquote_name("\"bad\\9\""));
  CHECK_FALSE(unquote_name("\"unterminated"));
}

TEST_CASE("quote: UTF-8 validation refuses overlongs, surrogates and truncation") {
  CHECK(is_valid_utf8("h\xc3\xa9llo \xf0\x9f\x94\x91"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));          // cut short
}
