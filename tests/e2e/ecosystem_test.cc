// End-to-end: vigil among other tools. The pre-commit framework (Debian's `pre-commit`) runs
// vigil from .pre-commit-hooks.yaml offline; --help of every command has examples; man pages and
// bash completion come from the same command table; the CI templates run the backstop scan.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_repo.h"

using vigil::test::bin_dir;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::source_dir;
using vigil::test::TempDir;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The visible commands, from `vigil --help` itself (so a new command is covered automatically).
std::vector<std::string> commands() {
  const auto r = sh(".", "$VIGIL --help");
  std::vector<std::string> out;
  std::istringstream in(r.out);
  std::string line;
  bool in_list = false;
  while (std::getline(in, line)) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_list = true;
      continue;
    }
    if (in_list && line.size() > 2 && line[0] == ' ') {
      out.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in_list && !line.empty()) {
      break;
    }
  }
  return out;
}

std::string complete(const std::string& words, int cword) {
  TempDir d;
  REQUIRE(sh(d.path(), "$VIGIL help-completion > vigil.bash").status == 0);
  const auto r = sh(d.path(), "bash -c 'source ./vigil.bash; COMP_WORDS=(" + words + "); COMP_CWORD=" +
                                  std::to_string(cword) + "; _vigil; echo \"${COMPREPLY[*]}\"'");
  REQUIRE(r.status == 0);
  return r.out;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("pre-commit framework: .pre-commit-hooks.yaml runs vigil from a local clone, offline") {
    // The hook repository: a local clone holding vigil's .pre-commit-hooks.yaml.
    TempDir hooks_repo;
    hooks_repo.write(".pre-commit-hooks.yaml", sh(source_dir(), "cat .pre-commit-hooks.yaml").out);
    REQUIRE(sh(hooks_repo.path(), "git init -q && git add -A && git commit -q -m hooks").status == 0);
    const std::string rev = sh(hooks_repo.path(), "git rev-parse HEAD").out.substr(0, 40);
    TempDir clone_parent;
    REQUIRE(sh(clone_parent.path(), "git clone -q " + hooks_repo.path() + " vigil-hooks").status == 0);

    TempDir repo;
    const std::string env = "export PATH='" + bin_dir() + "':\"$PATH\" PRE_COMMIT_HOME=\"$PWD/.pc-home\"; ";
    repo.write(".pre-commit-config.yaml", "repos:\n  - repo: " + clone_parent.path() + "/vigil-hooks\n    rev: " + rev +
                                              "\n    hooks:\n      - id: vigil\n      - id: vigil-commit-msg\n");
    repo.write(".gitignore", ".pc-home/\n");
    REQUIRE(sh(repo.path(), "git init -q && git add -A && git commit -q -m init").status == 0);
    const auto inst = sh(repo.path(), env + "pre-commit install -t pre-commit -t commit-msg");
    INFO(inst.out, inst.err);
    REQUIRE(inst.status == 0);
    repo.write("prod.env", "GITHUB_TOKEN=" + fake_github_pat(7) + "\n");
    const auto blocked = sh(repo.path(), env + "git add -A && git commit -q -m secret");
    INFO(blocked.out, blocked.err);
    CHECK(blocked.status != 0);
    CHECK(has(blocked.out + blocked.err, "vigil: commit blocked"));
    CHECK(!has(blocked.out + blocked.err, fake_github_pat(7)));
    CHECK(sh(repo.path(), "git rev-list --count HEAD").out == "1\n");
    REQUIRE(sh(repo.path(), "git rm -q --cached prod.env && rm prod.env").status == 0);
    repo.write("app.txt", "fine\n");
    const auto ok = sh(repo.path(), env + "git add -A && git commit -q -m 'add app'");
    INFO(ok.out, ok.err);
    CHECK(ok.status == 0);
    // And vigil's own `vigil doctor` sees the framework running it.
    CHECK(has(sh(repo.path(), env + "$VIGIL doctor").out, "pre-commit: runs vigil through the pre-commit framework"));
  }

  TEST_CASE("pre-commit framework: the pre-push hook judges a first push to an empty remote, then later pushes") {
    TempDir hooks_repo;
    hooks_repo.write(".pre-commit-hooks.yaml", sh(source_dir(), "cat .pre-commit-hooks.yaml").out);
    REQUIRE(sh(hooks_repo.path(), "git init -q && git add -A && git commit -q -m hooks").status == 0);
    const std::string rev = sh(hooks_repo.path(), "git rev-parse HEAD").out.substr(0, 40);
    TempDir repo;
    const std::string env = "export PATH='" + bin_dir() + "':\"$PATH\" PRE_COMMIT_HOME=\"$PWD/.pc-home\"; ";
    repo.write(".pre-commit-config.yaml", "repos:\n  - repo: " + hooks_repo.path() + "\n    rev: " + rev +
                                              "\n    hooks:\n      - id: vigil-pre-push\n");
    repo.write(".gitignore", ".pc-home/\n");
    REQUIRE(sh(repo.path(), "git init -q -b main && git init -q --bare remote.git && echo remote.git/ >> .gitignore && "
                            "git add -A && git commit -q -m init")
                .status == 0);
    const auto inst = sh(repo.path(), env + "pre-commit install -t pre-push");
    INFO(inst.out, inst.err);
    REQUIRE(inst.status == 0);
    const std::string server = "git -C remote.git rev-parse -q --verify refs/heads/main";

    // First push, the secret in it: the framework passes no range, and the branch is judged whole.
    repo.write("prod.env", "GITHUB_TOKEN=" + fake_github_pat(8) + "\n");
    REQUIRE(sh(repo.path(), "git add -A && git commit -q -m secret").status == 0);
    auto r = sh(repo.path(), env + "git push -q remote.git main");
    INFO(r.out, r.err);
    CHECK(r.status != 0);
    CHECK(has(r.out + r.err, "vigil: scan blocked: 1 secret in 1 file"));
    CHECK_FALSE(has(r.out + r.err, "cannot resolve"));
    CHECK_FALSE(has(r.out + r.err, fake_github_pat(8)));
    CHECK(sh(repo.path(), server).out.empty());  // nothing reached the remote

    // Without the secret the first push goes through; a later push gets a range and is judged by it.
    REQUIRE(sh(repo.path(), "git reset -q --hard HEAD~1").status == 0);
    r = sh(repo.path(), env + "git push -q remote.git main");
    INFO(r.out, r.err);
    CHECK(r.status == 0);
    const std::string pushed = sh(repo.path(), "git rev-parse HEAD").out;
    CHECK(sh(repo.path(), server).out == pushed);
    repo.write("later.env", "GITHUB_TOKEN=" + fake_github_pat(9) + "\n");
    REQUIRE(sh(repo.path(), "git add -A && git commit -q -m 'later secret'").status == 0);
    r = sh(repo.path(), env + "git push -q remote.git main");
    CHECK(r.status != 0);
    CHECK(has(r.out + r.err, "later.env"));
    CHECK(sh(repo.path(), server).out == pushed);
  }

  TEST_CASE("help: every command's --help shows examples") {
    const auto cmds = commands();
    REQUIRE(cmds.size() >= 8);
    for (const auto& c : {"scan", "install", "uninstall", "init", "doctor", "rules"}) {
      CHECK_MESSAGE(std::find(cmds.begin(), cmds.end(), c) != cmds.end(), c);
    }
    CHECK(std::find(cmds.begin(), cmds.end(), "help-man") == cmds.end());  // hidden
    for (const auto& c : cmds) {
      const auto r = sh(".", "$VIGIL " + c + " --help");
      CHECK_MESSAGE(r.status == 0, c);
      CHECK_MESSAGE(has(r.out, "Example"), c);
      CHECK_MESSAGE(has(r.out, "vigil " + c), c);
    }
    CHECK(has(sh(".", "$VIGIL rules list --help").out, "Examples:"));
  }

  TEST_CASE("help: man pages are generated from the same command table") {
    TempDir d;
    REQUIRE(sh(d.path(), "$VIGIL help-man man").status == 0);
    const std::string main = d.read("man/vigil.1");
    CHECK(main.rfind(".TH VIGIL 1", 0) == 0);
    CHECK(has(main, ".SH EXIT STATUS"));
    for (const auto& c : commands()) {
      const std::string page = d.read("man/vigil-" + c + ".1");
      CHECK_MESSAGE(page.rfind(".TH VIGIL\\-", 0) == 0, c);
      CHECK_MESSAGE(has(page, ".SH EXAMPLES"), c);
      CHECK_MESSAGE(has(main, "vigil\\-" + c), c);
    }
    // Every option of `vigil scan --help` is in its page.
    const std::string scan = d.read("man/vigil-scan.1");
    for (const char* opt : {"\\-\\-history", "\\-\\-staged", "\\-\\-format", "\\-\\-baseline"}) CHECK_MESSAGE(has(scan, opt), opt);
    if (sh(".", "command -v man").status == 0) {
      const auto rendered = sh(d.path(), "MANWIDTH=100 man -l man/vigil-install.1 2>&1");
      CHECK(has(rendered.out, "--global"));
    }
  }

  TEST_CASE("bash completion lists the subcommands, their subcommands and options") {
    const auto top = complete("vigil ''", 1);
    for (const char* c : {"scan", "install", "uninstall", "init", "doctor", "rules", "baseline", "audit"}) {
      CHECK_MESSAGE(has(" " + top, std::string(" ") + c), c);
    }
    CHECK(!has(top, "help-man"));
    CHECK(complete("vigil rul", 1) == "rules\n");
    CHECK(complete("vigil rules ''", 2) == "list explain check test import-gitleaks\n");
    const auto scan_opts = complete("vigil scan --h", 2);
    CHECK(has(scan_opts, "--history"));
    CHECK(has(scan_opts, "--help"));
    CHECK(has(complete("vigil install --", 2), "--global"));
    CHECK(has(complete("vigil -C . install --s", 4), "--server"));
  }

  TEST_CASE("CI templates: the GitLab job and the GitHub workflow run the backstop scan and upload reports") {
    const std::string gitlab = sh(source_dir(), "cat docs/ci/gitlab-ci.yml").out;
    const std::string github = sh(source_dir(), "cat docs/ci/github-actions.yml").out;
    // Both are valid YAML with the expected shape.
    const auto parse = sh(source_dir(),
                          "python3 -c 'import yaml,sys\n"
                          "g=yaml.safe_load(open(\"docs/ci/gitlab-ci.yml\"))\n"
                          "j=g[\"vigil-secret-detection\"]\n"
                          "print(j[\"artifacts\"][\"reports\"][\"secret_detection\"])\n"
                          "w=yaml.safe_load(open(\"docs/ci/github-actions.yml\"))\n"
                          "steps=w[\"jobs\"][\"vigil\"][\"steps\"]\n"
                          "print([s.get(\"uses\",\"\") for s in steps if \"upload-sarif\" in s.get(\"uses\",\"\")][0])\n"
                          "print(w[\"permissions\"][\"security-events\"])'");
    INFO(parse.err);
    REQUIRE(parse.status == 0);
    CHECK(parse.out == "gl-secret-detection-report.json\ngithub/codeql-action/upload-sarif@v3\nwrite\n");
    CHECK(has(gitlab, "vigil scan --history --format gitlab -o gl-secret-detection-report.json"));
    CHECK(has(github, "vigil scan --history --format sarif -o vigil.sarif"));
    CHECK(has(gitlab, "GIT_DEPTH: \"0\""));
    CHECK(has(github, "fetch-depth: 0"));

    // Run the GitLab job's scan command on a repository whose history holds a secret.
    TempDir repo;
    repo.write("old.env", "GITHUB_TOKEN=" + fake_github_pat(8) + "\n");
    REQUIRE(sh(repo.path(), "git init -q && git add -A && git commit -q -m old && git rm -q old.env && "
                            "git commit -q -m 'remove it'")
                .status == 0);
    const auto r = sh(repo.path(), "$VIGIL scan --history --format gitlab -o gl-secret-detection-report.json");
    CHECK(r.status == 1);  // the job fails
    const auto report = sh(repo.path(), "python3 -c 'import json; d=json.load(open(\"gl-secret-detection-report.json\")); "
                                        "print(len(d[\"vulnerabilities\"]), d[\"scan\"][\"type\"])'");
    CHECK(report.out == "1 secret_detection\n");
    const auto sarif = sh(repo.path(), "$VIGIL scan --history --format sarif -o vigil.sarif; "
                                       "python3 -c 'import json; d=json.load(open(\"vigil.sarif\")); "
                                       "print(d[\"version\"], len(d[\"runs\"][0][\"results\"]))'");
    CHECK(sarif.out == "2.1.0 1\n");
  }
}
