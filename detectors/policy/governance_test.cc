// Governance: modes per rule / family / config, server minimum modes, expiring waivers with an
// injected clock, inline-allow limits and laptop skips.
#include <doctest/doctest.h>

#include <algorithm>

#include "detectors/gates/laptop_skip.h"
#include "detectors/policy/config.h"
#include "detectors/policy/policy.h"
#include "detectors/policy/server_policy.h"

using namespace vigil;

namespace {

Config config(const std::string& text) {
  auto c = parse_config(text, ".vigil.toml");
  REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
  return std::move(*c);
}

std::string config_error(const std::string& text) {
  auto c = parse_config(text, ".vigil.toml");
  REQUIRE(!c);
  return c.error().message;
}

const Rule& rule(const Config& c, const std::string& id) {
  auto it = std::find_if(c.rules.begin(), c.rules.end(), [&](const Rule& r) { return r.id == id; });
  REQUIRE(it != c.rules.end());
  return *it;
}

// A finding of `rule_id` for `secret` at `path`, judged by `c` on `day`.
Finding judge(const Config& c, const std::string& rule_id, const std::string& secret, const std::string& path,
              Date day, const std::string& line = "token = x") {
  Finding f;
  f.rule_id = rule_id;
  f.path = path;
  f.severity = rule(c, rule_id).severity;
  f.fingerprint = fingerprint(rule_id, secret);
  decide(c, rule(c, rule_id), secret, line, f, day);
  return f;
}

const Date kMarch1 = make_date(2026, 3, 1);

const char* kWaiver = R"(
[[waivers]]
id = "PAY-12"
fingerprint = "FP"
owner = "erin@example.com"
reason = "test key of the sandbox, rotated by PAY-12"
created = 2026-02-01
expires = 2026-03-31
)";

std::string with_fp(std::string text, const std::string& fp) {
  text.replace(text.find("FP"), 2, fp);
  return text;
}

}  // namespace

TEST_CASE("dates parse, print and count days, and impossible dates are rejected") {
  CHECK(to_string(*parse_date("2026-03-01")) == "2026-03-01");
  CHECK(days_between(*parse_date("2026-02-27"), *parse_date("2026-03-01")) == 2);
  CHECK(days_between(*parse_date("2024-02-28"), *parse_date("2024-03-01")) == 2);  // leap year
  CHECK(*parse_date("2026-03-01T12:00:00Z") == kMarch1);
  CHECK_FALSE(parse_date("2026-02-30"));
  CHECK_FALSE(parse_date("26-3-1"));
}

TEST_CASE("a mode change alters the disposition, never the finding") {
  for (const auto& [mode, expect] : {std::pair{"enforce", Disposition::Block}, std::pair{"warn", Disposition::Warn},
                                     std::pair{"observe", Disposition::Observe}}) {
    const auto c = config(std::string("[settings]\nmode = \"") + mode + "\"\n");
    const auto f = judge(c, "github.pat", "ghp_secret", "a.env", kMarch1);
    CHECK(f.disposition == expect);
    CHECK(f.fingerprint == fingerprint("github.pat", "ghp_secret"));
  }
}

TEST_CASE("a family mode applies to every rule of the family, and a rule's own mode wins") {
  const auto c = config(R"(
[families.github]
mode = "warn"
[[rules]]
id = "github.oauth-token"
mode = "enforce"
)");
  CHECK(judge(c, "github.pat", "s1", "a", kMarch1).disposition == Disposition::Warn);
  CHECK(judge(c, "github.oauth-token", "s2", "a", kMarch1).disposition == Disposition::Block);
  CHECK(judge(c, "aws.access-key-id", "s3", "a", kMarch1).disposition == Disposition::Block);
  CHECK(config_error("[families.gihtub]\nmode = \"warn\"\n").find("did you mean 'github'") != std::string::npos);
}

TEST_CASE("min_mode keeps critical findings enforced whatever mode and fail_on say") {
  const auto c = config(R"(
[settings]
mode = "observe"
fail_on = "critical"
min_mode = { critical = "enforce", high = "warn" }
)");
  CHECK(judge(c, "github.pat", "s", "a", kMarch1).disposition == Disposition::Block);        // critical
  CHECK(judge(c, "aws.access-key-id", "s", "a", kMarch1).disposition == Disposition::Warn);  // high
  // [server] min_mode is the same floor, spelled where server policies live.
  const auto s = config("[settings]\nmode = \"warn\"\n[server]\nmin_mode = { critical = \"enforce\" }\n");
  CHECK(judge(s, "github.pat", "s", "a", kMarch1).disposition == Disposition::Block);
}

TEST_CASE("a repository cannot loosen the server's minimum modes, rule modes or family modes") {
  const auto floor = config(R"(
[settings]
mode = "warn"
[server]
min_mode = { critical = "enforce" }
)");
  const auto repo = config(R"(
[settings]
min_mode = { critical = "observe" }
[families.github]
mode = "observe"
[[rules]]
id = "aws.access-key-id"
mode = "observe"
)");
  std::vector<std::string> notes;
  const auto eff = tighten(floor, repo, notes);
  CHECK(judge(eff, "github.pat", "s", "a", kMarch1).disposition == Disposition::Block);
  CHECK(judge(eff, "aws.access-key-id", "s", "a", kMarch1).disposition == Disposition::Warn);  // floor's warn
  CHECK(std::any_of(notes.begin(), notes.end(), [](const std::string& n) { return n.find("min_mode") != std::string::npos; }));
  CHECK(std::any_of(notes.begin(), notes.end(), [](const std::string& n) { return n.find("aws.access-key-id") != std::string::npos; }));
  // Tightening works: a repository may raise a family to enforce, and a high min_mode.
  const auto stricter = config("[families.aws]\nmode = \"enforce\"\n[settings]\nmin_mode = { high = \"enforce\" }\n");
  const auto eff2 = tighten(floor, stricter, notes);
  CHECK(judge(eff2, "aws.access-key-id", "s", "a", kMarch1).disposition == Disposition::Block);
  // A repository that names no mode leaves an observe-mode rollout in observe.
  const auto observe = config("[settings]\nmode = \"observe\"\n");
  const auto eff3 = tighten(observe, config("[[allow]]\npaths = [\"x\"]\nreason = \"r\"\n"), notes);
  CHECK(judge(eff3, "aws.access-key-id", "s", "a", kMarch1).disposition == Disposition::Observe);
  // ... and leaves a family the floor observes in observe, until it asks for more itself.
  const auto fam_floor = config("[families.github]\nmode = \"observe\"\n");
  const auto eff4 = tighten(fam_floor, config(""), notes);
  CHECK(judge(eff4, "github.pat", "s", "a", kMarch1).disposition == Disposition::Observe);
  const auto eff5 = tighten(fam_floor, config("[settings]\nmode = \"enforce\"\n"), notes);
  CHECK(judge(eff5, "github.pat", "s", "a", kMarch1).disposition == Disposition::Block);
}

TEST_CASE("a waiver covers its secret until it expires, then the finding blocks again naming it") {
  const auto c = config(with_fp(kWaiver, fingerprint("github.pat", "ghp_one")));
  const auto before = judge(c, "github.pat", "ghp_one", "pay/sandbox.env", make_date(2026, 3, 31));
  CHECK(before.disposition == Disposition::Waived);
  CHECK(before.note.find("erin@example.com") != std::string::npos);
  const auto after = judge(c, "github.pat", "ghp_one", "pay/sandbox.env", make_date(2026, 4, 1));
  CHECK(after.disposition == Disposition::Block);
  CHECK(after.note.find("waiver 'PAY-12'") != std::string::npos);
  CHECK(after.note.find("owner erin@example.com") != std::string::npos);
  CHECK(after.note.find("expired on 2026-03-31") != std::string::npos);
}

TEST_CASE("a fingerprint waiver never hides a different key on the same line") {
  const auto c = config(with_fp(kWaiver, fingerprint("github.pat", "ghp_one")));
  const std::string line = "A=ghp_one B=ghp_two";
  CHECK(judge(c, "github.pat", "ghp_one", "x.env", kMarch1, line).disposition == Disposition::Waived);
  CHECK(judge(c, "github.pat", "ghp_two", "x.env", kMarch1, line).disposition == Disposition::Block);
}

TEST_CASE("a rule + path waiver covers that rule under the glob only") {
  const auto c = config(R"(
[[waivers]]
rule = "github.pat"
path = "fixtures/**"
owner = "qa@example.com"
reason = "fixtures hold revoked tokens"
expires = "2026-06-30"
)");
  CHECK(judge(c, "github.pat", "a", "fixtures/x/t.json", kMarch1).disposition == Disposition::Waived);
  CHECK(judge(c, "github.pat", "a", "src/t.json", kMarch1).disposition == Disposition::Block);
  CHECK(judge(c, "aws.access-key-id", "a", "fixtures/x/t.json", kMarch1).disposition == Disposition::Block);
}

TEST_CASE("a waiver without owner, reason or expiry is a config error naming file and line") {
  const auto no_owner = config_error("version = 1\n\n[[waivers]]\nrule = \"github.pat\"\npath = \"a\"\nreason = \"r\"\nexpires = 2026-01-01\n");
  CHECK(no_owner.find(".vigil.toml:3:") != std::string::npos);
  CHECK(no_owner.find("no 'owner'") != std::string::npos);
  CHECK(config_error("[[waivers]]\nrule = \"github.pat\"\npath = \"a\"\nreason = \"r\"\nowner = \"a@b.io\"\n").find("no 'expires'") != std::string::npos);
  CHECK(config_error("[[waivers]]\nrule = \"github.pat\"\npath = \"a\"\nowner = \"a@b.io\"\nexpires = 2026-01-01\n").find("no 'reason'") != std::string::npos);
  CHECK(config_error("[[waivers]]\nrule = \"github.pat\"\npath = \"a\"\nreason = \"r\"\nowner = \"alice\"\nexpires = 2026-01-01\n").find("not an e-mail") != std::string::npos);
  CHECK(config_error("[[waivers]]\nowner = \"a@b.io\"\nreason = \"r\"\nexpires = 2026-01-01\n").find("matches nothing") != std::string::npos);
  CHECK(config_error("[[waivers]]\nrule = \"github.pta\"\npath = \"a\"\nreason = \"r\"\nowner = \"a@b.io\"\nexpires = 2026-01-01\n").find("did you mean 'github.pat'") != std::string::npos);
}

TEST_CASE("the policy caps a waiver's span and can require a ticket reference in its reason") {
  const std::string policy = "[settings]\nwaiver_max_days = 90\nwaiver_reason_regex = '[A-Z]+-[0-9]+'\n";
  const std::string ok = with_fp(kWaiver, "github.pat:00");
  CHECK(parse_config(policy + ok, ".vigil.toml"));
  std::string long_span = ok;
  long_span.replace(long_span.find("2026-03-31"), 10, "2026-12-31");
  CHECK(config_error(policy + long_span).find("the policy allows at most 90") != std::string::npos);
  std::string no_ticket = ok;
  no_ticket.replace(no_ticket.find("rotated by PAY-12"), 17, "rotated soon");
  CHECK(config_error(policy + no_ticket).find("waiver_reason_regex") != std::string::npos);
  // On the server, a repository waiver that breaks the floor's limits is dropped, with a note.
  std::vector<std::string> notes;
  const auto eff = tighten(config(policy), config(long_span), notes);
  CHECK(eff.waivers.empty());
  CHECK(notes.back().find("PAY-12") != std::string::npos);
}

TEST_CASE("inline vigil:allow counts as an allow, unless the policy forbids it for the severity") {
  const auto c = config("");
  CHECK(judge(c, "github.pat", "s", "a", kMarch1, "t = x # vigil:allow test fixture").disposition == Disposition::Allowed);
  const auto strict = config("[settings]\ninline_allow_max_severity = \"high\"\n");
  const auto crit = judge(strict, "github.pat", "s", "a", kMarch1, "t = x # vigil:allow test fixture");
  CHECK(crit.disposition == Disposition::Block);
  CHECK(crit.note.find("inline_allow_max_severity") != std::string::npos);
  CHECK(judge(strict, "aws.access-key-id", "s", "a", kMarch1, "t = x # vigil:allow test").disposition == Disposition::Allowed);
}

TEST_CASE("a laptop skip needs a reason, names rules or families, and the policy can forbid it") {
  const auto c = config("");
  std::vector<Finding> fs(3);
  fs[0].rule_id = "github.pat";
  fs[1].rule_id = "aws.access-key-id";
  fs[2].rule_id = "github.oauth-token";
  SkipRequest req{{"github"}, ""};
  CHECK(apply_skip(req, c, fs, "me@example.com").find("VIGIL_SKIP_REASON") != std::string::npos);
  CHECK(fs[0].disposition == Disposition::Block);
  req.reason = "fixture, INC-7";
  CHECK(apply_skip(req, c, fs, "me@example.com").empty());
  CHECK(fs[0].disposition == Disposition::Bypassed);
  CHECK(fs[1].disposition == Disposition::Block);
  CHECK(fs[2].disposition == Disposition::Bypassed);
  CHECK(fs[0].note.find("me@example.com") != std::string::npos);
  std::vector<Finding> more(1);
  more[0].rule_id = "github.pat";
  CHECK(apply_skip(req, config("[settings]\nallow_skip = false\n"), more, "me").find("allow_skip") != std::string::npos);
  CHECK(more[0].disposition == Disposition::Block);
}
