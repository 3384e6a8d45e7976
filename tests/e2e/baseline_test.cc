// End-to-end: `vigil baseline create` and `vigil scan --baseline` through the built binary.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

std::string secret_line(unsigned seed) { return "GITHUB_TOKEN=" + fake_github_pat(seed) + "\n"; }

std::size_t entry_lines(const std::string& text) {
  std::size_t n = 0, pos = 0;
  while (pos < text.size()) {
    if (text[pos] != '#') ++n;
    pos = text.find('\n', pos) + 1;
  }
  return n;
}

struct Project {
  TempDir dir;
  Project() {
    vigil::test::hermetic_git_env();
    dir.write("src/config.env", "# settings\n" + secret_line(1));
    dir.write("src/app.py", "print('hello')\n");
  }
  vigil::test::CmdResult run(const std::string& cmd) const { return sh(dir.path(), cmd); }
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("baseline round trip: recorded findings are not reported again") {
    Project p;
    REQUIRE(p.run("$VIGIL scan src").status == 1);
    const auto created = p.run("$VIGIL baseline create src -o base.txt");
    CHECK(created.status == 0);
    CHECK(created.err.find("1 finding recorded in base.txt") != std::string::npos);
    const auto text = p.dir.read("base.txt");
    CHECK(entry_lines(text) == 1);
    CHECK(text.find(" github.pat src/config.env\n") != std::string::npos);
    CHECK(text.find(fake_github_pat(1)) == std::string::npos);
    const auto again = p.run("$VIGIL scan --baseline base.txt src");
    CHECK(again.status == 0);
    CHECK(again.out.find("config.env") == std::string::npos);
    CHECK(again.err.find("config.env") == std::string::npos);
    const auto json = p.run("$VIGIL scan --baseline base.txt --format json src");
    CHECK(json.status == 0);
    CHECK(json.out.find("\"disposition\":\"baselined\"") != std::string::npos);
  }

  TEST_CASE("baseline create is byte-identical on a rerun, even when it scans its own file") {
    Project p;
    p.dir.write("src/more.env", secret_line(3));
    REQUIRE(p.run("$VIGIL baseline create .").status == 0);  // default file: .vigil-baseline
    const auto first = p.dir.read(".vigil-baseline");
    CHECK(entry_lines(first) == 2);
    REQUIRE(p.run("$VIGIL baseline create .").status == 0);  // now the baseline itself is scanned too
    CHECK(p.dir.read(".vigil-baseline") == first);
    CHECK(p.run("$VIGIL scan --baseline .vigil-baseline .").status == 0);
  }

  TEST_CASE("an unrelated edit that moves the secret's line keeps it baselined") {
    Project p;
    REQUIRE(p.run("$VIGIL baseline create src -o base.txt").status == 0);
    p.dir.write("src/config.env", "# new header\n# more\n\n# settings changed\nDEBUG=1\n" + secret_line(1) + "PORT=80\n");
    CHECK(p.run("$VIGIL scan --baseline base.txt src").status == 0);
    // Moved to another file as well: the fingerprint is the secret's, not its place.
    REQUIRE(p.run("mkdir -p src/conf && mv src/config.env src/conf/prod.env").status == 0);
    CHECK(p.run("$VIGIL scan --baseline base.txt src").status == 0);
  }

  TEST_CASE("a new secret is reported despite the baseline") {
    Project p;
    REQUIRE(p.run("$VIGIL baseline create src -o base.txt").status == 0);
    p.dir.write("src/new.env", secret_line(2));
    const auto r = p.run("$VIGIL scan --baseline base.txt src");
    CHECK(r.status == 1);
    CHECK(r.err.find("src/new.env:1:") != std::string::npos);  // text goes to stderr
    CHECK(r.err.find("config.env") == std::string::npos);      // the known one stays quiet
    CHECK(r.err.find("1 secret in 1 file") != std::string::npos);
  }

  TEST_CASE("a malformed or missing baseline is a one-line error with exit 2") {
    Project p;
    p.dir.write("bad.txt", "# vigil baseline v1\nthis is not an entry\n");
    auto r = p.run("$VIGIL scan --baseline bad.txt src");
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.rfind("vigil: error: baseline bad.txt:2: ", 0) == 0);
    CHECK(r.err.find("vigil baseline create") != std::string::npos);  // says how to fix it
    r = p.run("$VIGIL scan --baseline missing.txt src");
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("missing.txt") != std::string::npos);
  }
}
