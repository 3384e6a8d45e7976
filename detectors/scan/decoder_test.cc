// Decoding layer: a secret inside base64, base64url, percent-encoding or backslash escapes is found,
// says which encoding it was inside, and points at the encoded span; the vectorized candidate
// finder agrees with a plain byte loop wherever a run meets a 64-byte block edge.
#include <doctest/doctest.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "detectors/scan/decoder.h"
#include "detectors/scan/scanner.h"

using namespace vigil;

namespace {

// Matches the test rule below. Built at run time: the source holds no token-like assignment, so
// `vigil scan .` of this repository (the README's first command) stays clean.
const std::string kToken = [] {
  std::string t = "tok_";
  for (int i = 0; i < 32; ++i) t += "Zq8Xw2LmN4pR7sT1vY6uB3cD9eF0gH5j"[(i * 7) % 32];
  return t;
}();

Rule make_rule(std::string id, std::string regex) {
  Rule r;
  r.id = std::move(id);
  r.regex = std::move(regex);
  r.secret_group = 0;
  r.source = "decoder_test";
  return r;
}

const Scanner& scanner() {
  static Scanner s = [] {
    auto c = Scanner::compile({make_rule("test.token", "tok_[A-Za-z0-9]{32}"),
                               make_rule("test.pem", "-----BEGIN RSA PRIVATE KEY-----\\s+[A-Za-z0-9+/]{64}")});
    REQUIRE(c.ok());
    return std::move(*c);
  }();
  return s;
}

std::vector<Match> scan(const std::string& text, int depth = 2) {
  auto scratch = scanner().make_scratch();
  REQUIRE(scratch.ok());
  std::vector<Match> out;
  ScanOptions opts;
  opts.decode_depth = depth;
  REQUIRE(scanner().scan(text, *scratch, out, opts).ok());
  return out;
}

std::string base64(std::string_view in, bool url = false) {
  const char* a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += a[(v >> k) & 63];
  }
  if (in.size() - i == 1) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    if (!url) out += "==";
  } else if (in.size() - i == 2) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8;
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    if (!url) out += "=";
  }
  return out;
}

std::string fmt_hex(unsigned char c) {
  static const char* d = "0123456789ABCDEF";
  return std::string{'%', d[c >> 4], d[c & 15]};
}

// Every byte percent-encoded, as some URL builders do.
std::string percent_all(std::string_view in) {
  std::string out;
  for (unsigned char c : in) out += fmt_hex(c);
  return out;
}

}  // namespace

TEST_CASE("decoding: a token inside base64 is found, named as base64, at the encoded span") {
  const std::string enc = base64("api_token: " + kToken + "\n");
  const std::string text = "config = \"" + enc + "\";\n";
  const auto m = scan(text);
  REQUIRE(m.size() == 1);
  CHECK(m[0].encoding == "base64");
  CHECK(m[0].secret == kToken);
  CHECK(text.substr(m[0].secret_begin, m[0].secret_end - m[0].secret_begin).substr(0, enc.size()) == enc);
  CHECK(scan(text, 0).empty());  // the plain scan alone cannot see it: the check above is the decoder's
}

TEST_CASE("decoding: base64url, percent-encoding and each backslash escape are peeled") {
  const auto one = [](const std::string& text, const char* encoding) {
    const auto m = scan(text);
    REQUIRE_MESSAGE(m.size() == 1, text);
    CHECK(m[0].encoding == encoding);
    CHECK(m[0].secret == kToken);
  };
  // base64url: '-' or '_' in the run, no padding.
  std::string url = base64("{\"k\":\"" + kToken + "\"}>>??", true);
  REQUIRE(url.find_first_of("-_") != std::string::npos);
  one("u=" + url + "\n", "base64url");
  one("url=https://x.test/?q=" + percent_all(kToken) + " end", "percent");
  std::string hex, uni;
  for (unsigned char c : kToken) {
    hex += "\\x" + fmt_hex(c).substr(1);
    uni += "\\u00" + fmt_hex(c).substr(1);
  }
  one("s = \"" + hex + "\"\n", "escaped");
  one("s = \"" + uni + "\"\n", "escaped");
  // A token the plain scan finds next to \/ escapes (JSON) is reported once, as plain text.
  one("{\"a\": \"https:\\/\\/h.test\\/" + kToken + "\"}", "");  // found plainly: not reported twice
}

TEST_CASE("decoding: layers nest to the configured depth and name each layer") {
  const std::string inner = base64("k=" + percent_all(kToken));
  const auto m = scan("v: " + inner + "\n", 2);
  REQUIRE(m.size() == 1);
  CHECK(m[0].encoding == "base64>percent");
  CHECK(m[0].secret == kToken);
  CHECK(scan("v: " + inner + "\n", 1).empty());  // one layer peeled, the second not
}

TEST_CASE("decoding: a private key inside base64 (a Kubernetes secret) is found") {
  std::string pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA";
  std::mt19937 rng(7);
  const std::string alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 48 + 64 * 4; ++i) pem += alpha[rng() % 64];
  pem += "\n-----END RSA PRIVATE KEY-----\n";
  const auto m = scan("data:\n  tls.key: " + base64(pem) + "\n");
  REQUIRE(m.size() == 1);
  CHECK(m[0].rule == 1);
  CHECK(m[0].encoding == "base64");
}

TEST_CASE("decoding: base64 candidates match a plain byte loop across 64-byte block edges") {
  const auto reference = [](std::string_view b) {
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    const auto alpha = [](unsigned char c) {
      return std::isalnum(c) || c == '+' || c == '/' || c == '-' || c == '_';
    };
    for (std::size_t i = 0; i < b.size();) {
      if (!alpha(static_cast<unsigned char>(b[i]))) {
        ++i;
        continue;
      }
      std::size_t e = i;
      while (e < b.size() && alpha(static_cast<unsigned char>(b[e]))) ++e;
      if (e - i >= 20) runs.emplace_back(i, e);
      i = e;
    }
    return runs;
  };
  std::mt19937 rng(42);
  // Mostly alphabet bytes, so runs of every length start and end at every block position; a few
  // separators (including bytes >= 0x80, which must not count as letters).
  const std::string alphabet = "aZ09+/-_";
  const std::string seps = " \n=.%\\\x80\xc1\xfa";
  for (int round = 0; round < 3000; ++round) {
    const std::size_t n = rng() % 300;
    const unsigned sep_every = 3 + rng() % 60;
    std::string b(n, 'a');
    for (auto& c : b) c = rng() % sep_every == 0 ? seps[rng() % seps.size()] : alphabet[rng() % alphabet.size()];
    const auto want = reference(b);
    REQUIRE_MESSAGE(find_base64_runs(b) == want, "round ", round);
    REQUIRE_MESSAGE(find_base64_runs(b, true) == want, "round ", round, " (portable classifier)");
  }
  CHECK(find_base64_runs(std::string(1000, 'A')) == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1000}});
  // Every byte value, alone in a run of letters: only the alphabet's 64 bytes continue it.
  for (int c = 0; c < 256; ++c) {
    const std::string b = std::string(30, 'a') + static_cast<char>(c) + std::string(30, 'b');
    const bool alpha = std::isalnum(c) || c == '+' || c == '/' || c == '-' || c == '_';
    const std::vector<std::pair<std::size_t, std::size_t>> want =
        alpha ? std::vector<std::pair<std::size_t, std::size_t>>{{0, 61}}
              : std::vector<std::pair<std::size_t, std::size_t>>{{0, 30}, {31, 61}};
    CHECK_MESSAGE(find_base64_runs(b) == want, "byte ", c);
    CHECK_MESSAGE(find_base64_runs(b, true) == want, "byte ", c, " (portable)");
  }
  CHECK(find_base64_runs("").empty());
}

namespace {

std::string wrap(const std::string& s, std::size_t width, const std::string& eol, const std::string& indent = "") {
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += width) out += indent + s.substr(i, width) + eol;
  return out;
}

// Text long enough to wrap over several lines, with the token in the middle (split by a line break).
const std::string kLongText = "# service settings, exported for the deployment pipeline\nLOG_LEVEL=info\nPOOL=12\n"
                              "FEATURES=search,export,billing\nCACHE_TTL=300\napi_token: " +
                              kToken +
                              "\nREGION=eu-west-1\nRETRIES=3\nTIMEOUT_SECONDS=30\nNOTIFY=ops@example.org\n";

}  // namespace

TEST_CASE("decoding: base64 wrapped at 76 (MIME) and 64 columns, LF or CRLF, indented, is unwrapped") {
  const std::string enc = base64(kLongText);
  REQUIRE(enc.size() > 3 * 76);
  for (const std::size_t width : {76, 64, 60, 40}) {
    for (const std::string eol : {"\n", "\r\n"}) {
      for (const std::string indent : {"", "    "}) {
        INFO("width ", width, " crlf ", eol.size() == 2, " indent ", indent.size());
        const std::string text = "Content-Transfer-Encoding: base64\n\n" + wrap(enc, width, eol, indent);
        const auto m = scan(text);
        REQUIRE(m.size() == 1);
        CHECK(m[0].encoding == "base64");
        CHECK(m[0].secret == kToken);
        CHECK(m[0].secret_begin == text.find(enc.substr(0, 8)));
      }
    }
  }
}

TEST_CASE("decoding: a short last line and padding belong to the wrapped block") {
  std::string plain = kLongText;
  while (base64(plain).size() % 64 != 12) plain += "#";  // a last line of 12 characters, with padding
  const std::string enc = base64(plain);
  const auto m = scan(wrap(enc, 64, "\n"));
  REQUIRE(m.size() == 1);
  CHECK(m[0].secret == kToken);
}

TEST_CASE("decoding: lines of unequal width, or separated by more than a line break, are not one block") {
  const std::string enc = base64(kLongText);
  // Cut inside the token (at a 4-character boundary, so each part still decodes on its own).
  const std::size_t cut = (kLongText.find(kToken) + 16) / 3 * 4;
  REQUIRE(cut > 140);
  // A blank line between the two halves: two blocks, neither holding the whole token.
  CHECK(scan(enc.substr(0, cut) + "\n\n" + enc.substr(cut) + "\n").empty());
  // A line shorter than the one before it ends a block.
  CHECK(scan(enc.substr(0, cut - 70) + "\n" + enc.substr(cut - 70, 70) + "\n" + enc.substr(cut) + "\n").empty());
  // The same cut with no blank line: found.
  CHECK(scan(enc.substr(0, cut) + "\n" + enc.substr(cut) + "\n").size() == 1);
  // Identifiers on consecutive lines are not decoded.
  CHECK(scan("ThisIsAnOrdinaryIdentifierNameForTests\nAnotherOrdinaryIdentifierNameForTest\n").empty());
}
