// End-to-end: the push-time policy entry points (detectors/gates/policy_gate.h) on real commits.
#include "detectors/gates/policy_gate.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using namespace vigil;
using vigil::test::TempRepo;

namespace {

Config config(const std::string& toml) {
  auto c = parse_config("version = 1\n" + toml, ".vigil.toml");
  if (!c) FAIL(c.error().message);
  return *c;
}

std::string head(const TempRepo& repo) { return repo.run("git rev-parse HEAD").out.substr(0, 40); }

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("push-time file policy: a case collision across two commits is caught at the second") {
    TempRepo repo;
    const auto blob = repo.run("echo hi | git hash-object -w --stdin").out.substr(0, 40);
    // Two commits of one push, made without hooks (as on a machine that has none).
    REQUIRE(repo.run("git update-index --add --cacheinfo 100644," + blob + ",README.md && git commit -q --no-verify -m one")
                .status == 0);
    const auto first = head(repo);
    REQUIRE(repo.run("git update-index --add --cacheinfo 100644," + blob + ",readme.md && git commit -q --no-verify -m two")
                .status == 0);
    const auto second = head(repo);
    git::LibGit2Session session;
    auto r = git::Repo::discover(repo.path());
    REQUIRE(r.ok());
    const auto c = config("");
    git::FileChange add;
    add.kind = git::ChangeKind::Added;
    add.blob = blob;
    add.mode = 0100644;
    add.size = 3;
    add.path = "README.md";
    auto fs = commit_file_findings(*r, c, first, {add});
    REQUIRE(fs.ok());
    CHECK(fs->empty());
    add.path = "readme.md";
    fs = commit_file_findings(*r, c, second, {add});
    REQUIRE(fs.ok());
    REQUIRE(fs->size() == 1);
    CHECK((*fs)[0].rule_id == "files.case-collision");
    CHECK((*fs)[0].commit == second);
    CHECK((*fs)[0].excerpt == "collides with 'README.md' when case or Unicode normalization is ignored");
  }

  TEST_CASE("push-time message policy reads the commit; merges skip the subject rule") {
    TempRepo repo;
    REQUIRE(repo.run("git commit -q --no-verify --allow-empty -m 'feat: base' && git switch -q -c topic && "
                     "git commit -q --no-verify --allow-empty -m 'bad subject' && git switch -q main && "
                     "git commit -q --no-verify --allow-empty -m 'feat: main' && "
                     "git merge -q --no-verify --no-edit --no-ff topic")
                .status == 0);
    git::LibGit2Session session;
    auto r = git::Repo::discover(repo.path());
    REQUIRE(r.ok());
    const auto c = config("[messages]\nsubject = '^feat: '\nauthor_email = '@example\\.com$'\n");
    auto fs = commit_message_findings(*r, c, head(repo), "refs/heads/main");
    REQUIRE(fs.ok());
    CHECK(fs->empty());  // git's "Merge branch 'topic'"
    fs = commit_message_findings(*r, c, "topic", "refs/heads/main");
    REQUIRE(fs.ok());
    REQUIRE(fs->size() == 1);
    CHECK((*fs)[0].rule_id == "messages.subject");
    CHECK((*fs)[0].commit.size() == 40);
    const auto strict = config("[messages]\nauthor_email = '@corp\\.example$'\n");
    fs = commit_message_findings(*r, strict, head(repo), "refs/heads/main");
    REQUIRE(fs.ok());
    REQUIRE(fs->size() == 1);
    CHECK((*fs)[0].excerpt == "author email 'author@example.com' does not match @corp\\.example$");
  }

  TEST_CASE("push-time ref policy: settings.mode = warn turns a protected deletion into a warning") {
    const auto c = config("[settings]\nmode = \"warn\"\n[refs]\nprotected = [\"refs/heads/main\"]\n");
    const auto fs = ref_update_findings(c, RefChange{"refs/heads/main", false, true, false});
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].rule_id == "refs.protected-delete");
    CHECK(fs[0].disposition == Disposition::Warn);
  }
}
