// The streaming history scan with batches far smaller than a real run's, so that first
// introduction, dedup and the order of findings are checked across batch boundaries and threads.
#include "detectors/gates/history_blob_scan.h"

#include <doctest/doctest.h>

#include <set>

#include "detectors/gates/blob_scan.h"
#include "detectors/git/repo.h"
#include "tests/support/temp_repo.h"

using namespace vigil;

namespace {

std::string head(const test::TempRepo& r) {
  auto out = r.run("git rev-parse HEAD").out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

struct Outcome {
  std::vector<std::tuple<std::string, std::string, std::string>> findings;  // path, commit, rule
  std::size_t items = 0, commits = 0, blobs = 0;
};

Outcome scan(const Engine& engine, const std::string& path, unsigned jobs, std::size_t first, std::size_t max) {
  auto repo = git::Repo::discover(path);
  REQUIRE(repo);
  git::HistoryWalkOptions hw;
  hw.walk.all_refs = true;
  hw.first_batch_blobs = first;
  hw.batch_blobs = max;
  HistoryScanOptions so;
  so.jobs = jobs;
  so.open_repo = [path] { return git::Repo::discover(path); };
  ScanReport report;
  std::unordered_map<std::string, std::size_t> order;
  auto walked = scan_history(engine, *repo, hw, so, report, order);
  REQUIRE(walked);
  keep_first_introduction(report.findings, order);
  Outcome o;
  for (const auto& f : report.findings) o.findings.emplace_back(f.path, f.commit, f.rule_id);
  o.items = report.items_scanned;
  o.commits = walked->commits;
  o.blobs = walked->blobs;
  return o;
}

}  // namespace

TEST_CASE("history scan in batches of one or two blobs: each blob once, first introduction, same report at any thread count") {
  git::LibGit2Session session;
  test::TempRepo repo;
  // 12 commits, each adding two files and editing one; a secret arrives in commit 4, is copied
  // in commit 8 and deleted in commit 10.
  std::vector<std::string> commits;
  for (int i = 0; i < 12; ++i) {
    repo.write("a" + std::to_string(i) + ".txt", "file " + std::to_string(i) + "\n");
    repo.write("dir/b" + std::to_string(i) + ".txt", "other " + std::to_string(i) + "\n");
    repo.write("edited.txt", "version " + std::to_string(i) + "\n");
    if (i == 4) repo.write("deploy/key.env", "GITHUB_TOKEN=" + test::fake_github_pat(41) + "\n");
    if (i == 8) repo.write("copy/key.env", "GITHUB_TOKEN=" + test::fake_github_pat(41) + "\n");
    if (i == 10) REQUIRE(repo.run("rm deploy/key.env copy/key.env").status == 0);
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m c" + std::to_string(i)).status == 0);
    commits.push_back(head(repo));
  }
  REQUIRE(repo.run("git gc -q").status == 0);  // packed: batches are sorted by pack offset
  auto cfg = default_config();
  REQUIRE(cfg);
  auto engine = Engine::create(std::move(*cfg));
  REQUIRE(engine);

  const auto one = scan(*engine, repo.path(), 1, 1, 2);
  // Unique blobs: 12 a*, 12 b*, 12 versions of edited.txt, one secret file.
  CHECK(one.blobs == 37);
  CHECK(one.items == 37);
  CHECK(one.commits == 12);
  REQUIRE(one.findings.size() == 1);
  CHECK(std::get<0>(one.findings[0]) == "deploy/key.env");
  CHECK(std::get<1>(one.findings[0]) == commits[4]);
  for (unsigned jobs : {2u, 3u}) {
    CAPTURE(jobs);
    const auto many = scan(*engine, repo.path(), jobs, 1, 2);
    CHECK(many.findings == one.findings);
    CHECK(many.items == one.items);
  }
  const auto whole = scan(*engine, repo.path(), 2, 256, 16384);  // one batch: the same answer
  CHECK(whole.findings == one.findings);
  CHECK(whole.blobs == one.blobs);
}
