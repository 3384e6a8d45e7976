// tighten(): every section of a repository's .vigil.toml merged under the server floor, each in the
// stricter direction, with every attempt to loosen written to the notes.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "detectors/policy/config.h"
#include "detectors/policy/merge_table.h"
#include "detectors/policy/policy.h"
#include "detectors/policy/server_policy.h"
#include "detectors/policy/signature_policy.h"

using namespace vigil;

namespace {

Config config(const std::string& text) {
  auto c = parse_config("version = 1\n" + text, ".vigil.toml", RuleDetail::Scan);
  REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
  return std::move(*c);
}

bool noted(const std::vector<std::string>& notes, const std::string& part) {
  return std::any_of(notes.begin(), notes.end(), [&](const std::string& n) {
    return n.rfind("ignored", 0) == 0 && n.find(part) != std::string::npos;
  });
}

const Rule& rule(const Config& c, const std::string& id) {
  auto it = std::find_if(c.rules.begin(), c.rules.end(), [&](const Rule& r) { return r.id == id; });
  REQUIRE(it != c.rules.end());
  return *it;
}

std::vector<std::string> ids(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.rule_id);
  std::sort(out.begin(), out.end());
  return out;
}

bool any_blocking(const std::vector<Finding>& fs) {
  return std::any_of(fs.begin(), fs.end(), [](const Finding& f) { return f.disposition == Disposition::Block; });
}

CommitMessageInfo commit_msg(const std::string& text, const std::string& ref = "refs/heads/main") {
  CommitMessageInfo i;
  i.message = text;
  i.author_email = "dev@corp.example";
  i.committer_email = "dev@corp.example";
  i.ref = ref;
  i.commit = "c0ffee";
  i.label = "commit message";
  return i;
}

}  // namespace

TEST_CASE("tighten: the merge table names every field of every merged struct once") {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& r : kMergeTable) {
    const std::string name = std::string(r.type) + "." + std::string(r.field);
    CHECK_MESSAGE(seen.insert({r.type, r.field}).second, name);
    CHECK(!r.merge.empty());
  }
  // The same counts tighten.cc asserts at compile time, so a failure names the struct here too.
  CHECK(field_count<Config>() == merge_rows("Config"));
  CHECK(field_count<Settings>() == merge_rows("Settings"));
  CHECK(field_count<GovernanceSettings>() == merge_rows("GovernanceSettings"));
  CHECK(field_count<SignaturePolicy>() == merge_rows("SignaturePolicy"));
  CHECK(field_count<FilePolicy>() == merge_rows("FilePolicy"));
  CHECK(field_count<PathCheck>() == merge_rows("PathCheck"));
  CHECK(field_count<MessagePolicy>() == merge_rows("MessagePolicy"));
  CHECK(field_count<RefPolicy>() == merge_rows("RefPolicy"));
  CHECK(field_count<Rule>() == merge_rows("Rule"));
  CHECK(field_count<ServerSettings>() == merge_rows("ServerSettings"));
  CHECK(field_count<Waiver>() == merge_rows("Waiver"));
  CHECK(field_count<ReportSettings>() == merge_rows("ReportSettings"));
  // The counter itself counts: a struct of three fields of awkward types is three.
  struct Three {
    std::optional<Mode> a;
    std::vector<Regex> b;
    std::array<std::optional<Mode>, 5> c;
  };
  CHECK(field_count<Three>() == 3);
}

TEST_CASE("tighten: [settings] only gets stricter, and each loosening is noted") {
  const auto floor = config("[settings]\nmode = \"enforce\"\nfail_on = \"medium\"\nmax_file_size = \"8MB\"\n"
                            "decode_depth = 3\ninline_allow = false\n");
  const auto repo = config("[settings]\nmode = \"observe\"\nfail_on = \"critical\"\nmax_file_size = \"1MB\"\n"
                           "decode_depth = 1\nbuiltin_rules = false\n");
  std::vector<std::string> notes;
  const auto eff = tighten(floor, repo, notes);
  CHECK(eff.settings.mode == Mode::Enforce);
  CHECK(eff.settings.fail_on == Severity::Medium);
  CHECK(eff.settings.max_file_size == (8u << 20));
  CHECK(eff.settings.decode_depth == 3);
  CHECK(!eff.settings.inline_allow);
  CHECK(eff.settings.builtin_rules);
  CHECK(std::any_of(eff.rules.begin(), eff.rules.end(), [](const Rule& r) { return r.id == "github.pat"; }));
  CHECK(noted(notes, "[settings] mode to observe"));
  CHECK(noted(notes, "fail_on to critical"));
  CHECK(noted(notes, "max_file_size"));
  CHECK(noted(notes, "decode_depth"));
  CHECK(noted(notes, "builtin_rules = false"));
  // Stricter values win and are not noted.
  notes.clear();
  const auto eff2 = tighten(config("[settings]\nmode = \"warn\"\nfail_on = \"high\"\n"),
                            config("[settings]\nmode = \"enforce\"\nfail_on = \"info\"\nmax_file_size = \"64MB\"\n"
                                   "decode_depth = 4\ninline_allow = false\n"),
                            notes);
  CHECK(eff2.settings.mode == Mode::Enforce);
  CHECK(eff2.settings.fail_on == Severity::Info);
  CHECK(eff2.settings.max_file_size == (64u << 20));
  CHECK(eff2.settings.decode_depth == 4);
  CHECK(!eff2.settings.inline_allow);
  CHECK(notes.empty());
}

TEST_CASE("tighten: governance limits only get stricter; a disabled floor rule stays") {
  const auto floor = config("[settings]\nwaiver_max_days = 30\ninline_allow_max_severity = \"medium\"\n"
                            "min_mode = { critical = \"enforce\" }\n");
  const auto repo = config("[settings]\nwaiver_max_days = 365\ninline_allow_max_severity = \"critical\"\n"
                           "allow_skip = false\nmin_mode = { critical = \"warn\", high = \"enforce\" }\n"
                           "waiver_reason_regex = '[A-Z]+-[0-9]+'\ndisable = [\"github.pat\"]\n");
  std::vector<std::string> notes;
  const auto eff = tighten(floor, repo, notes);
  const auto& g = eff.settings.governance;
  CHECK(g.waiver_max_days == 30);
  CHECK(g.inline_allow_max_severity == Severity::Medium);
  CHECK(!g.allow_skip);
  CHECK(g.min_mode_for(Severity::Critical) == Mode::Enforce);
  CHECK(g.min_mode_for(Severity::High) == Mode::Enforce);
  CHECK(g.waiver_reason_regexes.size() == 1);
  CHECK(rule(eff, "github.pat").id == "github.pat");
  CHECK(noted(notes, "waiver_max_days"));
  CHECK(noted(notes, "inline_allow_max_severity"));
  CHECK(noted(notes, "min_mode for critical"));
  CHECK(noted(notes, "disables rule 'github.pat'"));
}

TEST_CASE("tighten: repository rules add detection, raise severity and mode, never redefine a floor rule") {
  const auto floor = config("[settings]\nmode = \"warn\"\n");
  const auto repo = config(R"(
[[rules]]
id = "acme.token"
regex = 'acme_([a-z0-9]{20})'
keywords = ["acme_"]
severity = "low"
[[rules]]
id = "github.pat"
regex = 'ghp_never([0-9]{3})'
severity = "low"
[[rules]]
id = "aws.access-key-id"
severity = "critical"
mode = "enforce"
)");
  std::vector<std::string> notes;
  const auto eff = tighten(floor, repo, notes);
  // The new rule is there, at the floor's mode (the repository names none).
  CHECK(rule(eff, "acme.token").mode == Mode::Warn);
  // github.pat keeps the floor's regex and severity; both attempts are noted.
  CHECK(rule(eff, "github.pat").regex != "ghp_never([0-9]{3})");
  CHECK(rule(eff, "github.pat").severity == Severity::Critical);
  CHECK(noted(notes, "redefines what rule 'github.pat' matches"));
  CHECK(noted(notes, "severity of rule 'github.pat'"));
  // aws.access-key-id goes up.
  CHECK(rule(eff, "aws.access-key-id").severity == Severity::Critical);
  CHECK(effective_mode(eff, rule(eff, "aws.access-key-id")) == Mode::Enforce);
  CHECK(effective_mode(eff, rule(eff, "github.pat")) == Mode::Warn);
  // A repository family mode raises the floor's rules of that family, and only those.
  notes.clear();
  const auto eff2 = tighten(floor, config("[families.github]\nmode = \"enforce\"\n"), notes);
  CHECK(effective_mode(eff2, rule(eff2, "github.pat")) == Mode::Enforce);
  CHECK(effective_mode(eff2, rule(eff2, "aws.access-key-id")) == Mode::Warn);
}

TEST_CASE("tighten: [signatures] requirements are the union; key files are the floor's when it names them") {
  std::vector<std::string> notes;
  // The floor says nothing about signatures: the repository's requirement applies in full.
  const auto repo = config("[signatures]\nrequire = [\"refs/heads/main\"]\nrequire_tags = true\n"
                           "identity_must_match = false\nallowed_signers = [\"keys/allowed\"]\n");
  const auto eff = tighten(config(""), repo, notes);
  CHECK(eff.signatures.configured);
  CHECK(signatures_required(eff.signatures, "refs/heads/main"));
  CHECK(!signatures_required(eff.signatures, "refs/heads/topic"));
  CHECK(tag_signature_required(eff.signatures, "refs/tags/v1"));
  CHECK(!eff.signatures.identity_must_match);
  CHECK(eff.signatures.allowed_signers == std::vector<std::string>{"keys/allowed"});
  CHECK(notes.empty());
  // The floor requires release branches: both are required, and the floor's key files stand.
  const auto floor = config("[signatures]\nrequire = [\"refs/heads/release/*\"]\nallowed_signers = [\"srv/allowed\"]\n");
  const auto eff2 = tighten(floor, repo, notes);
  CHECK(signatures_required(eff2.signatures, "refs/heads/main"));
  CHECK(signatures_required(eff2.signatures, "refs/heads/release/1"));
  CHECK(eff2.signatures.require_tags);
  CHECK(eff2.signatures.identity_must_match);
  CHECK(eff2.signatures.allowed_signers == std::vector<std::string>{"srv/allowed"});
  CHECK(noted(notes, "identity_must_match = false"));
  CHECK(noted(notes, "other trusted key files"));
  // A repository without [signatures] removes nothing.
  const auto eff3 = tighten(floor, config(""), notes);
  CHECK(signatures_required(eff3.signatures, "refs/heads/release/1"));
}

TEST_CASE("tighten: [messages] rules of the repository add to the floor's, with their own action") {
  const auto floor = config("[messages]\nsubject = '^(feat|fix): '\n");
  const auto repo = config("[messages]\nsubject = '^[a-z]+: [A-Z]'\ntrailers = [\"Signed-off-by\"]\naction = \"warn\"\n"
                           "author_email = '@corp\\.example$'\n");
  std::vector<std::string> notes;
  const auto eff = tighten(floor, repo, notes);
  REQUIRE(eff.messages.configured());
  // Breaks the floor's subject (blocks) and the repository's subject and trailer (warn).
  auto fs = check_commit_message(eff.messages, commit_msg("docs: lower case\n"));
  CHECK(ids(fs) == std::vector<std::string>{"messages.subject", "messages.subject", "messages.trailer"});
  CHECK(any_blocking(fs));
  // Passes the floor's; the repository's own rules still report.
  fs = check_commit_message(eff.messages, commit_msg("feat: Upper\n"));
  CHECK(ids(fs) == std::vector<std::string>{"messages.trailer"});
  CHECK(!any_blocking(fs));
  // A repository [messages] with action = "off" leaves the floor's rules alone.
  const auto eff2 = tighten(floor, config("[messages]\nsubject = 'x'\naction = \"off\"\n"), notes);
  CHECK(ids(check_commit_message(eff2.messages, commit_msg("nope\n"))) == std::vector<std::string>{"messages.subject"});
  // A repository that is the only one with message rules gets them at the server.
  const auto eff3 = tighten(config(""), config("[messages]\nforbidden = ['^WIP']\n"), notes);
  CHECK(ids(check_commit_message(eff3.messages, commit_msg("WIP: x\n"))) == std::vector<std::string>{"messages.forbidden"});
}

TEST_CASE("tighten: [refs] protection of the repository adds to the floor's") {
  const auto floor = config("[refs]\nprotected = [\"refs/heads/main\"]\n");
  const auto repo = config("[refs]\nprotected = [\"refs/heads/release/*\"]\nbranch_name = '^(main|feat/.+)$'\naction = \"off\"\n");
  const auto repo_on = config("[refs]\nprotected = [\"refs/heads/release/*\"]\nbranch_name = '^(main|feat/.+)$'\n");
  std::vector<std::string> notes;
  // action = "off" in the repository does not switch off the floor's protection.
  const auto off = tighten(floor, repo, notes);
  CHECK(ids(check_ref_change(off.refs, {"refs/heads/main", false, false, true})) ==
        std::vector<std::string>{"refs.protected-force-push"});
  const auto eff = tighten(floor, repo_on, notes);
  CHECK(ids(check_ref_change(eff.refs, {"refs/heads/main", false, true, false})) ==
        std::vector<std::string>{"refs.protected-delete"});
  CHECK(ids(check_ref_change(eff.refs, {"refs/heads/release/2", false, false, true})) ==
        std::vector<std::string>{"refs.protected-force-push"});
  CHECK(ids(check_ref_change(eff.refs, {"refs/heads/wip", true, false, false})) == std::vector<std::string>{"refs.branch-name"});
  CHECK(find_protected_ref(eff.refs, "refs/heads/release/2") != nullptr);
  // The repository's message rules default to its own protected refs for forbidden patterns.
  const auto msgs = tighten(config(""), config("[refs]\nprotected = [\"refs/heads/main\"]\n[messages]\nforbidden = ['^WIP']\n"), notes);
  CHECK(ids(check_commit_message(msgs.messages, commit_msg("WIP x\n", "refs/heads/main"))) ==
        std::vector<std::string>{"messages.forbidden"});
  CHECK(check_commit_message(msgs.messages, commit_msg("WIP x\n", "refs/heads/topic")).empty());
}

TEST_CASE("tighten: [[files]] rules add up; path checks only get stricter; [server] of a repository is ignored") {
  const auto floor = config("[[files]]\nglob = \"*.pem\"\nreason = \"keys\"\n[[files]]\nid = \"files.unsafe-name\"\n"
                            "action = \"warn\"\nreason = \"we build on Linux\"\n");
  const auto repo = config("[[files]]\nglob = \".env\"\nreason = \"env files\"\n[[files]]\nid = \"files.path-traversal\"\n"
                           "action = \"off\"\nreason = \"x\"\n[[files]]\nid = \"files.unsafe-name\"\naction = \"block\"\n"
                           "reason = \"we ship to Windows\"\n[server]\nbypass = true\nrepo_allows = true\n");
  std::vector<std::string> notes;
  const auto eff = tighten(floor, repo, notes);
  CHECK(eff.files.rules.size() == 2);
  CHECK(eff.files.path_traversal.action == PolicyAction::Block);
  CHECK(eff.files.unsafe_name.action == PolicyAction::Block);
  CHECK(eff.files.unsafe_name.reason == "we ship to Windows");
  CHECK(eff.files.case_collision.action == PolicyAction::Block);
  CHECK(noted(notes, "files.path-traversal"));
  CHECK(!eff.server.bypass_allowed);
  CHECK(!eff.server.repo_allows);
  CHECK(noted(notes, "[server] section"));
  // A repository that does not name a check inherits the floor's tuning.
  const auto eff2 = tighten(floor, config(""), notes);
  CHECK(eff2.files.unsafe_name.action == PolicyAction::Warn);
}
