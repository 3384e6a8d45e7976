// The pipeline between buffers, the scanner and policy: where a finding is, which lines count
// (added-line regions), what its excerpt shows (one clean line, every secret on it masked, cut
// without splitting a character), skips, inline allows, and masking of quoted input. The secret
// itself never appears in a finding, nor in any report format written from one.
#include "detectors/pipeline.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "detectors/report/report.h"
#include "detectors/util/quote.h"

using namespace vigil;

namespace {

constexpr const char* kConfig = R"(version = 1
[settings]
builtin_rules = false
[[rules]]
id = "test.token"
name = "Test token"
regex = '''\b(tok_[a-z0-9]{24})\b'''
keywords = ["tok_"]
entropy = 2.5
)";

Engine engine() {
  auto cfg = parse_config(kConfig, "pipeline_test.toml");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.error().message));
  auto e = Engine::create(std::move(*cfg));
  REQUIRE_MESSAGE(e, (e ? "" : e.error().message));
  return std::move(*e);
}

// A token the test rule finds: 24 random lower-case letters and digits after "tok_".
std::string token(unsigned seed) {
  std::mt19937 rng(seed);
  const std::string alpha = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s = "tok_";
  for (int i = 0; i < 24; ++i) s += alpha[rng() % alpha.size()];
  return s;
}

// A 40-character base64 run no rule matches, random enough to be masked in excerpts.
std::string random_run(unsigned seed) {
  std::mt19937 rng(seed);
  const std::string alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s;
  for (int i = 0; i < 40; ++i) s += alpha[rng() % alpha.size()];
  return s;
}

struct Scanned {
  std::vector<Finding> findings;
  std::vector<Skip> skips;
};

Scanned scan(const Engine& e, std::string_view bytes, BufferContext ctx = {}) {
  auto session = ScanSession::create(e);
  REQUIRE(session);
  Scanned s;
  if (ctx.path.empty()) ctx.path = "src/config.env";
  REQUIRE(session->scan_buffer(bytes, ctx, s.findings, s.skips));
  return s;
}

// No part of the secret after its prefix, 8 characters or longer, appears in `text`.
bool reveals(const std::string& text, const std::string& secret) {
  for (std::size_t i = 4; i + 8 <= secret.size(); ++i) {
    if (text.find(secret.substr(i, 8)) != std::string::npos) return true;
  }
  return false;
}

std::string render(const ScanReport& r, const std::string& format) {
  auto reporter = make_reporter(format, Audience::Ci, false);
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

}  // namespace

TEST_CASE("pipeline: a finding has its place, the masked secret, and an excerpt with every secret on the line masked") {
  const auto e = engine();
  const auto s1 = token(1), s2 = token(2);
  BufferContext ctx;
  ctx.path = "deploy/app.env";
  ctx.commit = "0123456789abcdef0123456789abcdef01234567";
  ctx.author = "A U Thor <author@example.com>";
  ctx.date = "2026-01-02T03:04:05Z";
  ctx.blob = "89abcdef0123456789abcdef0123456789abcdef";
  const auto r = scan(e, "first line\nA = " + s1 + " B = " + s2 + "\n", ctx);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.skips.empty());
  const auto& f = r.findings[0];
  CHECK(f.rule_id == "test.token");
  CHECK(f.rule_name == "Test token");
  CHECK(f.path == "deploy/app.env");
  CHECK(f.line == 2);
  CHECK(f.column == 5);
  CHECK(r.findings[1].column == 5 + s1.size() + 5);
  CHECK(f.commit == ctx.commit);
  CHECK(f.author == ctx.author);
  CHECK(f.date == ctx.date);
  CHECK(f.blob == ctx.blob);
  CHECK(f.disposition == Disposition::Block);
  CHECK(f.redacted == redact(s1));
  CHECK(f.fingerprint == fingerprint("test.token", s1));
  CHECK(f.excerpt.rfind("A = tok", 0) == 0);
  for (const auto& x : r.findings) {
    for (const auto& secret : {s1, s2}) {
      CHECK_FALSE(reveals(x.redacted, secret));
      CHECK_FALSE(reveals(x.excerpt, secret));  // the other secret on the line too
      CHECK_FALSE(reveals(x.fingerprint, secret));
    }
  }
}

TEST_CASE("pipeline: with only added lines counting, a secret on an unchanged line is not this change's") {
  const auto e = engine();
  const auto old1 = token(3), added = token(4), old2 = token(5);
  const std::string text = "a = " + old1 + "\nb = " + added + "\nc = " + old2 + "\n";
  BufferContext ctx;
  ctx.only_added_lines = true;
  ctx.added_lines = {{2, 2}};
  auto r = scan(e, text, ctx);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].line == 2);
  CHECK(r.findings[0].redacted == redact(added));
  // Only deletions: nothing was added, nothing counts.
  ctx.added_lines.clear();
  CHECK(scan(e, text, ctx).findings.empty());
  // A large file is scanned only around its added lines (regions): the same answer.
  std::string big = "x = " + old1 + "\n";
  for (int i = 0; i < 2000; ++i) big += "filler line " + std::to_string(i) + " of a large file\n";
  big += "y = " + added + "\n";  // line 2002
  for (int i = 0; i < 2000; ++i) big += "more filler " + std::to_string(i) + "\n";
  big += "z = " + old2 + "\n";
  ctx.added_lines = {{2002, 2002}, {2500, 2501}};
  r = scan(e, big, ctx);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].line == 2002);
  CHECK(r.findings[0].column == 5);
  // Every line counts without only_added_lines.
  CHECK(scan(e, big).findings.size() == 3);
}

TEST_CASE("pipeline: an excerpt is one clean line, cut at 160 bytes on a character boundary, random runs masked") {
  const auto e = engine();
  const auto s = token(6);
  const auto run = random_run(7);
  auto r = scan(e, "\t key=" + s + "\x01 note " + run + " end  \r\n");
  REQUIRE(r.findings.size() == 1);
  const auto& x = r.findings[0].excerpt;
  CHECK(x.rfind("key=", 0) == 0);              // trimmed
  CHECK(x.find('\x01') == std::string::npos);  // control characters become spaces
  CHECK(x.find("end") != std::string::npos);
  CHECK(x.find(run.substr(8, 16)) == std::string::npos);  // a long random run is masked too
  std::string wide;
  for (int i = 0; i < 200; ++i) wide += "\xC3\xA9";  // 'é', two bytes each
  r = scan(e, s + " " + wide + "\n");
  REQUIRE(r.findings.size() == 1);
  const auto& cut = r.findings[0].excerpt;
  CHECK(cut.size() <= 160 + 3);
  CHECK(cut.ends_with("\xE2\x80\xA6"));
  CHECK(is_valid_utf8(cut));
  CHECK_FALSE(reveals(cut, s));
}

TEST_CASE("pipeline: binary and oversized input is skipped, and each skip says why") {
  auto e = engine();
  const auto s = token(8);
  auto r = scan(e, std::string("\0binary ", 8) + s + "\n");
  CHECK(r.findings.empty());
  REQUIRE(r.skips.size() == 1);
  CHECK(r.skips[0].reason.rfind("binary", 0) == 0);
  CHECK(r.skips[0].bound.empty());  // a skip by policy, not a bound reached
  e.config.settings.max_file_size = 64;
  r = scan(e, "key = " + s + "\n" + std::string(100, '#'));
  CHECK(r.findings.empty());
  REQUIRE(r.skips.size() == 1);
  CHECK(r.skips[0].bound == "max_file_size");  // a bound: the gates treat it as not judged
  CHECK(r.skips[0].reason == "larger than max_file_size 64 B (135 B) — not scanned; raise [settings] "
                             "max_file_size to scan it");
}

TEST_CASE("pipeline: an inline vigil:allow on the line allows the finding and keeps its reason") {
  const auto e = engine();
  const auto s = token(9);
  const auto r = scan(e, "key = " + s + "  # vigil:allow test.token fixture for the parser tests\nother = " + token(10) + "\n");
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].disposition == Disposition::Allowed);
  CHECK(r.findings[0].note.find("fixture for the parser tests") != std::string::npos);
  CHECK(r.findings[1].disposition == Disposition::Block);
}

TEST_CASE("redact_spans: overlapping and unordered spans are masked once; the rest is kept") {
  const std::string text = "aaaa SECRETSECRETSECRET bbbb OTHERSECRET cccc";
  const auto out = redact_spans(text, {{29, 40}, {5, 17}, {10, 23}}, false);
  CHECK(out.rfind("aaaa ", 0) == 0);
  CHECK(out.find("bbbb") != std::string::npos);
  CHECK(out.ends_with(" cccc"));
  CHECK(out.find("SECRET") == std::string::npos);
  CHECK(redact_spans("nothing to hide", {}, true) == "nothing to hide");
  const auto run = random_run(11);
  CHECK(redact_spans("id " + run, {}, false) == "id " + run);
  CHECK(redact_spans("id " + run, {}, true).find(run.substr(8, 16)) == std::string::npos);
  // Hex ids (commit hashes) are not random enough to be mistaken for key material.
  const std::string commit = "0123456789abcdef0123456789abcdef01234567";
  CHECK(redact_spans("commit " + commit, {}, true) == "commit " + commit);
}

TEST_CASE("pipeline: quoted input (messages, names) is masked where it holds a secret") {
  const auto e = engine();
  const auto s = token(12);
  auto session = ScanSession::create(e);
  REQUIRE(session);
  const auto masked = session->mask_secrets("fix: rotate " + s + " in prod");
  REQUIRE(masked);
  CHECK(masked->rfind("fix: rotate tok", 0) == 0);
  CHECK_FALSE(reveals(*masked, s));
  std::vector<Finding> fs(2);
  fs[0].rule_id = "messages.subject";
  fs[0].excerpt = "subject: add " + s;  // quotes user input: masked here
  fs[1].rule_id = "test.token";
  fs[1].redacted = redact(s);
  fs[1].excerpt = "already masked " + redact(s);
  const auto before = fs[1].excerpt;
  REQUIRE(mask_quoted_input(e, fs));
  CHECK_FALSE(reveals(fs[0].excerpt, s));
  CHECK(fs[0].excerpt.rfind("subject: add tok", 0) == 0);
  CHECK(fs[1].excerpt == before);
}

TEST_CASE("pipeline: lockfiles are known by their base name") {
  CHECK(is_lockfile("package-lock.json"));
  CHECK(is_lockfile("web/yarn.lock"));
  CHECK(is_lockfile("a/b/go.sum"));
  CHECK_FALSE(is_lockfile("go.sum.bak"));
  CHECK_FALSE(is_lockfile("src/lock.json"));
}

TEST_CASE("pipeline + reports: no report format ever carries the secret in full") {
  const auto e = engine();
  const auto s1 = token(13), s2 = token(14);
  BufferContext ctx;
  ctx.path = "deploy/app.env";
  ctx.commit = "0123456789abcdef0123456789abcdef01234567";
  ScanReport report;
  REQUIRE(ScanSession::create(e)->scan_buffer("A=" + s1 + "\nB=" + s2 + " # vigil:allow test fixture\n", ctx,
                                              report.findings, report.skips));
  REQUIRE(report.findings.size() == 2);
  report.rules_version = e.version;
  for (const auto& format : reporter_formats()) {
    INFO("format ", format);
    const auto out = render(report, format);
    CHECK_FALSE(out.empty());
    CHECK_FALSE(reveals(out, s1));
    CHECK_FALSE(reveals(out, s2));
    if (format == "sarif" || format == "gitlab") {
      const auto j = nlohmann::json::parse(out);  // one document
      CHECK(j.dump().find("test.token") != std::string::npos);
    } else if (format == "json") {
      CHECK(nlohmann::json::parse(out.substr(0, out.find('\n')))["data"]["rule"] == "test.token");
    } else {
      CHECK(out.find("test.token") != std::string::npos);
    }
  }
}
