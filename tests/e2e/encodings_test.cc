// End-to-end: secrets in text that is not plain UTF-8 in one line are found through real git:
// UTF-16/32 files (with and without a BOM) at the right line, base64 wrapped over lines, private
// keys split by string concatenation or notebook line arrays, and URIs whose passwords hold raw
// '@', '!', ')', '#'. Each in pre-commit and at the server; an attacker who pushes them with client
// hooks skipped does not move the server ref; the same shapes without a secret pass.
#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// ASCII `s` as UTF-16 or UTF-32, either byte order, with or without a BOM.
std::string wide(const std::string& s, int width, bool big, bool bom) {
  std::string out;
  auto put = [&](unsigned c) {
    for (int k = 0; k < width; ++k) {
      const int shift = big ? 8 * (width - 1 - k) : 8 * k;
      out += static_cast<char>((c >> shift) & 0xFF);
    }
  };
  if (bom) put(0xFEFF);
  for (unsigned char c : s) put(c);
  return out;
}

// A bare server running vigil-pre-receive with a floor policy, and a clone whose hooks are not vigil's.
struct Server {
  TempDir dir;
  std::string bare() const { return dir.path() + "/srv.git"; }
  std::string work() const { return dir.path() + "/work"; }
  Server() {
    dir.write("policy.toml", "[server]\ndeadline_ms = 120000\n");
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git clone -q srv.git work 2>/dev/null && cd work && "
                           "echo base > README && git add . && git commit -q -m base && "
                           "git push -q origin HEAD:main 2>/dev/null && cd .. && "
                           "ln -s " +
                               vigil::test::bin_dir() + "/vigil-pre-receive srv.git/hooks/pre-receive && "
                                                        "git -C srv.git config vigil.policy " +
                               dir.path() + "/policy.toml")
                .status == 0);
  }
  void write(const std::string& rel, const std::string& content) const { dir.write("work/" + rel, content); }
  CmdResult push() const {
    REQUIRE(sh(work(), "git add -A && git commit -q --no-verify -m change").status == 0);
    return sh(work(), "git push --no-verify origin HEAD:main");
  }
  std::string server_ref() const { return sh(bare(), "git rev-parse -q --verify refs/heads/main").out; }
};

// A pseudo-random base64 body (not a key) of `n` characters, fixed by `seed`.
std::string key_body(std::size_t n, unsigned seed) {
  const std::string a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  unsigned x = seed * 2654435761u + 12345u;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s += a[(x >> 16) % 64];
  }
  return s;
}

std::vector<std::string> wrapped(const std::string& s, std::size_t width) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size(); i += width) out.push_back(s.substr(i, width));
  return out;
}

// A key block as Java source: one quoted line per PEM line, joined with " +".
std::string java_concat(const std::string& label, const std::string& body, std::size_t width) {
  std::string src = "class K {\n  static final String KEY =\n      \"-----BEGIN " + label + "-----\\n\" +\n";
  for (const auto& l : wrapped(body, width)) src += "      \"" + l + "\\n\" +\n";
  return src + "      \"-----END " + label + "-----\\n\";\n}\n";
}

// A key block as a notebook cell's source: a JSON array of lines.
std::string notebook(const std::string& label, const std::string& body) {
  std::string src = "{\n \"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [],\n  \"source\": [\n"
                    "   \"key = \\\"\\\"\\\"-----BEGIN " +
                    label + "-----\\n\",\n";
  for (const auto& l : wrapped(body, 64)) src += "   \"" + l + "\\n\",\n";
  return src + "   \"-----END " + label + "-----\\\"\\\"\\\"\\n\"\n  ]}],\n \"nbformat\": 4\n}\n";
}

std::string base64(const std::string& in) {
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int k = 18; k >= 0; k -= 6) out += kB64[(v >> k) & 63];
  }
  if (i < in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < in.size()) v |= (unsigned char)in[i + 1] << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// `text` as a MIME part: base64 at 76 columns, CRLF.
std::string mime(const std::string& text) {
  std::string out = "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  for (const auto& l : wrapped(base64(text), 76)) out += l + "\r\n";
  return out;
}

const std::string kEnvText = "# exported for the deploy job\nAPP_ENV=production\nLOG_LEVEL=info\nFEATURES=search,export\n";

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("encodings: a UTF-16LE file with a BOM and CRLF blocks the commit at the secret's line") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("settings.ini", wide("[auth]\r\nuser = deploy\r\ntoken = " + fake_github_pat(7) + "\r\n", 2, false, true));
    const auto r = repo.commit_all("settings");
    CHECK(r.status == 1);
    CHECK(has(r.err, "settings.ini:3:9  github.pat"));
    CHECK(has(r.err, "found inside utf-16le encoding"));
    CHECK_FALSE(has(r.err, fake_github_pat(7)));
  }

  TEST_CASE("encodings: UTF-16BE and UTF-32 without a BOM are scanned; clean wide text commits") {
    TempRepo repo;
    repo.write("clean16.txt", wide("nothing to see\nhere\n", 2, true, false));
    repo.write("clean32.txt", wide("nothing to see\nhere\n", 4, false, false));
    CHECK(repo.commit_all("clean wide text").status == 0);
    repo.write("be.txt", wide("a\nb\nkey " + fake_github_pat(8) + "\n", 2, true, false));
    repo.write("le32.txt", wide("x\nGITHUB_TOKEN=" + fake_github_pat(9) + "\n", 4, false, false));
    const auto r = repo.commit_all("secrets");
    CHECK(r.status == 1);
    CHECK(has(r.err, "be.txt:3:5  github.pat"));
    CHECK(has(r.err, "le32.txt:2:14  github.pat"));
  }

  TEST_CASE("encodings: a modified UTF-16 file is judged on its added lines only") {
    TempRepo repo;
    const std::string old_text = "one\nGITHUB_TOKEN=" + fake_github_pat(10) + "\nthree\n";
    repo.write("notes.txt", wide(old_text, 2, false, true));
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m seeded").status == 0);
    // A new line elsewhere: the old secret is not this commit's.
    repo.write("notes.txt", wide(old_text + "four\n", 2, false, true));
    CHECK(repo.commit_all("add a line").status == 0);
    repo.write("notes.txt", wide(old_text + "four\nfive " + fake_github_pat(11) + "\n", 2, false, true));
    const auto r = repo.commit_all("add a secret");
    CHECK(r.status == 1);
    CHECK(has(r.err, "notes.txt:5:6  github.pat"));
    CHECK_FALSE(has(r.err, "notes.txt:2:"));
  }

  TEST_CASE("encodings: a UTF-16 text file is not binary to [[files]] rules; real binary still is") {
    TempRepo repo;
    repo.write(".vigil.toml", "version = 1\n[[files]]\nglob = \"docs/**\"\nbinary = false\nreason = \"docs are text\"\n");
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("policy").status == 0);
    repo.write("docs/readme.txt", wide("plain words\r\n", 2, false, true));
    CHECK(repo.commit_all("utf-16 doc").status == 0);
    repo.write("docs/blob.bin", std::string("\x01\x00\x02\x00\x03\x00\x04\x00", 8));
    const auto r = repo.commit_all("binary doc");
    CHECK(r.status == 1);
    CHECK(has(r.err, "binary file"));
  }

  TEST_CASE("attack: a token in a UTF-16 file pushed past the client hooks") {
    for (const auto& [width, big, bom] : {std::tuple{2, false, true}, std::tuple{2, true, false}, std::tuple{4, false, false}}) {
      INFO("width ", width, " big-endian ", big, " bom ", bom);
      Server s;
      const auto before = s.server_ref();
      s.write("creds.txt", wide("line\r\napi_token: " + fake_github_pat(12) + "\r\n", width, big, bom));
      const auto r = s.push();
      CHECK(r.status != 0);
      CHECK(s.server_ref() == before);
      CHECK(has(r.err, "creds.txt:2:"));
    }
  }

  TEST_CASE("encodings: a clean UTF-16 file is accepted by the server") {
    Server s;
    const auto before = s.server_ref();
    s.write("clean.txt", wide("just words\r\n", 2, false, true));
    CHECK(s.push().status == 0);
    CHECK(s.server_ref() != before);
  }
  TEST_CASE("encodings: a private key split over Java concatenation or a notebook's lines blocks the commit") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("src/K.java", java_concat("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA" + key_body(900, 1), 64));
    repo.write("nb/setup.ipynb", notebook("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + key_body(900, 2)));
    const auto r = repo.commit_all("keys");
    CHECK(r.status == 1);
    CHECK(has(r.err, "src/K.java:4:"));
    CHECK(has(r.err, "pem.rsa-private-key"));
    CHECK(has(r.err, "nb/setup.ipynb:"));
    CHECK(has(r.err, "pem.pkcs8-private-key"));
    CHECK_FALSE(has(r.err, key_body(900, 1).substr(0, 40)));
  }

  TEST_CASE("encodings: a public key split the same way, and a key placeholder, commit") {
    TempRepo repo;
    repo.write("src/P.java", java_concat("PUBLIC KEY", "MIIBIjANBgkqhkiG9w0BAQEFAAOC" + key_body(300, 3), 40));
    std::string doc = notebook("RSA PRIVATE KEY", "");
    doc.insert(doc.find("\"-----END"), "\"<paste your key>\\n\",\n   ");
    repo.write("nb/doc.ipynb", doc);
    CHECK(repo.commit_all("public material").status == 0);
  }

  TEST_CASE("attack: a private key wrapped at 40 columns in a notebook and Java pushed past the client hooks") {
    Server s;
    const auto before = s.server_ref();
    s.write("K.java", java_concat("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" + key_body(700, 4), 40));
    const auto r = s.push();
    CHECK(r.status != 0);
    CHECK(s.server_ref() == before);
    CHECK(has(r.err, "openssh.private-key"));
  }

  TEST_CASE("encodings: base64 wrapped at 76 columns with CRLF is unwrapped; wrapped binary base64 commits") {
    TempRepo repo;
    std::string noise;
    for (int i = 0; i < 300; ++i) noise += static_cast<char>((i * 151 + 7) % 256);
    repo.write("mail/binary.eml", mime(noise));
    CHECK(repo.commit_all("binary attachment").status == 0);
    repo.write("mail/env.eml", mime(kEnvText + "GITHUB_TOKEN=" + fake_github_pat(13) + "\nRETRIES=3\n"));
    const auto r = repo.commit_all("env attachment");
    CHECK(r.status == 1);
    CHECK(has(r.err, "mail/env.eml:4:1  github.pat"));
    CHECK(has(r.err, "found inside base64 encoding"));
  }

  TEST_CASE("attack: a token in MIME-wrapped base64 pushed past the client hooks") {
    Server s;
    const auto before = s.server_ref();
    s.write("attachment.eml", mime(kEnvText + "token: " + fake_github_pat(14) + "\n"));
    const auto r = s.push();
    CHECK(r.status != 0);
    CHECK(s.server_ref() == before);
  }

  TEST_CASE("attack: a database URI with raw @ ! ) # in its password pushed past the client hooks") {
    for (const std::string uri : {"postgresql://etl:Qz7@rT2!pLm9@pg-prod.acme.io:5432/dw",
                                  "ldaps://cn=bind:Tq8!vLp2)Wz9r@ldap.acme.io:636", "rediss://:Ym3#Qv8@Lz5n@localhost:6380/0"}) {
      INFO(uri);
      Server s;
      const auto before = s.server_ref();
      s.write("config/app.env", "APP_ENV=prod\nDATABASE_URL=" + uri + "\n");
      const auto r = s.push();
      CHECK(r.status != 0);
      CHECK(s.server_ref() == before);
      CHECK(has(r.err, "config/app.env:2:"));
    }
  }

  TEST_CASE("encodings: URIs with placeholder passwords are accepted by the server") {
    Server s;
    const auto before = s.server_ref();
    s.write("config/app.env", "A=postgres://app:${DB_PASSWORD}@db:5432/app\nB=smtp://user:password@localhost:25\n"
                              "C=amqp://guest:guest@localhost:5672\nD=mysql://root:<password>@127.0.0.1/shop\n"
                              "E=ldap://admin:%s@%s:389\n");
    CHECK(s.push().status == 0);
    CHECK(s.server_ref() != before);
  }
  TEST_CASE("encodings: history and directory scans find a token in a UTF-16 file at its line") {
    TempRepo repo;
    repo.write("legacy/app.config", wide("<config>\r\n  <add key=\"token\" value=\"" + fake_github_pat(15) + "\"/>\r\n</config>\r\n",
                                         2, false, true));
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m legacy && git rm -q legacy/app.config && "
                     "git commit -q --no-verify -m removed").status == 0);
    const auto h = repo.run("$VIGIL scan --history -q --format json");
    CHECK(h.status == 1);
    CHECK(has(h.out, "\"path\":\"legacy/app.config\""));
    CHECK(has(h.out, "\"line\":2"));
    CHECK(has(h.out, "\"encoding\":\"utf-16le\""));
    repo.write("dir/app.config", wide("x\ntoken " + fake_github_pat(16) + "\n", 4, true, true));
    const auto d = repo.run("$VIGIL scan -q --format json dir");
    CHECK(d.status == 1);
    CHECK(has(d.out, "\"line\":2"));
    CHECK(has(d.out, "\"encoding\":\"utf-32be\""));
  }
}
