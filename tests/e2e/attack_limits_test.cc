// End-to-end attacks on vigil's bounds: a pusher who wants a secret through makes vigil stop
// judging before it reaches it (more candidates than it confirms, a file just over the size
// limit, a line that exhausts PCRE2, nesting deeper than decode_depth, padding past the
// confirmation window, a base64 run longer than the decoder once took) or makes it slow (20,000
// findings on one line, many small files). Each test pushes with the client hooks skipped
// (`--no-verify`) into a bare repository running vigil-pre-receive (or update), and asserts what
// landed: the server ref did not move, and the audit record names the bound that was reached.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/attack_server.h"
#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The shared attack server, with the hook named as git names it ("pre-receive" or "update").
struct Server : vigil::test::AttackServer {
  explicit Server(const std::string& policy, const std::string& hook = "pre-receive")
      : AttackServer(policy, hook == "update" ? vigil::test::ServerHooks::Update : vigil::test::ServerHooks::PreReceive) {}
};

std::string secret_line(unsigned seed) { return "GITHUB_TOKEN=" + fake_github_pat(seed) + "\n"; }

// Looks like a GitHub token to Hyperscan (a raw candidate) but fails the checksum: never a finding.
std::string decoy(unsigned i) {
  std::string body = "ghp_" + std::to_string(100000 + i);
  while (body.size() < 40) body += 'Q';
  return body;
}

// Checks the push was refused for a bound, and that the audit record names that bound.
void check_rejected_for_bound(const Server& s, const std::string& before, const CmdResult& r, const std::string& bound) {
  CHECK(r.status != 0);
  CHECK(s.server_ref() == before);
  CHECK(has(r.err, "a bound was reached: " + bound));
  const auto rec = s.last_record();
  CHECK(has(rec, "\"skips\":["));
  CHECK(has(rec, "\"bound\":\"" + bound + "\""));
  CHECK(sh(s.dir.path(), "$VIGIL audit verify srv.git/vigil-audit.jsonl").status == 0);
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("attack: a secret after more decoys than max_candidates is not confirmed, so the push is rejected") {
    Server s("[settings]\nmax_candidates = 1000\n");
    const auto before = s.server_ref();
    std::string text;
    for (unsigned i = 0; i < 1500; ++i) text += decoy(i) + "\n";
    text += secret_line(1);  // past the cap: never confirmed
    s.write("decoys.txt", text);
    const auto r = s.commit_and_push("attack");
    check_rejected_for_bound(s, before, r, "max_candidates");
    CHECK(has(r.err, "raise [settings] max_candidates"));
    CHECK(has(s.last_record(), "\"decision\":\"limit-reject\""));
    // The key raises the bound, and then the secret itself is what rejects the push.
    s.set_policy("[settings]\nmax_candidates = 5000\n");
    const auto again = sh(s.clone(), "git push --no-verify origin HEAD:main");
    CHECK(again.status != 0);
    CHECK(s.server_ref() == before);
    CHECK(has(s.last_record(), "\"decision\":\"reject\""));
    CHECK(has(s.last_record(), "github.pat"));
  }

  TEST_CASE("attack: a secret in a file just over max_file_size is rejected unread, at pre-receive and update") {
    for (const char* hook : {"pre-receive", "update"}) {
      INFO("hook ", hook);
      Server s("", hook);
      const auto before = s.server_ref();
      std::string text(5u << 20, 'x');
      for (std::size_t i = 80; i < text.size(); i += 81) text[i] = '\n';
      text += secret_line(2);  // 5 MiB + one line: over the default 5 MiB
      s.write("big.txt", text);
      const auto r = s.commit_and_push("attack");
      check_rejected_for_bound(s, before, r, "max_file_size");
      CHECK(has(r.err, "big.txt"));
      CHECK(has(r.err, "raise [settings] max_file_size"));
    }
  }

  TEST_CASE("attack: an oversized binary blob is not judged either, so it is rejected too") {
    Server s("[settings]\nmax_file_size = \"64KB\"\n");
    const auto before = s.server_ref();
    std::string bin(70000, '\0');
    bin += secret_line(3);
    s.write("asset.bin", bin);
    check_rejected_for_bound(s, before, s.commit_and_push("attack"), "max_file_size");
  }

  TEST_CASE("attack: a secret in a line that exhausts the PCRE2 budget of a floor rule is rejected") {
    // A floor rule whose confirmation backtracks: every candidate hits PCRE2's match limit.
    Server s("[[rules]]\nid = 'team.redos'\nregex = '''(a+)+x|ay'''\nsecret_group = 0\nseverity = 'high'\n"
             "examples = ['ay']\n");
    const auto before = s.server_ref();
    std::string text;
    for (int i = 0; i < 2000; ++i) text += std::string(40, 'a') + "y\n";
    s.write("input.txt", text);
    const auto r = s.commit_and_push("attack");
    check_rejected_for_bound(s, before, r, "confirm_limit");
    CHECK(has(r.err, "confirm limit hit: rule 'team.redos'"));
  }

  TEST_CASE("attack: a secret nested deeper than decode_depth is rejected; raising decode_depth finds it") {
    Server s("");
    const auto before = s.server_ref();
    // base64(base64(base64("GITHUB_TOKEN=ghp_..."))): three layers, two are peeled by default.
    s.write("plain.txt", secret_line(4));
    REQUIRE(sh(s.clone(), "b=$(base64 -w0 plain.txt | base64 -w0 | base64 -w0) && rm plain.txt && "
                          "printf 'blob: %s\\n' \"$b\" > nested.txt")
                .status == 0);
    const auto r = s.commit_and_push("attack");
    check_rejected_for_bound(s, before, r, "decode_depth");
    CHECK(has(r.err, "raise [settings] decode_depth"));
    s.set_policy("[settings]\ndecode_depth = 3\n");
    const auto again = sh(s.clone(), "git push --no-verify origin HEAD:main");
    CHECK(again.status != 0);
    CHECK(s.server_ref() == before);
    const auto rec = s.last_record();
    CHECK(has(rec, "\"decision\":\"reject\""));
    CHECK(has(rec, "base64>base64>base64"));
  }

  TEST_CASE("attack: a private key padded past the confirmation window is rejected") {
    Server s("");
    const auto before = s.server_ref();
    // The header, then more whitespace than the rule's 4096-byte window, then the key body: the
    // whole match is longer than the window PCRE2 confirms in.
    std::string body = "MIIEpAIBAAKCAQEA";
    while (body.size() < 64 * 4) body += "q3Y0NhX1vKq/BK5IngluaI0mqz0xEO5EIq12kCD6Cq8IqL+E5qWyZ8o6D4/tl/T";
    s.write("key.pem", "-----BEGIN RSA PRIVATE KEY-----" + std::string(5000, ' ') + "\n" + body +
                           "\n-----END RSA PRIVATE KEY-----\n");
    const auto r = s.commit_and_push("attack");
    check_rejected_for_bound(s, before, r, "window");
    CHECK(has(r.err, "raise the rule's window"));
  }

  TEST_CASE("attack: a secret inside a base64 run longer than 1 MiB is decoded and rejected") {
    Server s("");
    const auto before = s.server_ref();
    std::string text;
    while (text.size() < (1u << 20) + 4096) text += "ordinary words in a long document, nothing to see here. ";
    text += secret_line(5);
    s.write("doc.txt", text);
    REQUIRE(sh(s.clone(), "printf 'payload: %s\\n' \"$(base64 -w0 doc.txt)\" > blob.txt && rm doc.txt").status == 0);
    const auto r = s.commit_and_push("attack");
    CHECK(r.status != 0);
    CHECK(s.server_ref() == before);
    const auto rec = s.last_record();
    CHECK(has(rec, "\"decision\":\"reject\""));
    CHECK(has(rec, "github.pat"));
  }

  TEST_CASE("attack: 20,000 findings on one line are judged within the deadline, and rejected for them") {
    // Positions and excerpts were computed from the start of the line for each finding: this push
    // took minutes, so a short deadline turned it into a timeout. It is judged, not timed out.
    Server s("");
    s.dir.write("policy.toml", "[server]\ndeadline_ms = 60000\n");
    const auto before = s.server_ref();
    std::string line;
    for (unsigned i = 0; i < 20000; ++i) line += fake_github_pat(1000 + i) + " ";
    s.write("tokens.txt", line + "\n");
    const auto r = s.commit_and_push("attack");
    CHECK(r.status != 0);
    CHECK(s.server_ref() == before);
    const auto rec = s.last_record();
    INFO("push: ", r.err.substr(0, 600), "\nrecord: ", rec.substr(0, 600));
    CHECK(has(rec, "\"decision\":\"reject\""));
    CHECK_FALSE(has(rec, "timeout"));
    CHECK(has(rec, "github.pat"));
  }

  TEST_CASE("attack: many small files, one secret among them, are all judged and the push rejected") {
    Server s("");
    const auto before = s.server_ref();
    REQUIRE(sh(s.clone(), "mkdir -p many && i=0; while [ $i -lt 5000 ]; do echo \"value $i\" > many/f$i.txt; "
                          "i=$((i+1)); done")
                .status == 0);
    s.write("many/f4999.txt", secret_line(6));
    const auto r = s.commit_and_push("attack");
    CHECK(r.status != 0);
    CHECK(s.server_ref() == before);
    const auto rec = s.last_record();
    CHECK(has(rec, "\"decision\":\"reject\""));
    CHECK(has(rec, "many/f4999.txt"));
  }

  TEST_CASE("attack: with on_limit = \"accept\" a bound lets the push through, and the audit record says which") {
    Server s("on_limit = \"accept\"\n[settings]\nmax_file_size = \"64KB\"\n");
    const auto before = s.server_ref();
    s.write("big.txt", std::string(70000, 'x') + "\n");
    const auto r = s.commit_and_push("attack");
    CHECK(r.status == 0);
    CHECK(s.server_ref() != before);
    CHECK(has(r.err, "push accepted: not fully judged"));
    const auto rec = s.last_record();
    CHECK(has(rec, "\"decision\":\"limit-accept\""));
    CHECK(has(rec, "\"bound\":\"max_file_size\""));
    CHECK(has(rec, "big.txt"));
  }

  TEST_CASE("attack: a bypass does not cover a bound; a binary file under the size limit is a recorded skip") {
    Server s("bypass = true\n[settings]\nmax_file_size = \"64KB\"\n");
    const auto before = s.server_ref();
    s.write("big.txt", std::string(70000, 'x') + "\n");
    REQUIRE(sh(s.bare(), "git config receive.advertisePushOptions true").status == 0);
    REQUIRE(sh(s.clone(), "git add -A && git commit -q --no-verify -m big").status == 0);
    const auto r = sh(s.clone(), "git push --no-verify -o vigil.bypass='release now' origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(s.server_ref() == before);
    CHECK(has(s.last_record(), "\"decision\":\"limit-reject\""));
    // Binary content is skipped by policy (nothing a rule reads), recorded, and does not block.
    REQUIRE(sh(s.clone(), "git reset -q --hard HEAD~1").status == 0);
    s.write("logo.bin", std::string("\x89PNG\0\0\0", 7) + "binary bytes");
    CHECK(s.commit_and_push("attack").status == 0);
    CHECK(s.server_ref() != before);
    const auto rec = s.last_record();
    CHECK(has(rec, "\"decision\":\"accept\""));
    CHECK(has(rec, "logo.bin"));
    CHECK(has(rec, "binary"));
  }

  TEST_CASE("attack: on the laptop pre-commit and pre-push block on a bound and name the key; --no-verify is the escape") {
    TempRepo repo;
    repo.write(".vigil.toml", "[settings]\nmax_file_size = \"1KB\"\n");
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("big.txt", std::string(2000, 'x') + "\n");
    REQUIRE(repo.run("git add big.txt").status == 0);
    const auto c = repo.run("git commit -q -m big");
    CHECK(c.status != 0);
    CHECK(has(c.err, "commit blocked: not fully scanned, a bound was reached: max_file_size (1 file)"));
    CHECK(has(c.err, "raise [settings] max_file_size"));
    CHECK(has(c.err, "git commit --no-verify"));
    CHECK(repo.run("git rev-list --count HEAD").out == "1\n");
    REQUIRE(repo.run("git commit -q --no-verify -m big").status == 0);
    // pre-push judges the same commit and blocks it too.
    TempDir remote;
    REQUIRE(sh(remote.path(), "git init -q --bare r.git").status == 0);
    const auto p = repo.run("git push " + remote.path() + "/r.git HEAD:refs/heads/main");
    CHECK(p.status != 0);
    CHECK(has(p.err, "push blocked: not fully scanned, a bound was reached: max_file_size"));
    CHECK(sh(remote.path(), "git -C r.git rev-parse -q --verify refs/heads/main").status != 0);
  }
}
