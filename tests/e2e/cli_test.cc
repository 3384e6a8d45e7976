// End-to-end: a CLI that tells the truth. Each kind of finding is worded as what it is and gets
// hints that are true for it; mistyped commands and options get a suggestion; every hook binary
// answers --help; `vigil scan --staged`, `-C`, `rules check/test`, `report` and `waivers list` do
// what their options say.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::bin_dir;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::source_dir;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string head(const TempRepo& repo) {
  auto out = repo.run("git rev-parse HEAD").out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A bare remote beside the work tree, and what its main branch holds ("" when nothing).
struct Remote {
  explicit Remote(const TempRepo& r) : repo(r) { REQUIRE(repo.run("git init -q --bare .git/remote.git").status == 0); }
  std::string main() const { return repo.run("git -C .git/remote.git rev-parse -q --verify refs/heads/main").out; }
  const TempRepo& repo;
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("wording: an unsigned commit at pre-push is an unsigned commit, with signing hints and the recorded bypass") {
    TempRepo repo;
    Remote remote(repo);
    repo.write(".vigil.toml", "version = 1\n[signatures]\nrequire = [\"refs/heads/main\"]\n");
    REQUIRE(repo.commit_all("init").status == 0);
    auto r = repo.run("git push -q .git/remote.git HEAD:main");
    INFO(r.err);
    CHECK(r.status != 0);
    CHECK(has(r.err, "vigil: push blocked: 1 unsigned commit\n  commit " + head(repo).substr(0, 12) +
                         "  signature.unsigned  high\n"));
    CHECK(has(r.err, "signatures: each note says how to sign"));
    CHECK(has(r.err, "bypass once, recorded in the audit log: VIGIL_SKIP=signature.unsigned VIGIL_SKIP_REASON=\"<why>\" git push ...\n"
                     "     (`git push --no-verify` skips vigil too, but nothing records it)\n"));
    for (const char* untrue : {"secret", "rotate", "vigil:allow", "left your machine", "in 1 file"}) {
      CHECK_MESSAGE(!has(r.err, untrue), untrue);
    }
    CHECK(remote.main().empty());
    // The hint is true: the bypass it names lets the push through and is recorded.
    r = repo.run("VIGIL_SKIP=signature.unsigned VIGIL_SKIP_REASON='signing key on order, SEC-7' git push -q .git/remote.git HEAD:main");
    CHECK(r.status == 0);
    CHECK(remote.main() == head(repo) + "\n");
    CHECK(has(repo.run("cat .git/vigil-audit.jsonl").out, "signing key on order, SEC-7"));
  }

  TEST_CASE("wording: a secret at pre-push says nothing was sent; at pre-commit secrets, file and message rules are counted apart") {
    TempRepo repo;
    Remote remote(repo);
    repo.write(".vigil.toml", "version = 1\n[[files]]\nglob = \"*.pem\"\nreason = \"keys live in the vault\"\n"
                              "[messages]\nsubject = '^(feat|fix): '\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m 'feat: init'").status == 0);
    repo.write("deploy.env", "TOKEN=" + fake_github_pat(41) + "\n");
    repo.write("server.pem", "not really a key\n");
    auto r = repo.commit_all("feat: deploy");
    CHECK(r.status == 1);
    CHECK(has(r.err, "vigil: commit blocked: 1 secret in 1 file and 1 forbidden file change\n"));
    CHECK(has(r.err, "false positive: add `vigil:allow <reason>`"));
    CHECK(has(r.err, "policy: each note says why the rule exists; the rules live in .vigil.toml ([[files]])\n"));
    CHECK(has(r.err, "VIGIL_SKIP=github.pat,files.1 VIGIL_SKIP_REASON=\"<why>\" git commit ...\n"
                     "     (`git commit --no-verify` skips vigil too, but nothing records it)\n"));
    CHECK_FALSE(has(r.err, "(recorded): git commit --no-verify"));

    // commit-msg: a message rule, and VIGIL_SKIP works there too, as the hint says.
    REQUIRE(repo.run("git rm -q --cached deploy.env server.pem && rm deploy.env server.pem").status == 0);
    repo.write("a.txt", "a\n");
    r = repo.commit_all("update stuff");
    CHECK(r.status == 1);
    CHECK(has(r.err, "vigil: commit blocked: 1 message rule broken\n"));
    CHECK(has(r.err, "([messages])"));
    CHECK(has(r.err, "VIGIL_SKIP=messages.subject "));
    CHECK_FALSE(has(r.err, "secret"));
    r = repo.run("git add -A && VIGIL_SKIP=messages.subject VIGIL_SKIP_REASON='release train' git commit -q -m 'update stuff'");
    CHECK(r.status == 0);
    CHECK(has(repo.run("cat .git/vigil-audit.jsonl").out, "\"hook\":\"commit-msg\""));

    // pre-push: the commits are still only here (the skipped message rule is judged again).
    repo.write("deploy.env", "TOKEN=" + fake_github_pat(41) + "\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m 'feat: deploy'").status == 0);
    r = repo.run("git push -q .git/remote.git HEAD:main");
    CHECK(r.status != 0);
    CHECK(has(r.err, "vigil: push blocked: 1 secret in 1 file and 1 message rule broken\n"));
    CHECK(has(r.err, "fix: nothing was sent; take the secret out of the commits that add it"));
    CHECK_FALSE(has(r.err, "left your machine"));
    CHECK(remote.main().empty());

    // Where the policy forbids VIGIL_SKIP, the hint does not offer it.
    repo.write(".vigil.toml", "version = 1\n[settings]\nallow_skip = false\n");
    repo.write("b.env", "TOKEN=" + fake_github_pat(42) + "\n");
    r = repo.commit_all("feat: b");
    CHECK(r.status == 1);
    CHECK(has(r.err, "bypass: this policy does not allow VIGIL_SKIP (settings.allow_skip = false); "
                     "`git commit --no-verify` skips every hook, and nothing records it\n"));
  }

  TEST_CASE("cli: a mistyped command or option is named, with the nearest known one") {
    TempDir dir;
    auto err = [&](const std::string& args) {
      const auto r = sh(dir.path(), "$VIGIL " + args);
      CHECK(r.status == 2);
      CHECK(r.out.empty());
      return r.err;
    };
    CHECK(err("scna") == "vigil: error: unknown command 'scna' for `vigil` (did you mean 'scan'?) — run `vigil --help`\n");
    CHECK(err("rules chek") ==
          "vigil: error: unknown command 'chek' for `vigil rules` (did you mean 'check'?) — run `vigil rules --help`\n");
    CHECK(err("scan --formt json .") ==
          "vigil: error: unknown option '--formt' for `vigil scan` (did you mean '--format'?) — run `vigil scan --help`\n");
    CHECK(err("scan --histroy=1") ==
          "vigil: error: unknown option '--histroy' for `vigil scan` (did you mean '--history'?) — run `vigil scan --help`\n");
    // Nothing near: no guess.
    CHECK(err("scan --bogus") == "vigil: error: unknown option '--bogus' for `vigil scan` — run `vigil scan --help`\n");
    CHECK(err("frobnicate") == "vigil: error: unknown command 'frobnicate' for `vigil` — run `vigil --help`\n");
  }

  TEST_CASE("cli: every hook binary answers --help without running the hook") {
    TempDir dir;  // not a repository: a hook that ran would fail here
    for (const char* hook : {"pre-commit", "commit-msg", "pre-push", "pre-receive", "update"}) {
      for (const char* flag : {"--help", "-h"}) {
        const auto r = sh(dir.path(), "'" + bin_dir() + "/vigil-" + hook + "' " + flag, "garbage on stdin\n");
        INFO(hook, " ", flag, " ", r.err);
        CHECK(r.status == 0);
        CHECK(r.err.empty());
        CHECK(has(r.out, std::string("usage: vigil-") + hook));
        CHECK(has(r.out, "Exit status: 0 allowed, 1 blocked by policy, 2 vigil could not do its job."));
      }
      const auto r = sh(dir.path(), "'" + bin_dir() + "/vigil-hooks' " + hook + " --help");
      CHECK(r.status == 0);
      CHECK(has(r.out, std::string("usage: vigil-") + hook));
    }
    CHECK(has(sh(dir.path(), "'" + bin_dir() + "/vigil-hooks' --help").out, "usage: vigil-hooks <hook>"));
  }

  TEST_CASE("cli: scan -C DIR runs as if started in DIR, for files, staged changes and history") {
    TempDir dir;
    TempRepo repo;
    repo.write("deploy.env", "TOKEN=" + fake_github_pat(43) + "\n");
    REQUIRE(repo.run("git add deploy.env").status == 0);
    auto r = sh(dir.path(), "$VIGIL scan -C " + repo.path());
    CHECK(r.status == 1);
    CHECK(has(r.err, "deploy.env:1:7"));
    r = sh(dir.path(), "$VIGIL scan --staged -C " + repo.path());
    CHECK(r.status == 1);
    CHECK(has(r.err, "vigil: commit blocked: 1 secret in 1 file"));
    REQUIRE(repo.run("git commit -q --no-verify -m leak").status == 0);
    r = sh(dir.path(), "$VIGIL scan --history -C " + repo.path());
    CHECK(r.status == 1);
    CHECK(has(r.err, "deploy.env:1:7 (" + head(repo).substr(0, 12) + ")"));
    r = sh(dir.path(), "$VIGIL scan -C " + dir.path() + "/missing");
    CHECK(r.status == 2);
    CHECK(has(r.err, "vigil: error: cannot change to -C '" + dir.path() + "/missing': No such file or directory"));
  }

  TEST_CASE("cli: scan --staged honours --format, -o, --config, --baseline and --fail-on") {
    TempRepo repo;
    repo.write("deploy.env", "TOKEN=" + fake_github_pat(44) + "\n");
    REQUIRE(repo.run("git add deploy.env").status == 0);
    auto r = repo.run("$VIGIL scan --staged --format json -o staged.json");
    CHECK(r.status == 1);
    CHECK(r.err.empty());  // the report went to the file
    const auto line = repo.run("head -1 staged.json").out;
    const auto j = nlohmann::json::parse(line);
    CHECK(j["type"] == "finding");
    CHECK(j["data"]["path"] == "deploy.env");
    CHECK(j["data"]["rule"] == "github.pat");
    r = repo.run("$VIGIL scan --staged --format sarif");
    CHECK(r.status == 1);
    CHECK(has(r.out, "\"version\": \"2.1.0\""));
    // --fail-on above the finding's severity: reported, not blocking.
    const std::string severity = j["data"]["severity"];
    CHECK(severity == "critical");
    repo.write("medium.toml", "[[rules]]\nid = \"acme.key\"\nregex = '''acme_([a-z0-9]{16})'''\nseverity = \"medium\"\n");
    repo.write("acme.txt", "k = acme_0123456789abcdef\n");
    REQUIRE(repo.run("git rm -q --cached deploy.env && git add acme.txt").status == 0);
    CHECK(repo.run("$VIGIL scan --staged --rules medium.toml").status == 1);
    r = repo.run("$VIGIL scan --staged --rules medium.toml --fail-on high");
    CHECK(r.status == 0);
    CHECK(has(r.err, "acme.key  medium (warn)"));
    // --config: another policy file, here one that allows the path.
    REQUIRE(repo.run("git rm -q --cached acme.txt && git add deploy.env").status == 0);
    repo.write("other.toml", "version = 1\n[[allow]]\npaths = [\"deploy.env\"]\nreason = \"fixture\"\n");
    CHECK(repo.run("$VIGIL scan --staged --config other.toml").status == 0);
    CHECK(repo.run("$VIGIL scan --staged --config missing.toml").status == 2);
    // --baseline: a finding recorded in the baseline is not reported again.
    REQUIRE(repo.run("$VIGIL baseline create deploy.env -o base.txt").status == 0);
    r = repo.run("$VIGIL scan --staged --baseline base.txt");
    CHECK(r.status == 0);
    CHECK_FALSE(has(r.err, "blocked"));
    CHECK(repo.run("$VIGIL scan --staged --baseline missing.txt").status == 2);
    // Options that ask for another input are refused, not ignored.
    r = repo.run("$VIGIL scan --staged src");
    CHECK(r.status == 2);
    CHECK(has(r.err, "--staged scans the index; a path asks for another input"));
  }

  TEST_CASE("cli: scan --range takes an empty side as HEAD and refuses '..'") {
    TempRepo repo;
    repo.write("a.txt", "a\n");
    REQUIRE(repo.commit_all("a").status == 0);
    const auto base = head(repo);
    repo.write("b.env", "TOKEN=" + fake_github_pat(45) + "\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m b").status == 0);
    CHECK(repo.run("$VIGIL scan -q --range " + base + "..").status == 1);
    CHECK(repo.run("$VIGIL scan -q --range .." + base).status == 0);  // HEAD..base: nothing new
    const auto r = repo.run("$VIGIL scan --range ..");
    CHECK(r.status == 2);
    CHECK(has(r.err, "--range '..' names no commits"));
  }

  TEST_CASE("cli: report --scan-results takes one file per flag") {
    TempDir dir;
    const std::string log = source_dir() + "/tests/fixtures/governance/audit.jsonl";
    dir.write("src/app.env", "TOKEN=" + fake_github_pat(46) + "\n");
    REQUIRE(sh(dir.path(), "$VIGIL scan --format json -o scan.json src").status == 1);
    const auto before = sh(dir.path(), "$VIGIL report --format json " + log + " --scan-results scan.json");
    const auto after = sh(dir.path(), "$VIGIL report --format json --scan-results scan.json " + log);
    REQUIRE(before.status == 0);
    REQUIRE(after.status == 0);
    CHECK(before.out == after.out);  // the log after the flag is a log, not a second scan result
    const auto j = nlohmann::json::parse(after.out);
    CHECK(j["logs"].size() == 1);
    CHECK(j["gate_runs"]["total"].get<int>() >= 14);
  }

  TEST_CASE("cli: rules check and test take a whole .vigil.toml or server policy, and in a bare repository the vigil.policy file") {
    TempRepo repo;
    const std::string cache = "VIGIL_CACHE_DIR=" + repo.path() + "/.cache ";
    repo.write("policy.toml", "version = 1\n[settings]\nmode = \"enforce\"\n[server]\ndeadline_ms = 3000\n"
                              "[[rules]]\nid = \"acme.key\"\nregex = '''acme_([a-z0-9]{16})'''\n"
                              "examples = [\"k = acme_0123456789abcdef\"]\nnegative_examples = [\"k = acme_short\"]\n");
    auto r = repo.run(cache + "$VIGIL rules check policy.toml");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(has(r.out, "checked: policy.toml as a whole policy (the repository's .vigil.toml is not added)\n"));
    CHECK(has(r.out, "compiled in"));
    CHECK(has(r.out, "cached, so the hooks load it without compiling"));
    // The second run loads the database the first one cached.
    r = repo.run(cache + "$VIGIL rules check policy.toml");
    CHECK(has(r.out, "loaded from the cache in"));
    r = repo.run(cache + "$VIGIL rules test policy.toml");
    CHECK(r.status == 0);
    CHECK(has(r.out, "examples passed"));
    // A mistake inside a whole policy is reported as one, with its line.
    repo.write("bad.toml", "version = 1\n[settings]\nfail_onn = \"low\"\n");
    r = repo.run("$VIGIL rules check bad.toml");
    CHECK(r.status == 2);
    CHECK(has(r.err, "bad.toml:3:12: unknown key 'fail_onn' in [settings] (did you mean 'fail_on'?)"));
    // A bare repository: the file `git config vigil.policy` names.
    REQUIRE(repo.run("git init -q --bare srv.git && git -C srv.git config vigil.policy \"$PWD/policy.toml\"").status == 0);
    r = repo.run("cd srv.git && " + cache + "$VIGIL rules check");
    CHECK(r.status == 0);
    CHECK(has(r.out, "checked: " + repo.path() + "/policy.toml (git config vigil.policy)\n"));
    r = repo.run("cd srv.git && " + cache + "$VIGIL rules list");
    CHECK(has(r.out, "acme.key"));
    repo.write("policy.toml", "[server]\ndeadline_ms = \"soon\"\n");
    CHECK(repo.run("cd srv.git && $VIGIL rules check").status == 2);
  }

  TEST_CASE("cli: waivers list shows a waiver's expiry even when another field is missing") {
    TempRepo repo;
    repo.write(".vigil.toml", "version = 1\n[[waivers]]\nrule = \"github.pat\"\npath = \"a.env\"\n"
                              "reason = \"fixture\"\nexpires = 2020-01-31\n");
    const auto r = repo.run("VIGIL_NOW=2026-01-01 $VIGIL waivers list");
    INFO(r.out, r.err);
    CHECK(has(r.out, "owner (none)  expires 2020-01-31"));
    CHECK(has(r.out, "it also expired"));
    const auto j = nlohmann::json::parse(repo.run("VIGIL_NOW=2026-01-01 $VIGIL waivers list --format json").out);
    CHECK(j["waivers"][0]["expires"] == "2020-01-31");
    CHECK(j["waivers"][0]["state"] == "invalid");
  }

  TEST_CASE("scan: a bound reached fails the scan, unless --on-limit accept; an oversized binary file is a policy skip") {
    TempDir dir;
    dir.write("cfg.toml", "version = 1\n[settings]\nmax_file_size = \"64KB\"\n");
    std::string filler;
    while (filler.size() < 100 * 1024) filler += "value = 1\n";
    dir.write("text/big.conf", filler + "GITHUB_TOKEN=" + fake_github_pat(41) + "\n");
    dir.write("bin/big.dat", std::string("\x7f"
                                         "ELF\0\0",
                                         6) +
                                 filler);

    // A text file left unread: the scan did not judge all of its input, so it fails, naming the bound.
    auto r = sh(dir.path(), "$VIGIL scan --config cfg.toml text");
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(has(r.err, "not fully scanned, a bound was reached: max_file_size (1 file)"));
    CHECK(has(r.err, "--on-limit accept"));
    // Accepting a partial scan is explicit and still said.
    r = sh(dir.path(), "$VIGIL scan --config cfg.toml --on-limit accept text");
    CHECK(r.status == 0);
    CHECK(has(r.err, "max_file_size (1 file) — accepted (--on-limit accept)"));
    // JSON lists the skip with its bound, and the exit status is the same.
    r = sh(dir.path(), "$VIGIL scan --config cfg.toml --format json text");
    CHECK(r.status == 1);
    CHECK(has(r.out, "\"bound\":\"max_file_size\""));
    // A binary file is skipped by policy at any size: nothing was left unjudged.
    r = sh(dir.path(), "$VIGIL scan --config cfg.toml bin");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(has(r.err, "binary"));
    CHECK(!has(r.err, "bound was reached"));
    CHECK(sh(dir.path(), "$VIGIL scan --config cfg.toml --on-limit maybe bin").status == 2);

    // History: a blob over the bound fails the backstop scan the same way.
    TempRepo repo;
    repo.write("big.conf", filler + "GITHUB_TOKEN=" + fake_github_pat(42) + "\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m big").status == 0);
    const std::string cfg = dir.path() + "/cfg.toml";
    r = repo.run("$VIGIL scan --history --config " + cfg);
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(has(r.err, "not fully scanned, a bound was reached: max_file_size (1 file)"));
    CHECK(repo.run("$VIGIL scan --history --on-limit accept --config " + cfg).status == 0);
  }
}
