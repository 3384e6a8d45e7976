// End-to-end: bad input at every entry point gets one clear line and a stable exit code, and
// nothing is lost. The cases no other test covers; docs/bad-input.md is the full catalogue.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

std::string hook(const std::string& name) { return vigil::test::bin_dir() + "/vigil-" + name; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One line on stderr, starting "vigil: error: " and containing `part`, exit 2.
void check_error(const CmdResult& r, const std::string& part) {
  INFO("stderr: ", r.err);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("vigil: error: ", 0) == 0);
  CHECK(has(r.err, part));
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("bad input: vigil scan arguments are one-line errors with exit 2") {
    TempRepo repo;
    check_error(repo.run("$VIGIL scan no/such/path"), "no such file or directory: 'no/such/path'");
    check_error(repo.run("$VIGIL scan --format yaml ."), "unknown format 'yaml' — use one of: text, json, sarif, junit, csv, gitlab");
    check_error(repo.run("echo hi | $VIGIL scan -o /nonexistent-dir/r.json -"), "cannot write '/nonexistent-dir/r.json'");
    check_error(repo.run("$VIGIL scan --fail-on severe ."), "unknown severity 'severe' for --fail-on");
    check_error(repo.run("$VIGIL scan -c missing.toml ."), "cannot read config file 'missing.toml'");
    check_error(repo.run("$VIGIL scan --rules missing.toml ."), "cannot read rules file 'missing.toml'");
    check_error(repo.run("$VIGIL scan -c .git ."), "config file '.git' is a directory — check the path");
    check_error(repo.run("$VIGIL scan --rules .git ."), "rules file '.git' is a directory — check the path");
    check_error(repo.run("$VIGIL scan --no-such-option"), "--no-such-option");
    check_error(repo.run("$VIGIL frobnicate"), "run `vigil --help`");
  }

  TEST_CASE("bad input: vigil scan reports every skip (symlink, binary) and passes empty input") {
    TempRepo repo;
    repo.write("real.txt", "TOKEN=" + fake_github_pat(71) + "\n");
    REQUIRE(repo.run("ln -s /etc/hostname outside-link && ln -s real.txt inside-link").status == 0);
    auto r = repo.run("$VIGIL scan .");
    CHECK(r.status == 1);  // the real file is still scanned
    CHECK(has(r.err, "real.txt:1:7"));
    CHECK(has(r.err, "vigil: skipped outside-link: symbolic link (not followed)"));
    CHECK(has(r.err, "vigil: skipped inside-link: symbolic link (not followed)"));
    r = repo.run("printf 'a\\0b TOKEN=" + fake_github_pat(72) + "' | $VIGIL scan -");
    CHECK(r.status == 0);
    CHECK(has(r.err, "vigil: skipped <stdin>: binary (NUL byte in the first 8000 bytes)"));
    r = repo.run("$VIGIL scan - </dev/null");
    CHECK(r.status == 0);
    CHECK(has(r.err, "scanned 1 file (0 B)"));
  }

  TEST_CASE("bad input: vigil scan --history outside a repository, or with an unknown range, branch or date") {
    TempDir dir;
    check_error(sh(dir.path(), "$VIGIL scan --history ."), "not a git repository");
    TempRepo repo;
    REQUIRE(repo.run("git commit -q --allow-empty --no-verify -m x").status == 0);
    check_error(repo.run("$VIGIL scan --range nope..nada"), "cannot resolve --range 'nope..nada'");
    check_error(repo.run("$VIGIL scan --history --branch nope"), "no branch or revision 'nope'");
    check_error(repo.run("$VIGIL scan --history --since yesterday"), "cannot read --since 'yesterday' — use YYYY-MM-DD");
    check_error(repo.run("$VIGIL scan --history a b"), "--history takes at most one repository path");
  }

  TEST_CASE("bad input: hooks run by hand or fed garbage exit 2 and say what git should have passed") {
    TempRepo repo;
    TempDir server;
    REQUIRE(repo.run("git commit -q --allow-empty --no-verify -m x").status == 0);
    REQUIRE(sh(server.path(), "git init -q --bare .").status == 0);
    const std::string bare = server.path();
    // Laptop hooks: the error, then the --no-verify escape.
    auto r = repo.run("echo garbage | " + hook("pre-push") + " origin url");
    CHECK(r.status == 2);
    CHECK(has(r.err, "vigil: error: pre-push input line 1 is not '<local ref> <local oid> <remote ref> <remote oid>'"));
    CHECK(has(r.err, "; bypass once: git push --no-verify\n"));
    r = repo.run(hook("commit-msg"));
    CHECK(r.status == 2);
    CHECK(has(r.err, "vigil: error: commit-msg needs the message file as its argument"));
    r = repo.run(hook("commit-msg") + " no/such/msg");
    CHECK(r.status == 2);
    CHECK(has(r.err, "vigil: error: cannot read the commit message 'no/such/msg'"));
    repo.write("m", "fix: x\n");
    r = repo.run("git config commit.cleanup bogus && " + hook("commit-msg") + " m");
    CHECK(r.status == 2);
    CHECK(has(r.err, "unknown commit.cleanup 'bogus' — use strip, whitespace, verbatim, scissors or default"));
    REQUIRE(repo.run("git config --unset commit.cleanup").status == 0);
    r = sh(bare, hook("pre-commit"));
    CHECK(r.status == 2);
    CHECK(has(r.err, "vigil: error: pre-commit needs a work tree, and this repository is bare"));
    // Server hooks: rejected, fail closed.
    r = sh(bare, "echo garbage | GIT_DIR=. " + hook("pre-receive"));
    CHECK(r.status == 2);
    CHECK(has(r.err, "pre-receive input line 1 is not '<old oid> <new oid> <ref>'"));
    CHECK(has(r.err, "vigil: push rejected (fail closed)"));
    for (const char* args : {"", "refs/heads/main", "refs/heads/main 123 456"}) {
      r = sh(bare, std::string("GIT_DIR=. ") + hook("update") + " " + args);
      CHECK(r.status == 2);
      CHECK(has(r.err, "the update hook takes <ref name> <old oid> <new oid>"));
      CHECK(has(r.err, "vigil: push rejected (fail closed)"));
    }
  }

  TEST_CASE("bad input: a broken .vigil.toml at the server's old tip is ignored with a note; the floor still applies") {
    TempDir dir;
    const std::string bin = vigil::test::bin_dir();
    dir.write("policy.toml", "[server]\ndeadline_ms = 300000\n");
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git -C srv.git config vigil.policy $PWD/policy.toml && "
                           "git clone -q srv.git w 2>/dev/null && cd w && printf '[settings\\n' > .vigil.toml && "
                           "git add .vigil.toml && git commit -q --no-verify -m broken && git push -q origin HEAD:main && "
                           "ln -s " +
                               bin + "/vigil-pre-receive ../srv.git/hooks/pre-receive")
                .status == 0);
    REQUIRE(sh(dir.path() + "/w", "echo 'TOKEN=" + fake_github_pat(73) + "' > t.env && git add t.env && "
                                                                         "git commit -q --no-verify -m t")
                .status == 0);
    auto r = sh(dir.path() + "/w", "git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(has(r.err, "github.pat"));
    CHECK(has(dir.read("srv.git/vigil-audit.jsonl"), "ignored the repository's .vigil.toml: HEAD:.vigil.toml:1"));
    // A clean push is not locked out by the broken file.
    r = sh(dir.path() + "/w", "git reset -q --hard HEAD~1 && echo ok > ok && git add ok && git commit -q --no-verify -m ok && "
                              "git push -q origin HEAD:main");
    CHECK(r.status == 0);
  }

  TEST_CASE("bad input: a misspelt server policy key is named with a suggestion and the push is rejected") {
    TempDir dir;
    const std::string bin = vigil::test::bin_dir();
    dir.write("policy.toml", "[server]\ndeadline = 5000\n");
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git -C srv.git config vigil.policy $PWD/policy.toml && "
                           "ln -s " +
                               bin + "/vigil-pre-receive srv.git/hooks/pre-receive && git clone -q srv.git w 2>/dev/null && "
                                     "cd w && echo x > x && git add x && git commit -q --no-verify -m x")
                .status == 0);
    const auto r = sh(dir.path() + "/w", "git push origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(has(r.err, "unknown key 'deadline' in [server] (did you mean 'deadline_ms'?)"));
    CHECK(has(r.err, "fail closed"));
    CHECK(sh(dir.path() + "/srv.git", "git rev-parse -q --verify main").out.empty());
  }

  TEST_CASE("bad input: install outside a repository exits 2; uninstall with nothing installed changes nothing") {
    TempDir dir;
    check_error(sh(dir.path(), "$VIGIL install"), "not a git repository");
    REQUIRE(sh(dir.path(), "git init -q r").status == 0);
    const auto before = sh(dir.path(), "ls -la r/.git/hooks | md5sum").out;
    const auto r = sh(dir.path() + "/r", "$VIGIL uninstall");
    CHECK(r.status == 0);
    CHECK(has(r.out + r.err, "nothing to do"));
    CHECK(sh(dir.path(), "ls -la r/.git/hooks | md5sum").out == before);
  }

  TEST_CASE("bad input: vigil rules — unknown id, bad TOML, a regex Hyperscan rejects, a missing file: exit 2") {
    TempRepo repo;
    check_error(repo.run("$VIGIL rules explain github.pta"), "no rule 'github.pta' (did you mean 'github.pat'?)");
    repo.write("bad.toml", "[[rules]\n");
    check_error(repo.run("$VIGIL rules check bad.toml"), "bad.toml:1:9:");
    repo.write("backref.toml", "[[rules]]\nid = \"x.y\"\nregex = '''(a)\\1'''\n");
    check_error(repo.run("$VIGIL rules check backref.toml"), "rule 'x.y': regex rejected by Hyperscan");
    for (const char* sub : {"list", "check", "test"}) {
      check_error(repo.run(std::string("$VIGIL rules ") + sub + " missing.toml"), "cannot read rules file 'missing.toml'");
    }
  }

  TEST_CASE("bad input: vigil audit verify — missing log, deleted head file, garbage line, emptied log") {
    TempRepo repo;
    // A real two-record trail, from two audited skips.
    repo.write("t.env", "TOKEN=" + fake_github_pat(74) + "\n");
    REQUIRE(repo.run("git add t.env && VIGIL_SKIP=github VIGIL_SKIP_REASON=demo git commit -q -m a && "
                     "echo 'K=" +
                     fake_github_pat(75) + "' > u.env && git add u.env && "
                                           "VIGIL_SKIP=github VIGIL_SKIP_REASON=demo git commit -q -m b")
                .status == 0);
    REQUIRE(repo.run("$VIGIL audit verify").status == 0);
    const std::string log = ".git/vigil-audit.jsonl";
    check_error(repo.run("$VIGIL audit verify no-such.jsonl"), "cannot read the audit log 'no-such.jsonl'");
    auto r = repo.run("cp " + log + " a.jsonl && $VIGIL audit verify a.jsonl");  // no a.jsonl.head
    CHECK(r.status == 1);
    CHECK(has(r.err, "the head file 'a.jsonl.head' is missing"));
    r = repo.run("cp " + log + ".head a.jsonl.head && echo garbage >> a.jsonl && $VIGIL audit verify a.jsonl");
    CHECK(r.status == 1);
    CHECK(has(r.err, "line 3: not a valid JSON record"));
    r = repo.run(": > a.jsonl && $VIGIL audit verify a.jsonl");
    CHECK(r.status == 1);
    CHECK(has(r.err, "the head file records 2, the log ends at 0"));
    TempDir outside;
    check_error(sh(outside.path(), "$VIGIL audit verify"), "no audit log given and not inside a repository");
    CHECK(repo.run("$VIGIL audit verify " + log).status == 0);  // the real log was never touched
  }

  TEST_CASE("bad input: vigil report — unknown format, bad date, missing log, unwritable output exit 2") {
    TempDir dir;
    dir.write("a.jsonl", "garbage\n");
    check_error(sh(dir.path(), "$VIGIL report -f pdf a.jsonl"), "unknown format 'pdf' — use text, json or html");
    check_error(sh(dir.path(), "$VIGIL report --since tomorrow a.jsonl"), "--since takes a date such as 2026-01-31, not 'tomorrow'");
    check_error(sh(dir.path(), "$VIGIL report missing.jsonl"), "cannot read the audit log 'missing.jsonl'");
    check_error(sh(dir.path(), "$VIGIL report -f html -o /nonexistent-dir/r.html a.jsonl"), "cannot write '/nonexistent-dir/r.html'");
    check_error(sh(dir.path(), "$VIGIL report"), "no audit log given and not inside a repository");
    // Lines that are not JSON records are left out of the numbers (`vigil audit verify` flags them).
    const auto r = sh(dir.path(), "$VIGIL report a.jsonl");
    CHECK(r.status == 0);
    CHECK(has(r.out, "gate runs: 0"));
  }

  TEST_CASE("bad input: vigil waivers — an entry without owner or with a bad date is invalid, exit 1, with file:line") {
    TempRepo repo;
    repo.write(".vigil.toml", "[[waivers]]\nrule = \"github.pat\"\npath = \"x\"\nreason = \"r\"\nexpires = 2999-01-01\n");
    auto r = repo.run("$VIGIL waivers check");
    CHECK(r.status == 1);
    CHECK(has(r.out, ".vigil.toml:1: [[waivers]] entry has no 'owner'"));
    repo.write(".vigil.toml", "[[waivers]]\nrule = \"github.pat\"\npath = \"x\"\nowner = \"a@example.com\"\nreason = \"r\"\n"
                              "expires = \"soon\"\n");
    r = repo.run("$VIGIL waivers check");
    CHECK(r.status == 1);
    CHECK(has(r.out, ".vigil.toml:6:11: waivers.expires must be a date such as 2026-12-31"));
    // A scan report that cannot be read is an error, not a staleness check that quietly passes.
    repo.write(".vigil.toml", "[[waivers]]\nrule = \"github.pat\"\npath = \"x\"\nowner = \"a@example.com\"\n"
                              "reason = \"r\"\nexpires = 2999-01-01\n");
    check_error(repo.run("$VIGIL waivers check --scan-report missing.json"), "cannot read the scan report 'missing.json'");
    check_error(repo.run("rm .vigil.toml && $VIGIL waivers list"), ".vigil.toml' — check the path");
  }

  TEST_CASE("bad input: vigil baseline create into a missing directory exits 2 and writes nothing") {
    TempRepo repo;
    repo.write("t.env", "TOKEN=" + fake_github_pat(76) + "\n");
    check_error(repo.run("$VIGIL baseline create -o /nonexistent-dir/b ."), "cannot write baseline '/nonexistent-dir/b'");
  }
}
