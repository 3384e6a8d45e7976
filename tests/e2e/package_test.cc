// End-to-end: the Debian package. `cpack` builds the .deb from this build tree into a temp dir;
// dpkg-deb shows its metadata and contents; every library the binaries link belongs to a declared
// dependency; unpacked into a scratch root (dpkg -x), the packaged vigil installs its hooks and
// blocks a real commit.
#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::bin_dir;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::source_dir;
using vigil::test::TempDir;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string field(const std::string& control, const std::string& name) {
  const auto at = control.find(" " + name + ": ");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 3;
  return control.substr(start, control.find('\n', start) - start);
}

// Package names in a Depends field, alternatives included, versions dropped.
std::set<std::string> depends_names(const std::string& depends) {
  std::set<std::string> out;
  std::string token;
  for (char c : depends + ",") {
    if (c == ',' || c == '|') {
      const auto paren = token.find('(');
      std::string name = token.substr(0, paren);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      if (!name.empty()) out.insert(name);
      token.clear();
    } else {
      token += c;
    }
  }
  return out;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("package: the .deb declares its Debian dependencies, lays out bin/rules/man/completion, and works unpacked") {
    TempDir d;
    const std::string config = bin_dir() + "/CPackConfig.cmake";
    INFO("build dir: ", bin_dir());
    REQUIRE(sh(".", "test -f '" + config + "'").status == 0);
    const auto built = sh(d.path(), "cpack --config '" + config + "' -B out > cpack.log 2>&1");
    INFO(d.read("cpack.log"));
    REQUIRE(built.status == 0);
    const std::string listing = sh(d.path(), "ls out/*.deb").out;
    const std::string deb = listing.substr(0, listing.find('\n'));
    REQUIRE(!deb.empty());

    // Metadata.
    const std::string control = sh(d.path(), "dpkg-deb -I " + deb).out;
    CHECK(field(control, "Package") == "vigil");
    CHECK(field(control, "Version") == VIGIL_VERSION);
    CHECK(field(control, "Section") == "vcs");
    const auto deps = depends_names(field(control, "Depends"));
    for (const char* p : {"libgit2-1.5", "libhyperscan5", "libpcre2-8-0", "libgpgme11",
                          "libssl3", "libutf8proc2", "libstdc++6", "libc6", "git", "openssh-client", "gnupg"}) {
      CHECK_MESSAGE(deps.count(p) == 1, p);
    }
    // Each named dependency exists in Debian (the machine's apt knows it).
    for (const auto& p : deps) {
      CHECK_MESSAGE(sh(".", "apt-cache show '" + p + "' >/dev/null 2>&1").status == 0, p);
    }

    // Contents.
    const std::string files = sh(d.path(), "dpkg-deb -c " + deb).out;
    // The hooks are one binary, reached through links named after them.
    for (const char* f : {"./usr/bin/vigil\n", "./usr/bin/vigil-hooks\n", "./usr/bin/vigil-pre-commit -> vigil-hooks\n",
                          "./usr/bin/vigil-commit-msg -> vigil-hooks\n", "./usr/bin/vigil-pre-push -> vigil-hooks\n",
                          "./usr/bin/vigil-pre-receive -> vigil-hooks\n", "./usr/bin/vigil-update -> vigil-hooks\n",
                          "./usr/share/man/man1/vigil.1\n", "./usr/share/man/man1/vigil-install.1\n",
                          "./usr/share/man/man1/vigil-scan.1\n", "./usr/share/bash-completion/completions/vigil\n",
                          "./usr/share/doc/vigil/ci/gitlab-ci.yml\n", "./usr/share/doc/vigil/ci/github-actions.yml\n",
                          "./usr/share/doc/vigil/.pre-commit-hooks.yaml\n"}) {
      CHECK_MESSAGE(has(files, f), f);
    }
    const auto rules_in_source = sh(source_dir(), "ls rules/*.toml | wc -l").out;
    CHECK(sh(d.path(), "dpkg-deb -c " + deb + " | grep -c '/usr/share/vigil/rules/.*\\.toml$'").out == rules_in_source);

    // Unpacked into a scratch root: every linked library comes from a declared package.
    REQUIRE(sh(d.path(), "dpkg -x " + deb + " root").status == 0);
    const auto needed = sh(d.path(), "for b in root/usr/bin/*; do readelf -d \"$b\" | sed -n 's/.*Shared library: \\[\\(.*\\)\\]/\\1/p'; "
                                     "done | sort -u");
    REQUIRE(needed.status == 0);
    std::istringstream libs(needed.out);
    std::string lib;
    int checked = 0;
    while (std::getline(libs, lib)) {
      if (lib.rfind("libasan", 0) == 0 || lib.rfind("libubsan", 0) == 0) continue;  // a sanitizer build
      // The file the loader resolves for this architecture, then its package (usrmerge: dpkg may
      // know it under /lib or /usr/lib).
      // (The loader itself, NEEDED by the statically linked hooks, is listed by ldd under its path.)
      const auto owner = sh(d.path(), "p=$(for b in root/usr/bin/*; do ldd \"$b\"; done | awk '$1 == \"" + lib +
                                          "\" { print $3; exit } $1 ~ /\\/" + lib + "$/ { print $1; exit }'); "
                                                                                    "{ dpkg -S \"$p\" || dpkg -S \"${p#/usr}\" || "
                                                                                    "dpkg -S \"/usr$p\"; } 2>/dev/null | head -1 | cut -d: -f1");
      INFO("library ", lib, " from package ", owner.out);
      CHECK(deps.count(owner.out.substr(0, owner.out.find('\n'))) == 1);
      ++checked;
    }
    CHECK(checked >= 8);

    // The packaged binaries work: version, completion, and a real commit through their hooks.
    const std::string vigil = d.path() + "/root/usr/bin/vigil";
    CHECK(has(sh(".", vigil + " --version").out, "vigil "));
    CHECK(d.read("root/usr/share/bash-completion/completions/vigil") == sh(".", vigil + " help-completion").out);
    TempDir repo;
    REQUIRE(sh(repo.path(), "git init -q && " + vigil + " install >/dev/null").status == 0);
    CHECK(has(repo.read(".git/hooks/pre-commit"), d.path() + "/root/usr/bin/vigil-pre-commit"));
    repo.write("prod.env", "GITHUB_TOKEN=" + fake_github_pat(9) + "\n");
    const auto commit = sh(repo.path(), "git add -A && git commit -q -m secret");
    CHECK(commit.status == 1);
    CHECK(has(commit.err, "vigil: commit blocked"));
  }
}
