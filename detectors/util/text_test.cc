// Text helpers: entropy against its alphabet, redaction (never more than a quarter of a secret
// shown), binary detection, lines, decoders, suggestions and trimming.
#include "detectors/util/text.h"

#include <doctest/doctest.h>

#include <string>

using namespace vigil;

TEST_CASE("text: Shannon entropy is 0 for one repeated byte and log2(n) for n distinct bytes") {
  CHECK(shannon_entropy("") == 0.0);
  CHECK(shannon_entropy("aaaaaaaa") == 0.0);
  CHECK(shannon_entropy("ab") == doctest::Approx(1.0));
  CHECK(shannon_entropy("abcd") == doctest::Approx(2.0));
  CHECK(shannon_entropy("0123456789abcdef") == doctest::Approx(4.0));
  CHECK(shannon_entropy("aab") < shannon_entropy("abc"));
}

TEST_CASE("text: the alphabet is the smallest known one that holds every character") {
  CHECK(classify_alphabet("deadBEEF0123") == Alphabet::Hex);
  CHECK(classify_alphabet("ghpXyz123") == Alphabet::Alnum);
  CHECK(classify_alphabet("ab+c/d==") == Alphabet::Base64);
  CHECK(classify_alphabet("ab-c_d==") == Alphabet::Base64Url);
  CHECK(classify_alphabet("a b") == Alphabet::Other);
  CHECK(classify_alphabet("a+b-c") == Alphabet::Other);  // both alphabets' extras: neither
}

TEST_CASE("text: redact keeps at most 4 characters at each end and at most a quarter of the secret") {
  const std::string secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";  // 42 characters
  const auto r = redact(secret);
  CHECK(r == "ghp_********\xE2\x80\xA6yzAB");
  CHECK(r.find("0123456789") == std::string::npos);
  // Under 8 characters no end is kept: only stars.
  CHECK(redact("hunter2") == "*******");
  CHECK(redact("") == "****");
  // 16 characters: 2 at each end (16/8), never 4.
  CHECK(redact("abcdefghijklmnop") == "ab********\xE2\x80\xA6op");
  // However long the secret, the mask is capped, so the length is not revealed either.
  CHECK(redact(std::string(1000, 'x')).size() == redact(std::string(100, 'x')).size());
}

TEST_CASE("text: human sizes use binary units with one decimal") {
  CHECK(human_size(0) == "0 B");
  CHECK(human_size(812) == "812 B");
  CHECK(human_size(4096) == "4.0 KiB");
  CHECK(human_size(5 * 1024 * 1024) == "5.0 MiB");
  CHECK(human_size(std::uint64_t{3} << 30) == "3.0 GiB");
}

TEST_CASE("text: binary means a NUL byte in the first 8000 bytes, as git decides") {
  CHECK_FALSE(looks_binary("plain text\n"));
  CHECK(looks_binary(std::string("ab\0cd", 5)));
  std::string late(9000, 'a');
  late[8500] = '\0';
  CHECK_FALSE(looks_binary(late));
  late[7999] = '\0';
  CHECK(looks_binary(late));
}

TEST_CASE("text: line_at gives the whole line around an offset, without its newline or CR") {
  const std::string_view text = "first\r\nsecond line\nthird";
  CHECK(line_at(text, 0) == "first");
  CHECK(line_at(text, 3) == "first");
  CHECK(line_at(text, 7) == "second line");
  CHECK(line_at(text, 12) == "second line");
  CHECK(line_at(text, 20) == "third");
  CHECK(line_at(text, 1000) == "third");  // past the end: the last line
  CHECK(line_at("", 0).empty());
}

TEST_CASE("text: base64 decoding, standard and URL-safe, with or without padding") {
  CHECK(decode_base64("aGVsbG8=", false) == std::optional<std::string>("hello"));
  CHECK(decode_base64("aGVsbG8", false) == std::optional<std::string>("hello"));
  CHECK(decode_base64("-_8=", true) == std::optional<std::string>("\xfb\xff"));
  CHECK(decode_base64("+/8=", false) == std::optional<std::string>("\xfb\xff"));
  CHECK_FALSE(decode_base64("-_8=", false));   // URL alphabet is not standard base64
  CHECK_FALSE(decode_base64("abcde", false));  // a length no encoder produces
  CHECK_FALSE(decode_base64("ab c", false));
}

TEST_CASE("text: percent and backslash decoding report whether anything was decoded") {
  CHECK(decode_percent("a%20b%2Fc") == std::optional<std::string>("a b/c"));
  CHECK_FALSE(decode_percent("nothing here"));
  CHECK(decode_percent("100%") == std::nullopt);  // a lone '%' is not an escape
  CHECK(decode_backslash(R"(a\nb\tc\x41\u00e9)") == std::optional<std::string>("a\nb\tcA\xc3\xa9"));
  CHECK(decode_backslash(R"(\u20ac)") == std::optional<std::string>("\xe2\x82\xac"));
  CHECK_FALSE(decode_backslash("no escapes"));
  CHECK(decode_backslash(R"(\q)") == std::optional<std::string>("q"));
}

TEST_CASE("text: suggestions come from edit distance, within 3") {
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("format", "format") == 0);
  const std::vector<std::string> flags = {"--format", "--output", "--config", "--baseline"};
  CHECK(suggest("--formt", flags) == "--format");
  CHECK(suggest("--confg", flags) == "--config");
  CHECK(suggest("--zzzzzzzz", flags).empty());
}

TEST_CASE("text: mostly text is at least 90% printable; trim strips ASCII whitespace") {
  CHECK(is_mostly_text("hello\nworld\t!"));
  CHECK_FALSE(is_mostly_text(""));
  CHECK_FALSE(is_mostly_text(std::string("\x01\x02\x03\x04hello", 9)));
  CHECK(trim("  \t a b \r\n") == "a b");
  CHECK(trim("   ").empty());
}
