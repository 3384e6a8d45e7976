// End-to-end: secrets in text that is not plain UTF-8 in one line are found through real git.
// UTF-16/32 files (with and without a BOM) at the right line, in pre-commit and at the server;
// and an attacker who pushes such a file with client hooks skipped does not move the server ref.
#include <doctest/doctest.h>

#include <string>
#include <tuple>

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
                           "ln -s " + vigil::test::bin_dir() + "/vigil-pre-receive srv.git/hooks/pre-receive && "
                           "git -C srv.git config vigil.policy " + dir.path() + "/policy.toml").status == 0);
  }
  void write(const std::string& rel, const std::string& content) const { dir.write("work/" + rel, content); }
  CmdResult push() const {
    REQUIRE(sh(work(), "git add -A && git commit -q --no-verify -m change").status == 0);
    return sh(work(), "git push --no-verify origin HEAD:main");
  }
  std::string server_ref() const { return sh(bare(), "git rev-parse -q --verify refs/heads/main").out; }
};

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
}
