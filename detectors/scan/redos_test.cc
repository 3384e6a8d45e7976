// ReDoS: rules with catastrophic-backtracking shapes must not make a scan hang. Hyperscan (stage 1)
// is an automaton and cannot backtrack; PCRE2 (stage 2) runs on a bounded window under match,
// depth, heap and JIT-stack limits, and a candidate it gives up on is reported, never dropped.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "detectors/scan/scanner.h"

using namespace vigil;

namespace {

Rule make_rule(std::string id, std::string regex, std::size_t window = 4096) {
  Rule r;
  r.id = std::move(id);
  r.regex = std::move(regex);
  r.secret_group = 0;
  r.window = window;
  r.source = "redos_test";
  return r;
}

struct Outcome {
  Result<void> status = {};
  std::vector<Match> matches;
  ScanLimits limits;
  double seconds = 0;
};

Outcome scan_with(const std::vector<Rule>& rules, const std::string& input) {
  auto scanner = Scanner::compile(rules);
  REQUIRE_MESSAGE(scanner.ok(), (scanner.ok() ? "" : scanner.error().message));
  auto scratch = scanner->make_scratch();
  REQUIRE(scratch.ok());
  Outcome o;
  ScanOptions opts;
  opts.limits = &o.limits;
  opts.decode_depth = 0;
  const auto t0 = std::chrono::steady_clock::now();
  o.status = scanner->scan(input, *scratch, o.matches, opts);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

// Generous bounds: the same scans take milliseconds; without the limits they take minutes.
constexpr double kQuick = 3.0;

}  // namespace

TEST_CASE("redos: classic catastrophic shapes finish at once on 100 KB of 'a' and a '!'") {
  const std::string input = std::string(100 * 1024, 'a') + "!";
  for (const char* re : {"(a+)+$", "(a|aa)+b", "(\\w+\\s?)+$", "(a|a?)+b", "(.*a){12}x"}) {
    CAPTURE(re);
    auto o = scan_with({make_rule("redos.shape", re)}, input);
    REQUIRE(o.status.ok());
    CHECK(o.matches.empty());
    CHECK(o.seconds < kQuick);
  }
}

TEST_CASE("redos: (\\w+\\s?)*$ (it matches at the end of every line) finishes on adversarial input") {
  // Hyperscan reports the (empty) match at the end of the buffer; PCRE2 confirms it on the
  // window only, under its limits, so the answer comes at once whatever it is.
  for (const std::string& input : {std::string(100 * 1024, 'a') + "!", std::string(100 * 1024, 'a') + " !\n"}) {
    auto o = scan_with({make_rule("redos.star", "(\\w+\\s?)*$")}, input);
    REQUIRE(o.status.ok());
    CHECK(o.seconds < kQuick);
  }
}

TEST_CASE("redos: a confirmation that backtracks exponentially is reported as a limit hit, not dropped") {
  // Stage 1 finds "ay" at the end; PCRE2 first tries (a+)+x from the start of the window, over
  // 4095 a's: exponential, so the match limit stops it.
  const std::string input = std::string(100 * 1024, 'a') + "y";
  auto o = scan_with({make_rule("redos.confirm", "(a+)+x|ay")}, input);
  REQUIRE(o.status.ok());
  CHECK(o.seconds < kQuick);
  CHECK(o.matches.empty());
  CHECK(o.limits.confirm_limit_hits == 1);
  CHECK(o.limits.first_rule == "redos.confirm");
  CHECK(o.limits.first_offset == input.size());
  CHECK(o.limits.any());
}

TEST_CASE("redos: many backtracking candidates in one buffer cost a bounded number of limit hits") {
  // 20,000 candidates that each exhaust the match limit would take minutes; after a few limit hits
  // the rule is not confirmed again in this buffer, and the rest are counted as abandoned.
  std::string input;
  for (int i = 0; i < 20000; ++i) input += std::string(40, 'a') + "y\n";
  auto o = scan_with({make_rule("redos.many", "(a+)+x|ay")}, input);
  REQUIRE(o.status.ok());
  CHECK(o.seconds < kQuick);
  CHECK(o.limits.confirm_limit_hits >= 1);
  CHECK(o.limits.confirm_limit_hits <= 8);
  CHECK(o.limits.confirm_limit_hits + o.limits.abandoned == 20000);
}

TEST_CASE("redos: a well-behaved rule next to a backtracking one still reports its secrets") {
  std::string input;
  for (int i = 0; i < 2000; ++i) input += std::string(40, 'a') + "y\n";
  input += "token=SAFE_0123456789abcdef\n";
  auto o = scan_with({make_rule("redos.bad", "(a+)+x|ay"), make_rule("redos.good", "SAFE_[0-9a-f]{16}")}, input);
  REQUIRE(o.status.ok());
  REQUIRE(o.matches.size() == 1);
  CHECK(o.matches[0].secret == "SAFE_0123456789abcdef");
  CHECK(o.limits.first_rule == "redos.bad");
}

TEST_CASE("redos: the JIT stack is bounded — a long repeated group hits its limit instead of growing") {
  // Each iteration of a capturing alternation leaves a backtracking frame on the JIT stack: 65,000
  // of them need more than the 512 KiB the scanner allows. The window (max 65536) bounds the rest.
  const std::string input = std::string(65000, 'a') + "c";
  auto o = scan_with({make_rule("redos.stack", "(?:(a)|b)+c", 65536)}, input);
  REQUIRE(o.status.ok());
  CHECK(o.seconds < kQuick);
  CHECK(o.matches.empty());
  CHECK(o.limits.confirm_limit_hits == 1);
  CHECK(o.limits.first_rule == "redos.stack");
}

TEST_CASE("redos: more raw candidates than one scan confirms is reported as truncated") {
  // A rule that matches at every other byte: 2.5 million candidates in 5 MB; the scanner confirms
  // the first 200,000 and says the rest were not.
  std::string input;
  input.reserve(5u << 20);
  while (input.size() < (5u << 20)) input += "q ";
  auto o = scan_with({make_rule("redos.dense", "q", 16)}, input);
  REQUIRE(o.status.ok());
  CHECK(o.limits.hits_truncated);
  CHECK(o.seconds < kQuick * 3);
}
