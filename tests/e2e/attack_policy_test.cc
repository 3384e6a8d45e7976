// Attacks on the server gate through the repository's own policy and through exceptions: each is a
// real `git push --no-verify` into a bare repository running vigil-pre-receive, and each asserts
// what landed on the server (the ref's value), not what was printed.
#include <doctest/doctest.h>

#include <string>

#include "detectors/finding.h"
#include "tests/support/attack_server.h"
#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

using Server = vigil::test::AttackServer;

// A value the generic detector reports (a high-entropy password), built at run time so this file
// holds no literal secret.
std::string generic_password(unsigned seed) {
  std::string v = std::string("Gk4Rw9Tz2L") + "q8Vm5Xn7Pb3J";
  v[3] = static_cast<char>('a' + seed % 26);
  return "db_password = \"" + v + "\"\n";
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("attack: repo requires signed main, unsigned commit pushed") {
    Server s;
    REQUIRE(s.in_clone("ssh-keygen -q -t ed25519 -N '' -C dev -f ../dev_key").status == 0);
    const auto pub = s.in_clone("cut -d' ' -f1,2 ../dev_key.pub").out;
    s.write(".vigil.toml", "version = 1\n[signatures]\nrequire = [\"refs/heads/main\"]\n");
    s.write(".vigil/allowed_signers", "committer@example.com " + pub);
    REQUIRE(s.commit_and_push("require signatures").status == 0);  // nothing required before it
    const auto before = s.server_ref("main");
    s.write("a.txt", "unsigned\n");
    CHECK(s.commit_and_push("unsigned change").status != 0);
    CHECK(s.server_ref("main") == before);
    // Control: the same change signed by the trusted key lands.
    REQUIRE(s.in_clone("git -c gpg.format=ssh -c user.signingkey=../dev_key commit -q --amend --no-edit -S").status == 0);
    CHECK(s.in_clone("git push --no-verify origin HEAD:main").status == 0);
    CHECK(s.server_ref("main") == s.clone_rev("HEAD"));
  }

  TEST_CASE("attack: repo subject rule ignored at server") {
    Server s;
    s.write(".vigil.toml", "version = 1\n[messages]\nsubject = '^(feat|fix): '\n");
    s.land("feat: policy");
    const auto before = s.server_ref("main");
    s.write("a.txt", "x\n");
    const auto r = s.commit_and_push("whatever");
    CHECK(r.status != 0);
    CHECK(r.err.find("messages.subject") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    REQUIRE(s.in_clone("git commit -q --amend --no-verify -m 'fix: a subject that follows the rule'").status == 0);
    CHECK(s.in_clone("git push --no-verify origin HEAD:main").status == 0);
  }

  TEST_CASE("attack: repo protects a branch, force-push") {
    Server s;
    s.write(".vigil.toml", "version = 1\n[refs]\nprotected = [\"refs/heads/main\"]\n");
    s.write("a.txt", "history\n");
    s.land("protect main");
    const auto before = s.server_ref("main");
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1").status == 0);
    s.write("b.txt", "rewritten\n");
    const auto r = s.commit_and_push("rewrite", "main", "--force");
    CHECK(r.status != 0);
    CHECK(r.err.find("refs.protected-force-push") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    CHECK(s.in_clone("git push --no-verify origin :main").status != 0);  // nor deleted
    CHECK(s.server_ref("main") == before);
  }

  TEST_CASE("attack: repo lowers mode via [settings]") {
    Server s;
    s.write(".vigil.toml", "version = 1\n[settings]\nmode = \"observe\"\nfail_on = \"critical\"\n"
                           "[families.github]\nmode = \"observe\"\n[[rules]]\nid = \"github.pat\"\nmode = \"observe\"\n"
                           "severity = \"info\"\n");
    s.land();
    const auto before = s.server_ref("main");
    s.write("k.env", "TOKEN=" + fake_github_pat(31) + "\n");
    CHECK(s.commit_and_push("add key").status != 0);
    CHECK(s.server_ref("main") == before);
    const auto audit = s.audit();
    CHECK(audit.find("lowers [settings] mode to observe") != std::string::npos);
    CHECK(audit.find("raises fail_on to critical") != std::string::npos);
    CHECK(audit.find("lowers the mode of rule 'github.pat'") != std::string::npos);
    CHECK(audit.find("lowers the severity of rule 'github.pat'") != std::string::npos);
  }

  TEST_CASE("attack: push edits .vigil.toml to disable rule in same push") {
    Server s;
    const auto before = s.server_ref("main");
    s.write(".vigil.toml", "version = 1\n[settings]\ndisable = [\"github.pat\", \"generic.assignment\"]\nmode = \"observe\"\n"
                           "[[allow]]\npaths = [\"**\"]\nreason = \"trust me\"\n");
    s.write("k.env", "TOKEN=" + fake_github_pat(32) + "\n");
    CHECK(s.commit_and_push("relax and add").status != 0);
    CHECK(s.server_ref("main") == before);
  }

  TEST_CASE("attack: broken .vigil.toml pushed") {
    Server s;
    const auto before = s.server_ref("main");
    s.write(".vigil.toml", "version = 1\n[settings\nmode = \"observe\"\n");
    auto r = s.commit_and_push("broken policy");
    CHECK(r.status != 0);
    CHECK(r.err.find("policy.config-invalid") != std::string::npos);
    CHECK(r.err.find("refs/heads/main:.vigil.toml:2:") != std::string::npos);  // file:line:col
    CHECK(s.server_ref("main") == before);
    // Rules that parse but do not compile for Hyperscan are broken too.
    s.write(".vigil.toml", "version = 1\n[[rules]]\nid = \"acme.token\"\nregex = '(?<=acme_)([a-z0-9]{20})'\n");
    REQUIRE(s.in_clone("git add -A && git commit -q --amend --no-verify -m 'rule with lookbehind'").status == 0);
    r = s.in_clone("git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("acme.token") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    // And to another branch: a broken policy never lands anywhere.
    r = s.in_clone("git push --no-verify origin HEAD:refs/heads/topic");
    CHECK(r.status != 0);
    CHECK(s.server_ref("refs/heads/topic").empty());
  }

  TEST_CASE("attack: broken .vigil.toml at the old tip disables the floor or locks out the fix") {
    Server s;
    // It parses, but its rule does not compile for Hyperscan (lookbehind).
    s.write(".vigil.toml", "version = 1\n[settings]\nmode = \"observe\"\n[[rules]]\nid = \"acme.token\"\n"
                           "regex = '(?<=acme_)([a-z0-9]{20})'\n");
    s.land("broken before vigil checked it");
    const auto before = s.server_ref("main");
    // The floor still applies in full...
    s.write("k.env", "TOKEN=" + fake_github_pat(33) + "\n");
    CHECK(s.commit_and_push("add key").status != 0);
    CHECK(s.server_ref("main") == before);
    CHECK(s.audit().find("ignored the repository's .vigil.toml") != std::string::npos);
    // ...and the push that repairs the file is judged by the floor, and lands.
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1").status == 0);
    s.write(".vigil.toml", "version = 1\n[settings]\nmode = \"enforce\"\n");
    CHECK(s.commit_and_push("repair the policy").status == 0);
    CHECK(s.server_ref("main") == s.clone_rev("HEAD"));
  }

  TEST_CASE("attack: repo rule at info/observe masks builtin finding") {
    Server s;
    // A repository rule matching exactly the span the generic detector reports, made as weak as
    // possible. It may add its own finding; it must not hide the floor's.
    s.write(".vigil.toml", "version = 1\n[[rules]]\nid = \"acme.cover\"\n"
                           "regex = '''password\\s*=\\s*\"([A-Za-z0-9]{16,})\"'''\nseverity = \"info\"\nmode = \"observe\"\n"
                           "[[rules]]\nid = \"acme.cover-loud\"\n"
                           "regex = '''password\\s*=\\s*\"([A-Za-z0-9]{16,})\"'''\nseverity = \"critical\"\nmode = \"observe\"\n");
    s.land();
    const auto before = s.server_ref("main");
    s.write("db.ini", generic_password(1));
    const auto r = s.commit_and_push("add db config");
    CHECK(r.status != 0);
    CHECK(r.err.find("generic.password") != std::string::npos);
    CHECK(s.server_ref("main") == before);
  }

  TEST_CASE("attack: vigil:allow naming another rule") {
    Server s;
    const auto before = s.server_ref("main");
    s.write("k.env", "TOKEN=" + fake_github_pat(34) + "  # vigil:allow generic.assignment test fixture\n");
    CHECK(s.commit_and_push("allow names another rule").status != 0);
    CHECK(s.server_ref("main") == before);
    s.forget_refused();
    // A misspelt rule id is not a reason that allows every rule.
    s.write("k.env", "TOKEN=" + fake_github_pat(34) + "  # vigil:allow github.pta test fixture\n");
    const auto r = s.commit_and_push("allow names no rule");
    CHECK(r.status != 0);
    CHECK(r.err.find("'github.pta', which is no rule") != std::string::npos);
    CHECK(s.server_ref("main") == before);
  }

  TEST_CASE("attack: vigil:allow without reason") {
    Server s;
    const auto before = s.server_ref("main");
    s.write("k.env", "TOKEN=" + fake_github_pat(35) + "  # vigil:allow\n");
    CHECK(s.commit_and_push("bare allow").status != 0);
    CHECK(s.server_ref("main") == before);
    s.forget_refused();
    s.write("k.env", "TOKEN=" + fake_github_pat(35) + "  # vigil:allow github.pat\n");
    const auto r = s.commit_and_push("allow with a rule and no reason");
    CHECK(r.status != 0);
    CHECK(r.err.find("gives no reason") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    s.forget_refused();
    // Control: the documented form, with the rule and a reason, counts under the default floor.
    s.write("k.env", "TOKEN=" + fake_github_pat(35) + "  # vigil:allow github.pat revoked token kept as a fixture\n");
    CHECK(s.commit_and_push("allow with a reason").status == 0);
    CHECK(s.server_ref("main") == s.clone_rev("HEAD"));
  }

  TEST_CASE("attack: critical secret with inline allow") {
    Server s("[server]\nmin_mode = { critical = \"enforce\" }\n");
    const auto before = s.server_ref("main");
    s.write("k.env", "TOKEN=" + fake_github_pat(36) + "  # vigil:allow github.pat revoked, trust me\n");
    const auto r = s.commit_and_push("critical with an inline allow");
    CHECK(r.status != 0);
    CHECK(s.server_ref("main") == before);
    CHECK(s.audit().find("min_mode enforces critical findings") != std::string::npos);
    // The repository cannot turn inline allows back on where the floor switched them off.
    Server t("[settings]\ninline_allow = false\n");
    t.write(".vigil.toml", "version = 1\n[settings]\ninline_allow = true\n");
    t.land();
    const auto t_before = t.server_ref("main");
    t.write("k.env", "TOKEN=" + fake_github_pat(37) + "  # vigil:allow github.pat revoked, trust me\n");
    CHECK(t.commit_and_push("inline allow the floor forbids").status != 0);
    CHECK(t.server_ref("main") == t_before);
  }

  TEST_CASE("attack: waiver fingerprint committed is blocked") {
    // Not an attack that must fail: committing documented waivers must land. Their fingerprints
    // are hashes vigil printed, not secrets.
    Server s;
    std::string toml = "version = 1\n";
    std::string baseline;
    for (int i = 0; i < 8; ++i) {
      const auto fp = vigil::fingerprint(i % 2 ? "stripe.secret-key" : "openai.api-key", "seed " + std::to_string(i));
      toml += "[[waivers]]\nfingerprint = \"" + fp + "\"\nowner = \"erin@example.com\"\n"
                                                     "reason = \"sandbox key, rotation tracked in PAY-12\"\nexpires = 2099-05-29\n";
      baseline += fp + " stripe.secret-key src/pay.py\n";
    }
    s.write(".vigil.toml", toml);
    s.write(".vigil-baseline", baseline);
    const auto r = s.commit_and_push("document waivers");
    CHECK_MESSAGE(r.status == 0, r.err);
    CHECK(s.server_ref("main") == s.clone_rev("HEAD"));
  }

  TEST_CASE("attack: repo grants itself a bypass through [server]") {
    Server s;
    s.write(".vigil.toml", "version = 1\n[server]\nbypass = true\nbypass_max_severity = \"critical\"\nrepo_allows = true\n"
                           "[[allow]]\npaths = [\"*.env\"]\nreason = \"env files are fixtures here\"\n");
    s.land();
    const auto before = s.server_ref("main");
    s.write("k.env", "TOKEN=" + fake_github_pat(38) + "\n");
    const auto r = s.commit_and_push("key", "main", "-o 'vigil.bypass=the repo says so'");
    CHECK(r.status != 0);
    CHECK(s.server_ref("main") == before);
    const auto audit = s.audit();
    CHECK(audit.find("has a [server] section") != std::string::npos);
    CHECK(audit.find("[[allow]] entry of the repository") != std::string::npos);
  }

  TEST_CASE("attack: repo [[files]] rule and forbidden message ignored at server") {
    Server s;
    s.write(".vigil.toml", "version = 1\n[[files]]\nglob = \"*.pem\"\nreason = \"keys live in the vault\"\n"
                           "[refs]\nprotected = [\"refs/heads/main\"]\n[messages]\nforbidden = ['^WIP']\n");
    s.land();
    const auto before = s.server_ref("main");
    s.write("cert.pem", "not really a key\n");
    CHECK(s.commit_and_push("add a pem").status != 0);
    CHECK(s.server_ref("main") == before);
    REQUIRE(s.in_clone("git rm -q --cached cert.pem && rm cert.pem && git commit -q --amend --allow-empty --no-verify -m 'WIP: later'").status == 0);
    const auto r = s.in_clone("git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("messages.forbidden") != std::string::npos);
    CHECK(s.server_ref("main") == before);
  }
}
