// The push walk lists each blob once with every path it is introduced at, and a ref's target is
// followed through tag chains to a tree or a blob.
#include "detectors/git/commit_walk.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "detectors/git/ref_target.h"
#include "tests/support/temp_repo.h"

using namespace vigil;

namespace {

std::string rev(const test::TempRepo& repo, const std::string& r) { return repo.run("git rev-parse " + r).out.substr(0, 40); }

}  // namespace

TEST_CASE("commit walk: one blob at several paths is listed once, with each path and its first commit") {
  test::TempRepo repo;
  REQUIRE(repo.run("echo same > a.txt && cp a.txt b.txt && git add -A && git commit -q --no-verify -m one && "
                   "mkdir d && cp a.txt d/c.txt && echo other > e.txt && git add -A && git commit -q --no-verify -m two && "
                   "git rm -q b.txt && git commit -q --no-verify -m three && cp a.txt b.txt && git add -A && "
                   "git commit -q --no-verify -m four")
              .status == 0);
  git::LibGit2Session session;
  auto r = git::Repo::discover(repo.path());
  REQUIRE(r.ok());
  git::WalkOptions wo;
  wo.include.push_back(rev(repo, "HEAD"));
  auto walk = git::walk_commits(*r, wo);
  REQUIRE(walk.ok());
  REQUIRE(walk->commits.size() == 4);
  const auto same = rev(repo, "HEAD:a.txt");
  const auto it = std::find_if(walk->blobs.begin(), walk->blobs.end(), [&](const git::BlobRef& b) { return b.blob == same; });
  REQUIRE(it != walk->blobs.end());
  CHECK(std::count_if(walk->blobs.begin(), walk->blobs.end(), [&](const git::BlobRef& b) { return b.blob == same; }) == 1);
  CHECK(it->path == "a.txt");
  CHECK(it->commit == 0);
  // b.txt once (its re-addition in the fourth commit is the same path), d/c.txt at the second.
  REQUIRE(it->more_sites.size() == 2);
  CHECK(it->more_sites[0].path == "b.txt");
  CHECK(it->more_sites[0].commit == 0);
  CHECK(it->more_sites[1].path == "d/c.txt");
  CHECK(it->more_sites[1].commit == 1);
  CHECK(walk->blobs.size() == 2);  // "same" and e.txt
}

TEST_CASE("ref target: tags are followed to the tree or blob they end at; a tree lists every path") {
  test::TempRepo repo;
  REQUIRE(repo.run("mkdir -p x/y && echo one > x/y/f && echo two > g && git add -A && git commit -q --no-verify -m c && "
                   "git tag -a -m inner inner HEAD:g && git tag -a -m 'outer msg' outer inner && "
                   "git tag -a -m t treetag 'HEAD^{tree}'")
              .status == 0);
  git::LibGit2Session session;
  auto r = git::Repo::discover(repo.path());
  REQUIRE(r.ok());
  auto t = git::peel_ref_target(*r, rev(repo, "outer"));
  REQUIRE(t.ok());
  CHECK(t->type == "blob");
  CHECK(t->id == rev(repo, "HEAD:g"));
  REQUIRE(t->tags.size() == 2);
  CHECK(t->tags[0].name == "outer");
  CHECK(t->tags[0].message == "outer msg\n");
  CHECK(t->tags[0].tagger.find("<committer@example.com>") != std::string::npos);
  CHECK(t->tags[1].name == "inner");
  auto c = git::peel_ref_target(*r, rev(repo, "HEAD"));
  REQUIRE(c.ok());
  CHECK(c->type == "commit");
  CHECK(c->tags.empty());
  auto tt = git::peel_ref_target(*r, rev(repo, "treetag"));
  REQUIRE(tt.ok());
  REQUIRE(tt->type == "tree");
  auto entries = git::list_tree(*r, tt->id, {});
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].path == "g");
  CHECK((*entries)[0].size == 4);
  CHECK((*entries)[1].path == "x/y/f");
  CHECK(!git::peel_ref_target(*r, std::string(40, 'a')).ok());  // missing: an error, not a skip
}
