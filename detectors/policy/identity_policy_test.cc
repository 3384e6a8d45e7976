// [pushers] and [ai]: parsing, the pure checks, and how tighten() merges them (a repository can add
// to the floor's rules, never take any away).
#include <doctest/doctest.h>

#include <algorithm>

#include "detectors/policy/ai_policy.h"
#include "detectors/policy/config.h"
#include "detectors/policy/pusher_policy.h"
#include "detectors/policy/server_policy.h"

using namespace vigil;

namespace {

Config config(const std::string& text) {
  auto c = parse_config("version = 1\n" + text, ".vigil.toml", RuleDetail::Scan);
  REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
  return std::move(*c);
}

std::string config_error(const std::string& text) {
  auto c = parse_config("version = 1\n" + text, ".vigil.toml", RuleDetail::Scan);
  REQUIRE_FALSE(c);
  return c.error().message;
}

bool noted(const std::vector<std::string>& notes, const std::string& part) {
  return std::any_of(notes.begin(), notes.end(), [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("[pushers]: parsed with its e-mail map; wrong keys and values name file:line") {
  const auto c = config("[pushers]\ncommitter_is_pusher = [\"refs/heads/main\"]\nrequire_pusher = true\n"
                        "[pushers.emails]\nalice = [\"alice@example.org\", \"a@corp.example\"]\n");
  CHECK(c.pushers.configured);
  CHECK(c.pushers.require_pusher);
  CHECK(c.pushers.allow_signed_forward);
  CHECK(committer_must_be_pusher(c.pushers, "refs/heads/main"));
  CHECK_FALSE(committer_must_be_pusher(c.pushers, "refs/heads/dev"));
  CHECK(pusher_owns_email(c.pushers, "alice", "A@corp.example"));
  CHECK_FALSE(pusher_owns_email(c.pushers, "alice", "bob@example.org"));
  CHECK_FALSE(pusher_owns_email(c.pushers, "mallory", "alice@example.org"));
  CHECK(pusher_owns_email(c.pushers, "bob@example.org", "bob@example.org"));  // a pusher named by e-mail
  CHECK(config_error("[pushers]\nalice = [\"alice@example.org\"]\n").find(".vigil.toml:3:9: unknown key 'alice' in [pushers]") == 0);
  CHECK(config_error("[pushers]\ncommitter_is_pusher = [\"main\"]\n").find("must be a full ref name") != std::string::npos);
  CHECK(config_error("[pushers.emails]\nalice = [\"alice\"]\n").find("'alice' is not an e-mail address") != std::string::npos);
  CHECK(config_error("[pushers]\naction = \"maybe\"\n").find("pushers.action must be") != std::string::npos);
  CHECK(config_error("[pushers]\nrequire_pusher = \"yes\"\n").find("must be true or false") != std::string::npos);
}

TEST_CASE("[ai]: recognises disclosure trailers, AI co-authors and AI identities; a negative value is no disclosure") {
  const auto c = config("[ai]\nrequire_disclosure = [\"refs/heads/main\"]\nidentities = [\"*@bots.example\", \"Robo Coder\"]\n"
                        "[[ai.escalate]]\npaths = [\"auth/**\"]\napprovers = \"security\"\n");
  const auto& p = c.ai;
  CHECK(p.configured);
  CHECK(disclosure_required(p, "refs/heads/main"));
  CHECK_FALSE(disclosure_required(p, "refs/heads/dev"));
  REQUIRE(p.escalate.size() == 1);
  CHECK(p.escalate[0].on == std::vector<std::string>{"refs/heads/**"});
  // The built-in identities stay: the list adds to them.
  CHECK(is_ai_identity(p, "Claude", "noreply@anthropic.com"));
  CHECK(is_ai_identity(p, "x", "build@BOTS.example"));
  CHECK(is_ai_identity(p, "robo coder", ""));
  CHECK(is_ai_identity(p, "Copilot", "198982749+Copilot@users.noreply.github.com"));
  CHECK_FALSE(is_ai_identity(p, "Claude Monet", "claude@example.org"));  // a person called Claude is a person

  const std::string human = "Ada <ada@example.org>";
  auto s = ai_signals(p, "feat: x\n\nAssisted-by: some-model\n", human, human);
  CHECK(s.assisted);
  CHECK(s.disclosed);
  CHECK_FALSE(s.ai_identity);
  s = ai_signals(p, "feat: x\n\nAI-Assisted: false\n", human, human);
  CHECK_FALSE(s.assisted);
  s = ai_signals(p, "feat: x\n\nCo-authored-by: Bob <bob@example.org>\n", human, human);
  CHECK_FALSE(s.assisted);  // a human co-author is no AI disclosure
  s = ai_signals(p, "feat: x\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", human, human);
  CHECK(s.disclosed);
  s = ai_signals(p, "feat: x\n", "Bot <ci@bots.example>", human);
  CHECK(s.assisted);
  CHECK(s.ai_identity);
  CHECK_FALSE(s.disclosed);
  CHECK(s.evidence.find("ci@bots.example") != std::string::npos);

  CHECK(config_error("[ai]\n[[ai.escalate]]\npaths = [\"auth/**\"]\n").find("needs approvers") != std::string::npos);
  CHECK(config_error("[ai]\n[[ai.escalate]]\napprovers = \"x\"\n").find("needs paths") != std::string::npos);
  CHECK(config_error("[ai]\ntrailers = []\n").find("unknown key 'trailers' in [ai]") != std::string::npos);
}

TEST_CASE("identity patterns: '*' only, case-insensitive, whole text") {
  CHECK(identity_pattern_match("*+copilot@users.noreply.github.com", "1+Copilot@users.noreply.github.com"));
  CHECK(identity_pattern_match("devin-ai-integration[bot]@x", "DEVIN-AI-INTEGRATION[BOT]@x"));
  CHECK_FALSE(identity_pattern_match("bot@x", "bot@x.evil"));
  CHECK(identity_pattern_match("a*b*c", "aXXbYYc"));
  CHECK_FALSE(identity_pattern_match("a*b*c", "aXXbYY"));
  CHECK(identity_pattern_match("*", ""));
}

TEST_CASE("tighten: a repository adds [pushers] rules but cannot loosen the floor's") {
  const auto floor = config("[pushers]\ncommitter_is_pusher = [\"refs/heads/main\"]\nallow_signed_forward = false\n"
                            "[pushers.emails]\nalice = [\"alice@example.org\"]\n");
  const auto repo = config("[pushers]\ncommitter_is_pusher = [\"refs/heads/release/*\"]\nallow_signed_forward = true\n"
                           "action = \"off\"\n[pushers.emails]\nmallory = [\"alice@example.org\"]\n");
  std::vector<std::string> notes;
  const auto out = tighten(floor, repo, notes);
  CHECK(committer_must_be_pusher(out.pushers, "refs/heads/main"));
  CHECK(committer_must_be_pusher(out.pushers, "refs/heads/release/1"));
  CHECK_FALSE(out.pushers.allow_signed_forward);
  CHECK(out.pushers.action == PolicyAction::Block);
  CHECK_FALSE(pusher_owns_email(out.pushers, "mallory", "alice@example.org"));
  CHECK(noted(notes, "allow_signed_forward"));
  CHECK(noted(notes, "[pushers.emails]"));
  CHECK(noted(notes, "[pushers] action = \"off\""));

  // A floor without [pushers]: the repository's own rules and map apply, in its own action.
  std::vector<std::string> n2;
  const auto own = tighten(config(""), repo, n2);
  CHECK(own.pushers.configured);
  CHECK(own.pushers.action == PolicyAction::Off);
  CHECK(pusher_owns_email(own.pushers, "mallory", "alice@example.org"));
}

TEST_CASE("tighten: a repository adds [ai] rules but cannot loosen the floor's") {
  const auto floor = config("[ai]\nrequire_disclosure = [\"refs/heads/main\"]\nidentities = [\"*@bots.example\"]\n"
                            "[[ai.escalate]]\npaths = [\"auth/**\"]\napprovers = \"security\"\n");
  const auto repo = config("[ai]\naction = \"warn\"\nrequire_disclosure = [\"refs/heads/dev\"]\n"
                           "[[ai.escalate]]\npaths = [\".github/workflows/**\"]\napprovers = \"ci-owners\"\n");
  std::vector<std::string> notes;
  const auto out = tighten(floor, repo, notes);
  CHECK(out.ai.action == PolicyAction::Block);
  CHECK(disclosure_required(out.ai, "refs/heads/main"));
  CHECK(disclosure_required(out.ai, "refs/heads/dev"));
  CHECK(is_ai_identity(out.ai, "", "x@bots.example"));
  REQUIRE(out.ai.escalate.size() == 2);
  CHECK(out.ai.escalate[0].approvers == "security");
  CHECK(out.ai.escalate[1].approvers == "ci-owners");
  CHECK(noted(notes, "[ai] action = \"warn\""));
}

TEST_CASE("[server] pusher_env: the default never names the server's own account") {
  const ServerSettings s;
  CHECK(std::find(s.pusher_env.begin(), s.pusher_env.end(), "USER") == s.pusher_env.end());
  CHECK(s.pusher_env.front() == "GL_USERNAME");
  CHECK(std::find(s.pusher_env.begin(), s.pusher_env.end(), "GL_USER") != s.pusher_env.end());
  CHECK(std::find(s.pusher_env.begin(), s.pusher_env.end(), "REMOTE_USER") != s.pusher_env.end());
}
