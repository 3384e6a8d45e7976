// End-to-end: `vigil scan --history` on real repositories built here. What the walk must keep as
// it gets faster: every unique blob scanned once, each finding attributed to the commit and path
// that first introduced it (through deletions, reverts, copies, merges and a repacked object
// store), ranges and --since judging only their own commits, and the incremental clean cache.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::TempRepo;

namespace {

std::string secret_line(unsigned seed) { return "GITHUB_TOKEN=" + fake_github_pat(seed) + "\n"; }
std::string rev(const TempRepo& r, const std::string& what) {
  auto out = r.run("git rev-parse " + what).out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The findings of a JSON-lines report: (path, commit) per finding, and the summary.
struct Report {
  std::vector<std::pair<std::string, std::string>> findings;
  nlohmann::json summary;
};
Report parse(const std::string& jsonl) {
  Report r;
  std::size_t pos = 0;
  while (pos < jsonl.size()) {
    const auto nl = jsonl.find('\n', pos);
    const auto line = jsonl.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? jsonl.size() : nl + 1;
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "finding") r.findings.emplace_back(j["data"]["path"], j["data"]["commit"]);
    if (j["type"] == "summary") r.summary = j["data"];
  }
  return r;
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("scan --history: a secret added then deleted is found, with the commit that added it") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("deploy/app.env", secret_line(31));
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m leak").status == 0);
    const auto added = rev(repo, "HEAD");
    REQUIRE(repo.run("git rm -q deploy/app.env && git commit -q -m 'remove it'").status == 0);
    repo.write("other.txt", "unrelated\n");
    REQUIRE(repo.commit_all("later").status == 0);
    REQUIRE(repo.run("git gc -q --aggressive").status == 0);  // packed: the blob is read in pack order
    const auto h = repo.run("$VIGIL scan --history -q --format json");
    CHECK(h.status == 1);
    const auto r = parse(h.out);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].first == "deploy/app.env");
    CHECK(r.findings[0].second == added);
  }

  TEST_CASE("scan --history: one blob reached from many commits, paths and a merge is scanned once, reported at each path it was introduced at") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    const std::string secret = secret_line(32);
    // A side branch introduces the secret first; main copies it to two more paths later,
    // reverts, re-adds, and merges the side branch.
    REQUIRE(repo.run("git checkout -q -b side").status == 0);
    repo.write("side/key.env", secret);
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m side-leak").status == 0);
    const auto first = rev(repo, "HEAD");
    REQUIRE(repo.run("git checkout -q main").status == 0);
    for (int i = 0; i < 5; ++i) {
      repo.write("notes.txt", "note " + std::to_string(i) + "\n");
      REQUIRE(repo.commit_all("note " + std::to_string(i)).status == 0);
    }
    REQUIRE(repo.run("git merge -q --no-edit --no-verify side").status == 0);
    repo.write("copy/a/key.env", secret);
    repo.write("copy/b/key.env", secret);
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m copies").status == 0);
    REQUIRE(repo.run("git revert --no-edit HEAD >/dev/null && git revert --no-edit HEAD >/dev/null").status == 0);
    const auto copies = rev(repo, "HEAD~2");
    const auto h = repo.run("$VIGIL scan --history -q --format json -j2");
    CHECK(h.status == 1);
    const auto r = parse(h.out);
    // One finding per path the blob was put at, each at the commit that put it there; the
    // revert of the revert puts it back at paths already reported.
    REQUIRE(r.findings.size() == 3);
    CHECK(r.findings[0] == std::pair<std::string, std::string>("side/key.env", first));
    CHECK(r.findings[1] == std::pair<std::string, std::string>("copy/a/key.env", copies));
    CHECK(r.findings[2] == std::pair<std::string, std::string>("copy/b/key.env", copies));
    // Unique blobs: README, the secret, five notes — each scanned once.
    CHECK(r.summary["items_scanned"] == 7);
  }

  TEST_CASE("scan --history: a range and --since judge only their commits; the clean cache skips blobs already read") {
    TempRepo repo;
    repo.write("old.env", secret_line(33));
    REQUIRE(repo.run("git add -A && GIT_COMMITTER_DATE='2020-01-01T00:00:00Z' git commit -q --no-verify -m old").status == 0);
    const auto base = rev(repo, "HEAD");
    repo.write("app.txt", "v1\n");
    REQUIRE(repo.run("git add -A && GIT_COMMITTER_DATE='2024-06-01T00:00:00Z' git commit -q -m v1").status == 0);
    repo.write("old-copy/old.env", secret_line(33));  // a copy of a blob the range does not judge
    repo.write("new.env", secret_line(34));
    REQUIRE(repo.run("git add -A && GIT_COMMITTER_DATE='2024-06-02T00:00:00Z' git commit -q --no-verify -m new").status == 0);
    const auto tip = rev(repo, "HEAD");

    auto r = parse(repo.run("$VIGIL scan --history -q --format json").out);
    CHECK(r.findings.size() == 3);  // old.env, its copy old-copy/old.env, and new.env
    for (const std::string& range : {base + ".." + tip, std::string("--since 2024-01-01")}) {
      const bool is_range = range.find("..") != std::string::npos;
      const auto h = repo.run("$VIGIL scan --history -q --format json " + std::string(is_range ? "--range " : "") + range);
      CHECK(h.status == 1);
      r = parse(h.out);
      // The range's own changes: app.txt, old-copy/old.env and new.env, never old.env at base.
      CHECK(r.summary["items_scanned"] == 3);
      bool saw_new = false, saw_base = false;
      for (const auto& [path, commit] : r.findings) {
        saw_new = saw_new || (path == "new.env" && commit == tip);
        saw_base = saw_base || commit == base;
      }
      CHECK(saw_new);
      CHECK_FALSE(saw_base);
    }

    // Incremental: the second run reads only the blobs that held a finding.
    const std::string env = "VIGIL_CACHE_DIR=" + repo.path() + "/.vigil-cache ";
    r = parse(repo.run(env + "$VIGIL scan --history --incremental -q --format json").out);
    CHECK(r.summary["items_scanned"] == 3);
    CHECK(r.findings.size() == 3);
    const auto again = repo.run(env + "$VIGIL scan --history --incremental -q --format json");
    CHECK(again.status == 1);
    r = parse(again.out);
    CHECK(r.findings.size() == 3);
    CHECK(r.summary["bytes_scanned"].get<long>() < 200);  // only the two secret blobs were read
  }
}
