// End-to-end attacks on names, encodings and the audit trail: real pushes with client hooks
// skipped (--no-verify) into a bare repository running vigil-pre-receive, asserting what landed on
// the server and what the audit file holds; then tampering with that file as an attacker would.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "detectors/audit/audit_log.h"
#include "tests/support/attack_server.h"
#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

using Server = vigil::test::AttackServer;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// What an attacker who can write the log but not read the key does after editing records: make
// every "prev" match again from `from` on, and rewrite the head file to the new end.
void recompute_chain(const TempDir& dir, std::vector<std::string>& lines, std::size_t from, bool strip_macs) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (strip_macs) {
      const auto at = lines[i].find(",\"mac\":\"");
      if (at != std::string::npos) lines[i] = lines[i].substr(0, at) + "}";
    }
    if (i >= from && i > 0) {
      const auto p = lines[i].find("\"prev\":\"");
      REQUIRE(p != std::string::npos);
      const auto e = lines[i].find('"', p + 8);
      lines[i] = lines[i].substr(0, p + 8) + vigil::audit_line_hash(lines[i - 1]) + lines[i].substr(e);
    }
  }
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  dir.write("srv.git/vigil-audit.jsonl", text);
  dir.write("srv.git/vigil-audit.jsonl.head",
            std::to_string(lines.size()) + " " + vigil::audit_line_hash(lines.back()) + "\n");
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("attack: non-UTF-8 path with a secret") {
    Server s;
    const auto before = s.server_ref("main");
    const auto pat = fake_github_pat(41);
    REQUIRE(s.in_clone("printf 'TOKEN=" + pat + "\\n' > \"$(printf 'caf\\351.env')\" && git add -A && "
                                                "git commit -q --no-verify -m latin1")
                .status == 0);
    const auto r = s.in_clone("git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server_ref("main") == before);  // nothing landed
    CHECK(r.err.find(pat) == std::string::npos);
    const auto rec = s.last_record();
    // Judged and recorded: the decision, the rule, and the name quoted reversibly (octal 351 = 0xE9).
    CHECK(rec.find("\"decision\":\"reject\"") != std::string::npos);
    CHECK(rec.find("github.pat") != std::string::npos);
    CHECK(rec.find(R"("path":"\"caf\\351.env\"")") != std::string::npos);
    CHECK(rec.find(pat) == std::string::npos);
    CHECK(s.verify().status == 0);
  }

  TEST_CASE("attack: ref name that is not UTF-8") {
    Server s;
    const auto pat = fake_github_pat(42);
    REQUIRE(s.in_clone("echo 'TOKEN=" + pat + "' > t.env && git add t.env && git commit -q --no-verify -m t").status == 0);
    const auto r = s.in_clone("git push --no-verify origin \"HEAD:refs/heads/$(printf 'r\\351sum\\351')\"");
    CHECK(r.status != 0);
    CHECK(sh(s.bare(), "git for-each-ref --format='%(refname)' refs/heads/").out == "refs/heads/main\n");
    auto rec = s.last_record();
    CHECK(rec.find("\"decision\":\"reject\"") != std::string::npos);
    CHECK(rec.find(R"("ref":"\"refs/heads/r\\351sum\\351\"")") != std::string::npos);
    // A clean commit under such a name is accepted, and recorded under the same reversible name.
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && echo ok > ok.txt && git add ok.txt && git commit -q -m ok").status == 0);
    CHECK(s.in_clone("git push -q --no-verify origin \"HEAD:refs/heads/$(printf 'r\\351sum\\351')\"").status == 0);
    CHECK(s.last_record().find("\"decision\":\"accept\"") != std::string::npos);
    CHECK(s.verify().status == 0);
  }

  TEST_CASE("attack: secret in a file name") {
    Server s;
    const auto before = s.server_ref("main");
    const auto pat = fake_github_pat(43);
    REQUIRE(s.in_clone("mkdir -p keys && echo harmless > keys/" + pat + " && git add keys && "
                                                                        "git commit -q --no-verify -m 'just a name'")
                .status == 0);
    const auto r = s.in_clone("git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server_ref("main") == before);
    CHECK(r.err.find("github.pat") != std::string::npos);
    CHECK(r.err.find("in the file name keys/ghp_") != std::string::npos);
    CHECK(r.err.find(pat) == std::string::npos);
    CHECK(s.audit().find(pat) == std::string::npos);
    CHECK(s.audit().find(pat.substr(0, 20)) == std::string::npos);  // not even most of it
  }

  TEST_CASE("attack: secret in a branch name") {
    Server s;
    const auto pat = fake_github_pat(44);
    REQUIRE(s.in_clone("echo fine > f.txt && git add f.txt && git commit -q --no-verify -m fine").status == 0);
    const auto r = s.in_clone("git push --no-verify origin HEAD:refs/heads/fix/" + pat);
    CHECK(r.status != 0);
    CHECK(s.server_ref("refs/heads/fix/" + pat).empty());  // the ref was not created
    CHECK(r.err.find("in the ref name refs/heads/fix/ghp_") != std::string::npos);
    // git's own summary line repeats the pusher's ref name; what the server says never does.
    for (const auto& l : lines_of(r.err)) {
      if (l.rfind("remote:", 0) == 0) CHECK(l.find(pat) == std::string::npos);
    }
    const auto rec = s.last_record();
    CHECK(rec.find("\"decision\":\"reject\"") != std::string::npos);
    CHECK(rec.find("\"ref\":\"refs/heads/fix/ghp_") != std::string::npos);  // recorded, masked
    CHECK(s.audit().find(pat) == std::string::npos);
    CHECK(s.audit().find(pat.substr(0, 20)) == std::string::npos);
  }

  TEST_CASE("attack: forbidden file at depth via ** glob") {
    Server s("[[files]]\nid = \"prod-config\"\nglob = \"**/config*/prod.yml\"\nreason = \"production settings live in the vault\"\n");
    const auto before = s.server_ref("main");
    REQUIRE(s.in_clone("mkdir -p app/configs/old/config && echo 'db: prod' > app/configs/old/config/prod.yml && "
                       "git add app && git commit -q --no-verify -m deep")
                .status == 0);
    const auto r = s.in_clone("git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("prod-config") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    CHECK(s.last_record().find("\"rule\":\"prod-config\"") != std::string::npos);
    // A path the glob does not name still goes through.
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && mkdir -p app/configs && echo x > app/configs/prod.yml.bak && "
                       "git add app && git commit -q -m other")
                .status == 0);
    CHECK(s.in_clone("git push -q --no-verify origin HEAD:main").status == 0);
  }

  TEST_CASE("attack: symlink escaping through a symlinked directory") {
    Server s("[[files]]\nid = \"links-inside\"\nglob = \"**\"\nsymlink = \"inside\"\nreason = \"checkouts must not reach outside\"\n");
    const auto before = s.server_ref("main");
    // a/b/up -> ../.. is the repository's root (inside); a/b/esc -> up/.. reads as a/b lexically,
    // but a checkout follows up first and lands above the root.
    REQUIRE(s.in_clone("mkdir -p a/b && ln -s ../.. a/b/up && ln -s up/../etc/passwd a/b/esc && git add a && "
                       "git commit -q --no-verify -m links")
                .status == 0);
    const auto r = s.in_clone("git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("a/b/esc") != std::string::npos);
    CHECK(r.err.find("points outside the repository") != std::string::npos);
    CHECK(s.server_ref("main") == before);
    // Two links that point at each other never resolve: counted as leaving.
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && ln -s y x && ln -s x y && git add x y && "
                       "git commit -q --no-verify -m loop")
                .status == 0);
    CHECK(s.in_clone("git push --no-verify origin HEAD:main").status != 0);
    CHECK(s.server_ref("main") == before);
    // A link through the same directory link that stays inside is accepted.
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && mkdir -p a/b && ln -s ../.. a/b/up && ln -s up/README a/b/readme && "
                       "git add a && git commit -q -m fine")
                .status == 0);
    CHECK(s.in_clone("git push -q --no-verify origin HEAD:main").status == 0);
    CHECK(s.server_ref("main") != before);
  }

  TEST_CASE("attack: rewrite audit log and recompute hashes") {
    Server s;
    const auto pat = fake_github_pat(45);
    REQUIRE(s.in_clone("echo 'TOKEN=" + pat + "' > s.env && git add s.env && git commit -q --no-verify -m s").status == 0);
    CHECK(s.in_clone("git push -q --no-verify origin HEAD:main 2>/dev/null").status != 0);
    REQUIRE(s.in_clone("git reset -q --hard HEAD~1 && echo a > a && git add a && git commit -q -m a && "
                       "git push -q --no-verify origin HEAD:main 2>/dev/null")
                .status == 0);
    // The key was made on the first push, 0600, beside the log.
    CHECK(sh(s.bare(), "stat -c %a vigil-audit.key").out == "600\n");
    auto v = s.verify();
    CHECK(v.status == 0);
    CHECK(v.out.find("3 records, 3 with a verified MAC") != std::string::npos);
    const auto original = s.audit();
    auto lines = lines_of(original);
    REQUIRE(lines.size() == 3);
    REQUIRE(lines[1].find("\"decision\":\"reject\"") != std::string::npos);

    SUBCASE("the rejection is turned into an acceptance, every hash recomputed, the stale MACs kept") {
      lines[1].replace(lines[1].find("\"decision\":\"reject\""), 19, "\"decision\":\"accept\"");
      recompute_chain(s.dir, lines, 2, false);
      v = s.verify();
      CHECK(v.status == 1);
      CHECK(v.err.find("line 2: the MAC of record 2 does not match: it is the first record that differs") != std::string::npos);
    }
    SUBCASE("the MACs are stripped and the chain recomputed: the log passes for an unkeyed one, but the key exists") {
      lines[1].replace(lines[1].find("\"decision\":\"reject\""), 19, "\"decision\":\"accept\"");
      recompute_chain(s.dir, lines, 1, true);
      v = s.verify();
      CHECK(v.status == 1);
      CHECK(v.err.find("no record carries a MAC, yet there is a key") != std::string::npos);
      // Without the key, verify cannot tell, and says what it could not check.
      REQUIRE(sh(s.bare(), "mv vigil-audit.key ../key.saved").status == 0);
      v = s.verify();
      CHECK(v.status == 0);
      CHECK(v.out.find("unkeyed hash chain only: no key at") != std::string::npos);
      v = sh(s.dir.path(), "$VIGIL audit verify --key key.saved srv.git/vigil-audit.jsonl");
      CHECK(v.status == 1);
    }
    // Whatever the rewrite, the ref never moved: the server still has only the clean commit.
    CHECK(sh(s.bare(), "git cat-file -e $(git -C ../work rev-parse HEAD)").status == 0);
  }

  TEST_CASE("attack: truncate audit log") {
    Server s;
    for (int i = 0; i < 3; ++i) {
      REQUIRE(s.in_clone("echo " + std::to_string(i) + " > n && git add n && git commit -q -m n && "
                                                       "git push -q --no-verify origin HEAD:main 2>/dev/null")
                  .status == 0);
    }
    auto lines = lines_of(s.audit());
    REQUIRE(lines.size() == 4);
    SUBCASE("the last record is cut, the head file left") {
      lines.pop_back();
      std::string text;
      for (const auto& l : lines) text += l + "\n";
      s.dir.write("srv.git/vigil-audit.jsonl", text);
      const auto v = s.verify();
      CHECK(v.status == 1);
      CHECK(v.err.find("the head file records 4, the log ends at 3") != std::string::npos);
    }
    SUBCASE("the last record is cut and the head file rewritten to match, without the key") {
      lines.pop_back();
      recompute_chain(s.dir, lines, lines.size(), false);
      const auto v = s.verify();
      CHECK(v.status == 1);
      CHECK(v.err.find("the head file carries no MAC") != std::string::npos);
    }
  }

  TEST_CASE("attack: malformed seq") {
    Server s;
    REQUIRE(s.in_clone("echo x > x && git add x && git commit -q -m x && git push -q --no-verify origin HEAD:main 2>/dev/null").status == 0);
    const auto before = s.server_ref("main");
    auto text = s.audit();
    const auto at = text.find("\"seq\":2");
    REQUIRE(at != std::string::npos);
    text.replace(at, 7, "\"seq\":\"2\"");
    s.dir.write("srv.git/vigil-audit.jsonl", text);
    auto v = s.verify();
    CHECK(v.status == 1);  // a verdict, not a crash
    CHECK(v.err.find("line 2: \"seq\" is a string where a non-negative integer belongs") != std::string::npos);
    const auto rep = sh(s.dir.path(), "$VIGIL report srv.git/vigil-audit.jsonl");
    CHECK(rep.status < 128);  // no abort
    CHECK(rep.out.find("FAILED") != std::string::npos);
    // The next push cannot chain to a damaged record: rejected, fail closed, nothing lands.
    REQUIRE(s.in_clone("echo y > y && git add y && git commit -q -m y").status == 0);
    const auto r = s.in_clone("git push --no-verify origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(r.err.find("ends with a damaged record") != std::string::npos);
    CHECK(s.server_ref("main") == before);
  }
}
