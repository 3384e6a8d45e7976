// docs/signatures.md is runnable: its shell blocks run in order, in one bash, against the vigil just
// built, and every `git push` the text marks "# accepted" or "# rejected" must end that way.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::sh;
using vigil::test::TempDir;

namespace {

/// The walk-through as one script: each marked push wrapped in `expect accepted|rejected <push>`.
std::string walkthrough_script(const std::string& markdown, int& expectations) {
  std::string script =
      "expect() { want=$1; shift; if \"$@\" >push.out 2>&1; then got=accepted; else got=rejected; fi;\n"
      "  if [ \"$got\" = \"$want\" ]; then echo \"DOC-OK $want: $*\"; else echo \"DOC-MISMATCH want $want got $got: $*\";\n"
      "  sed 's/^/  | /' push.out; fi; rm -f push.out; }\n";
  std::istringstream in(markdown);
  bool in_block = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```sh", 0) == 0) {
      in_block = true;
      continue;
    }
    if (line.rfind("```", 0) == 0) {
      in_block = false;
      continue;
    }
    if (!in_block) continue;
    const auto hash = line.find("# accepted") != std::string::npos ? line.find("# accepted") : line.find("# rejected");
    if (line.rfind("git push", 0) == 0 && hash != std::string::npos) {
      const std::string want = line.compare(hash, 10, "# accepted") == 0 ? "accepted" : "rejected";
      line = "expect " + want + " " + line.substr(0, hash);
      ++expectations;
    }
    script += line + "\n";
  }
  // The walk-through's GnuPG homes start agents; none may outlive the test.
  script += "for h in \"$DEMO/gnupg\" \"$DEMO/gpgsm\"; do [ -d \"$h\" ] && gpgconf --homedir \"$h\" --kill all; done\n";
  return script;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("docs/signatures.md: the walk-through runs, and each push ends as the text says") {
    TempDir dir;
    int expectations = 0;
    std::ifstream md(vigil::test::source_dir() + "/docs/signatures.md");
    std::stringstream text;
    text << md.rdbuf();
    const std::string script = walkthrough_script(text.str(), expectations);
    REQUIRE(expectations >= 15);
    dir.write("walkthrough.sh", script);
    // The hooks the installer links are found on PATH, as after `cmake --install`.
    auto r = sh(dir.path(), "PATH=" + vigil::test::bin_dir() + ":$PATH TMPDIR=" + dir.path() +
                                " bash walkthrough.sh 2>&1");
    int ok = 0;
    std::istringstream out(r.out);
    for (std::string line; std::getline(out, line);) {
      CHECK_MESSAGE(line.find("DOC-MISMATCH") == std::string::npos, line);
      if (line.rfind("DOC-OK", 0) == 0) ++ok;
    }
    CHECK_MESSAGE(ok == expectations, r.out);
  }
}
