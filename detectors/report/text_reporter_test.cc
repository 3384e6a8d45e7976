// The text report: a summary line that names what blocked (secrets, signatures, file, message
// and ref rules, each as what it is), one block per shown finding, and advice that is true for
// the audience (what pre-push has and has not sent; which bypass is recorded).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "detectors/report/report.h"

using namespace vigil;

namespace {

std::string render(const ScanReport& r, Audience a) {
  auto reporter = make_reporter("text", a, false);
  REQUIRE(reporter);
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  REQUIRE(f);
  const auto res = reporter->write(r, f);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  REQUIRE(res.ok());
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Finding secret(std::string path, std::size_t line, Disposition d = Disposition::Block) {
  Finding f;
  f.rule_id = "test.token";
  f.rule_name = "Test token";
  f.path = std::move(path);
  f.line = line;
  f.column = 5;
  f.redacted = "tok_****\xE2\x80\xA6wxyz";
  f.excerpt = "key tok_****\xE2\x80\xA6wxyz";
  f.disposition = d;
  return f;
}

Finding policy(std::string id, std::string path) {
  Finding f;
  f.rule_id = std::move(id);
  f.rule_name = "policy rule";
  f.tags = {"policy"};
  f.path = std::move(path);
  f.note = "why the rule exists";
  return f;
}

}  // namespace

TEST_CASE("text report: the summary names each kind of finding as what it is") {
  ScanReport r;
  r.findings = {secret("a.env", 3), secret("a.env", 9), secret("b.env", 1)};
  r.findings.push_back(policy("files.forbidden", "id_rsa"));
  r.findings.push_back(policy("messages.subject", ""));
  Finding unsigned_commit;
  unsigned_commit.rule_id = "signature.unsigned";
  unsigned_commit.rule_name = "unsigned commit";
  unsigned_commit.tags = {"signature"};
  unsigned_commit.commit = "25f8e66b26d2aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  r.findings.push_back(unsigned_commit);
  const auto out = render(r, Audience::Committer);
  CHECK(out.rfind("vigil: commit blocked: 3 secrets in 2 files, 1 unsigned commit, 1 forbidden file change and "
                  "1 message rule broken\n",
                  0) == 0);
  CHECK(has(out, "  a.env:3:5  test.token  high  tok_****\xE2\x80\xA6wxyz\n      key tok_****\xE2\x80\xA6wxyz\n"));
  CHECK(has(out, "  id_rsa  files.forbidden  high\n      note: why the rule exists\n"));  // no line for a file rule
  CHECK(has(out, "  commit 25f8e66b26d2  signature.unsigned"));
  CHECK(has(out, "policy: each note says why the rule exists; the rules live in .vigil.toml ([[files]], [messages])"));
}

TEST_CASE("text report: pre-push says nothing was sent; the server says the key has left the machine") {
  ScanReport r;
  r.findings = {secret("a.env", 3)};
  const auto push = render(r, Audience::Pusher);
  CHECK(push.rfind("vigil: push blocked: 1 secret in 1 file\n", 0) == 0);
  CHECK(has(push, "fix: nothing was sent"));
  CHECK_FALSE(has(push, "has left your machine"));
  const auto server = render(r, Audience::Server);
  CHECK(has(server, "the key has left your machine"));
  CHECK_FALSE(has(server, "VIGIL_SKIP"));  // the laptop bypass means nothing on a server
  const auto ci = render(r, Audience::Ci);
  CHECK(ci.rfind("vigil: scan blocked:", 0) == 0);
  CHECK(has(ci, "fix: rotate each key"));
}

TEST_CASE("text report: only VIGIL_SKIP is offered as the recorded bypass, and only when the policy allows it") {
  ScanReport r;
  r.findings = {secret("a.env", 3), policy("files.forbidden", "id_rsa")};
  r.skip_allowed = true;
  const auto allowed = render(r, Audience::Committer);
  CHECK(has(allowed, "VIGIL_SKIP=test.token,files.forbidden VIGIL_SKIP_REASON=\"<why>\" git commit ..."));
  CHECK(has(allowed, "`git commit --no-verify` skips vigil too, but nothing records it"));
  r.skip_allowed = false;
  const auto refused = render(r, Audience::Pusher);
  CHECK(has(refused, "does not allow VIGIL_SKIP"));
  CHECK(has(refused, "`git push --no-verify` skips every hook, and nothing records it"));
}

TEST_CASE("text report: warnings allow, allowed findings stay quiet, skips are listed then summarised") {
  ScanReport r;
  r.findings = {secret("a.env", 3, Disposition::Warn), secret("b.env", 4, Disposition::Allowed)};
  r.rules_version = "rules-1";
  r.skips.push_back({"big.bin", "", "binary (NUL byte in the first 8000 bytes)"});
  const auto out = render(r, Audience::Committer);
  CHECK(out.rfind("vigil: commit allowed with 1 warning\n", 0) == 0);
  CHECK(has(out, "a.env:3:5  test.token  high (warn)"));
  CHECK_FALSE(has(out, "b.env"));
  CHECK(has(out, "vigil: skipped big.bin: binary"));
  CHECK(has(out, ", rules rules-1\n"));
  CHECK_FALSE(has(out, "fix:"));
  for (int i = 0; i < 9; ++i) r.skips.push_back({"f" + std::to_string(i), "", "binary (NUL byte)"});
  CHECK(has(render(r, Audience::Committer), "vigil: skipped 10 files: 10 binary (--format json lists them)"));
  CHECK(render(ScanReport{}, Audience::Committer).empty());  // clean: silent
}
