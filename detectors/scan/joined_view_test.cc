// Joined views: private-key blocks split by code and data formats are rebuilt whole (body in
// order, offsets mapped back), and text that is not a private-key body is left alone.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "detectors/scan/joined_view.h"
#include "detectors/scan/scanner.h"

using namespace vigil;

namespace {

// A fake body (not a key): 200 base64 characters, including '+' and '/'.
const std::string kBody = [] {
  std::string s;
  const std::string a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 200; ++i) s += a[(i * 29 + 7) % 64];
  return s;
}();

std::vector<std::string> lines_of(std::size_t width) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kBody.size(); i += width) out.push_back(kBody.substr(i, width));
  return out;
}

const char* kHead = "-----BEGIN RSA PRIVATE KEY-----";
const char* kTail = "-----END RSA PRIVATE KEY-----";

// The one block of `text`, which must rebuild kBody.
void check_joined(const std::string& text) {
  INFO(text);
  const auto blocks = find_joined_blocks(text);
  REQUIRE(blocks.size() == 1);
  const auto& b = blocks[0];
  CHECK(b.text == std::string(kHead) + "\n" + kBody + "\n");
  REQUIRE(b.origin.size() == kBody.size());
  for (std::size_t i = 0; i < kBody.size(); ++i) CHECK(text[b.origin[i]] == kBody[i]);
  CHECK(text.compare(b.begin, 10, "-----BEGIN") == 0);
}

}  // namespace

TEST_CASE("joined view: wrapping at any width, CRLF and YAML indentation") {
  for (const std::size_t w : {16, 40, 64, 76, 200}) {
    std::string pem = std::string(kHead) + "\r\n";
    for (const auto& l : lines_of(w)) pem += "    " + l + "\r\n";
    check_joined(pem + "    " + kTail + "\r\n");
  }
}

TEST_CASE("joined view: string concatenation in Python, Java/JS/Go/C#, PHP, VB and notebook arrays") {
  const auto lines = lines_of(64);
  auto concat = [&](const std::string& open, const std::string& close, const std::string& joiner) {
    std::string s = "key = " + open + kHead + "\\n" + close;
    for (const auto& l : lines) s += joiner + open + l + "\\n" + close;
    return s + joiner + open + kTail + "\\n" + close + "\n";
  };
  check_joined(concat("\"", "\"", "\n    "));      // Python implicit concatenation
  check_joined(concat("\"", "\"", " +\n    "));    // Java, JavaScript, Go, C#
  check_joined(concat("'", "'", " .\n    "));      // PHP
  check_joined(concat("\"", "\"", " & _\n    "));  // VB
  check_joined(concat("\"", "\"", ",\n    "));     // a notebook's JSON array of lines
  check_joined(concat("@\"", "\"", " +\n    "));   // C# verbatim strings
  check_joined(concat("`", "`", " +\n    "));      // Go raw strings
  // One JSON string with \n escapes.
  std::string json = "{\"k\": \"" + std::string(kHead) + "\\n";
  for (const auto& l : lines_of(40)) json += l + "\\r\\n";
  check_joined(json + kTail + "\\n\"}\n");
}

TEST_CASE("joined view: legacy headers are kept; public keys, placeholders and code are not joined") {
  std::string enc = std::string(kHead) + "\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n\n";
  for (const auto& l : lines_of(64)) enc += l + "\n";
  const auto blocks = find_joined_blocks(enc + kTail + "\n");
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].text.find("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n") != std::string::npos);
  CHECK(find_joined_blocks("-----BEGIN PUBLIC KEY-----\n" + kBody + "\n-----END PUBLIC KEY-----\n").empty());
  CHECK(find_joined_blocks(std::string(kHead) + "\n<your key here>\n" + kTail + "\n").empty());
  CHECK(find_joined_blocks("k = \"" + std::string(kHead) + "\\n...\\n\" + read(path)\n").empty());
  // Code after the quoted header is not body.
  CHECK(find_joined_blocks("x = \"" + std::string(kHead) + "\" if ok else fallback_value_from_somewhere_else\n").empty());
}

TEST_CASE("joined view: the rules see a split key; offsets point at the body; a whole key is found once") {
  Rule r;
  r.id = "test.rsa";
  r.regex = "-----BEGIN RSA PRIVATE KEY-----\\s+([A-Za-z0-9+/]{64})";
  r.secret_group = 1;
  r.source = "joined_view_test";
  auto sc = Scanner::compile({r});
  REQUIRE(sc.ok());
  auto scratch = sc->make_scratch();
  REQUIRE(scratch.ok());
  std::string split = "k = (\n    \"" + std::string(kHead) + "\\n\"\n";
  for (const auto& l : lines_of(30)) split += "    \"" + l + "\\n\"\n";
  split += ")\n";
  std::vector<Match> out;
  REQUIRE(sc->scan(split, *scratch, out).ok());
  REQUIRE(out.size() == 1);
  CHECK(out[0].encoding == "joined");
  CHECK(out[0].secret == kBody.substr(0, 64));
  CHECK(split.compare(out[0].secret_begin, 30, kBody.substr(0, 30)) == 0);
  // The same key in one piece: the plain match only.
  out.clear();
  const std::string whole = std::string(kHead) + "\n" + kBody + "\n" + kTail + "\n";
  REQUIRE(sc->scan(whole, *scratch, out).ok());
  REQUIRE(out.size() == 1);
  CHECK(out[0].encoding.empty());
  // With joining off (inside a joined view), the split key is not seen.
  out.clear();
  ScanOptions off;
  off.join_views = false;
  REQUIRE(sc->scan(split, *scratch, out, off).ok());
  CHECK(out.empty());
}
