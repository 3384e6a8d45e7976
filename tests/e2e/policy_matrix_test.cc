// The policy x gate matrix: each policy example of docs/policy.md and docs/governance.md, placed in
// the repository's .vigil.toml, in the server floor, or in both, is enforced at every gate where the
// docs say it applies (pre-commit, commit-msg, pre-push, pre-receive, update, scan --history). Every
// cell makes the change the example forbids and asserts it did not land (local HEAD, server ref) or
// that the scan failed.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

enum Gate : unsigned {
  kPreCommit = 1u << 0,
  kCommitMsg = 1u << 1,
  kPrePush = 1u << 2,
  kPreReceive = 1u << 3,
  kUpdate = 1u << 4,
  kHistory = 1u << 5,
};

enum class Place { Repo,
                   Floor,
                   Both };

const char* place_name(Place p) { return p == Place::Repo ? "repo file" : p == Place::Floor ? "server floor"
                                                                                            : "both"; }

// One documented policy, the change it forbids, and the gates the docs name for it.
struct Example {
  std::string name;
  std::string toml;
  /// Shell commands (in the clone) that stage the forbidden change; `commit` is how it is committed
  /// ("-m <msg>" and flags), so message rules see their message.
  std::string stage;
  std::string commit_args;
  unsigned gates;
  bool force = false;   // the forbidden change is a force-push of main
  bool control = true;  // a compliant commit must pass the same gate (not for unsigned commits)
};

std::vector<Example> examples() {
  const std::string token = std::string("acme_") + "q8zr2lmt7vxk9pwn4syb";
  return {
      {"[[files]] no-env (docs/policy.md)",
       "[[files]]\nid = \"no-env\"\nglob = [\".env\", \"*.pem\", \"id_rsa*\"]\non = [\"add\"]\n"
       "reason = \"credentials belong in the secret store\"\n",
       "echo 'A=1' > .env && git add .env", "-m 'chore: add env'", kPreCommit | kPrePush | kPreReceive | kUpdate},
      {"[messages] subject (docs/policy.md)",
       "[messages]\nsubject = '^(feat|fix|docs|chore|refactor|test)(\\([a-z0-9-]+\\))?!?: \\S'\n",
       "echo x >> notes.txt && git add notes.txt", "-m 'updated stuff'", kCommitMsg | kPrePush | kPreReceive | kUpdate},
      {"[messages] forbidden on main (docs/policy.md)",
       "[messages]\nforbidden = ['^(WIP|fixup!|squash!)']\nforbidden_on = [\"refs/heads/main\"]\n",
       "echo y >> notes.txt && git add notes.txt", "-m 'WIP: half done'", kCommitMsg | kPrePush | kPreReceive | kUpdate},
      {"[refs] protected main (docs/policy.md)", "[refs]\nprotected = [\"refs/heads/main\"]\n",
       "git reset -q --hard HEAD~1 && echo z > other.txt && git add other.txt", "-m 'chore: rewrite'",
       kPrePush | kPreReceive | kUpdate, true},
      {"[[rules]] a team's own secret rule (docs/rules.md)",
       "[[rules]]\nid = \"acme.token\"\nregex = '''(acme_[a-z0-9]{20})'''\nkeywords = [\"acme_\"]\nseverity = \"high\"\n",
       "echo 'key " + token + "' > acme.txt && git add acme.txt", "-m 'feat: acme'",
       kPreCommit | kPrePush | kPreReceive | kUpdate | kHistory},
      {"min_mode critical = enforce under mode = warn (docs/governance.md)",
       "[settings]\nmode = \"warn\"\nmin_mode = { critical = \"enforce\" }\n",
       "echo 'TOKEN=" + fake_github_pat(77) + "' > k.env && git add k.env", "-m 'feat: key'",
       kPreCommit | kPrePush | kPreReceive | kUpdate | kHistory},
      {"[signatures] require main (docs/signatures in README)", "[signatures]\nrequire = [\"refs/heads/main\"]\n",
       "echo s >> notes.txt && git add notes.txt", "-m 'feat: unsigned'", kPrePush | kPreReceive | kUpdate, false, false},
  };
}

// A bare server running one server hook, a floor policy, and a clone with vigil's laptop hooks.
struct Lab {
  TempDir dir;
  std::string bare() const { return dir.path() + "/srv.git"; }
  std::string clone() const { return dir.path() + "/work"; }
  CmdResult in_clone(const std::string& cmd) const { return sh(clone(), cmd); }
  std::string server_main() const { return sh(bare(), "git rev-parse -q --verify main").out; }
  std::string head() const { return in_clone("git rev-parse HEAD").out; }

  // Everything before the gate is set-up, made with every hook off: the base, a second commit (for
  // the force-push example to rewrite), and the repository's policy file.
  Lab(const std::string& hook, const std::string& floor, const std::string& repo_toml) {
    const std::string bin = vigil::test::bin_dir();
    dir.write("policy.toml", "[server]\ndeadline_ms = 300000\n" + floor);
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git -C srv.git config vigil.policy " + dir.path() +
                               "/policy.toml && git clone -q srv.git work 2>/dev/null && cd work && $VIGIL install >/dev/null")
                .status == 0);
    if (!repo_toml.empty()) dir.write("work/.vigil.toml", "version = 1\n" + repo_toml);
    REQUIRE(sh(dir.path(), "cd work && echo base > README && echo n > notes.txt && git add -A && "
                           "git commit -q --no-verify -m 'chore: base' && echo more >> notes.txt && "
                           "git commit -q --no-verify -am 'docs: notes' && "
                           "git push -q --no-verify origin HEAD:main 2>/dev/null && cd .. && "
                           "ln -s " +
                               bin + "/vigil-" + hook + " srv.git/hooks/" + hook)
                .status == 0);
  }
};

// A compliant change after the forbidden one: the gate lets it through, so the cell's block was
// the policy's doing, not a gate that refuses everything.
void check_control(const Lab& lab, const Example& ex, Gate gate) {
  if (!ex.control) return;
  const std::string reset = gate == kPreCommit || gate == kCommitMsg ? "git reset -q --hard HEAD" : "git reset -q --hard origin/main";
  REQUIRE(lab.in_clone(reset + " && echo fine >> notes.txt && git add notes.txt").status == 0);
  CHECK(lab.in_clone("git commit -q -m 'docs: a compliant change'").status == 0);
  if (gate == kPreCommit || gate == kCommitMsg) return;
  const auto r = lab.in_clone(gate == kPrePush ? "git push -q origin HEAD:main" : "git push -q --no-verify origin HEAD:main");
  CHECK_MESSAGE(r.status == 0, r.err);
  CHECK(lab.server_main() == lab.head());
}

void run_cell(const Example& ex, Place place, Gate gate) {
  const std::string floor = place == Place::Repo ? "" : ex.toml;
  const std::string repo = place == Place::Floor ? "" : ex.toml;
  const std::string server_hook = gate == kUpdate ? "update" : "pre-receive";
  Lab lab(server_hook, floor, repo);
  const std::string where = ex.name + " / " + place_name(place) + " / gate " + std::to_string(gate);
  INFO(where);
  const auto head_before = lab.head();
  const auto server_before = lab.server_main();
  REQUIRE(lab.in_clone(ex.stage).status == 0);
  if (gate == kPreCommit || gate == kCommitMsg) {
    const auto r = lab.in_clone("git commit -q " + ex.commit_args);
    CHECK(r.status != 0);
    CHECK(lab.head() == head_before);  // nothing was committed
    check_control(lab, ex, gate);
    return;
  }
  // The forbidden commit exists (made without the laptop hooks).
  REQUIRE(lab.in_clone("git commit -q --no-verify " + ex.commit_args).status == 0);
  if (gate == kHistory) {
    CHECK(lab.in_clone("$VIGIL scan --history -q").status == 1);
    return;
  }
  const std::string force = ex.force ? " --force" : "";
  if (gate == kPrePush) {
    // The server hook is switched off, so only pre-push can stop it.
    REQUIRE(sh(lab.bare(), "mv hooks/" + server_hook + " hooks/off").status == 0);
    CHECK(lab.in_clone("git push -q" + force + " origin HEAD:main").status != 0);
    CHECK(lab.server_main() == server_before);
    check_control(lab, ex, gate);
    return;
  }
  CHECK(lab.in_clone("git push -q --no-verify" + force + " origin HEAD:main").status != 0);
  CHECK(lab.server_main() == server_before);
  check_control(lab, ex, gate);
}

// Runs every cell of one example; returns how many ran.
std::size_t run_example(const Example& ex) {
  std::size_t cells = 0;
  for (Place place : {Place::Repo, Place::Floor, Place::Both}) {
    for (Gate gate : {kPreCommit, kCommitMsg, kPrePush, kPreReceive, kUpdate, kHistory}) {
      if (!(ex.gates & gate)) continue;
      // The floor lives on the server: laptop gates and history scans read only the repository's file.
      const bool server_gate = gate == kPreReceive || gate == kUpdate;
      if (place == Place::Floor && !server_gate) continue;
      run_cell(ex, place, gate);
      ++cells;
    }
  }
  return cells;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("policy matrix: [[files]] forbids .env at pre-commit, pre-push, pre-receive, update") {
    CHECK(run_example(examples()[0]) == 10);
  }
  TEST_CASE("policy matrix: [messages] subject holds at commit-msg, pre-push, pre-receive, update") {
    CHECK(run_example(examples()[1]) == 10);
  }
  TEST_CASE("policy matrix: [messages] forbidden on main holds at commit-msg, pre-push, pre-receive, update") {
    CHECK(run_example(examples()[2]) == 10);
  }
  TEST_CASE("policy matrix: [refs] protected main holds at pre-push, pre-receive, update") {
    CHECK(run_example(examples()[3]) == 8);
  }
  TEST_CASE("policy matrix: a custom [[rules]] secret rule holds at pre-commit, pre-push, pre-receive, update, history") {
    CHECK(run_example(examples()[4]) == 12);
  }
  TEST_CASE("policy matrix: min_mode critical = enforce under mode = warn holds at every secret gate") {
    CHECK(run_example(examples()[5]) == 12);
  }
  TEST_CASE("policy matrix: [signatures] require main holds at pre-push, pre-receive, update") {
    CHECK(run_example(examples()[6]) == 8);
  }
}
