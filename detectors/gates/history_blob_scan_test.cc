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
  std::uint64_t bytes = 0;
};

Outcome scan(const Engine& engine, const std::string& path, unsigned jobs, std::size_t first, std::size_t max,
             bool pack_reader = true) {
  auto repo = git::Repo::discover(path);
  REQUIRE(repo);
  git::HistoryWalkOptions hw;
  hw.walk.all_refs = true;
  hw.first_batch_blobs = first;
  hw.batch_blobs = max;
  HistoryScanOptions so;
  so.jobs = jobs;
  so.pack_reader = pack_reader;
  so.open_repo = [path] { return git::Repo::discover(path); };
  ScanReport report;
  std::unordered_map<std::string, std::size_t> order;
  auto walked = scan_history(engine, *repo, hw, so, report, order);
  REQUIRE(walked);
  keep_first_introduction(report.findings, order);
  Outcome o;
  for (const auto& f : report.findings) o.findings.emplace_back(f.path, f.commit, f.rule_id);
  o.items = report.items_scanned;
  o.bytes = report.bytes_scanned;
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
  // The secret's blob is scanned once, and reported at each path it was put at.
  REQUIRE(one.findings.size() == 2);
  CHECK(std::get<0>(one.findings[0]) == "deploy/key.env");
  CHECK(std::get<1>(one.findings[0]) == commits[4]);
  CHECK(std::get<0>(one.findings[1]) == "copy/key.env");
  CHECK(std::get<1>(one.findings[1]) == commits[8]);
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

TEST_CASE("history scan: the own pack reader and libgit2 give the same report over REF_DELTA packs, two packs and loose objects") {
  git::LibGit2Session session;
  test::TempRepo repo;
  // One file edited 40 times (a delta chain), with a secret in versions 12 to 19; packed with
  // bases named by id, then more commits in a second pack, then loose ones.
  REQUIRE(repo.run("seq 1 400 > long.txt").status == 0);
  for (int i = 0; i < 40; ++i) {
    REQUIRE(repo.run("sed -i '" + std::to_string(i * 7 % 400 + 1) + "s/.*/edit " + std::to_string(i) + "/' long.txt").status == 0);
    if (i == 12) REQUIRE(repo.run("sed -i '200s/.*/GITHUB_TOKEN=" + test::fake_github_pat(7) + "/' long.txt").status == 0);
    if (i == 20) REQUIRE(repo.run("sed -i '200s/.*/gone/' long.txt").status == 0);
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m e" + std::to_string(i)).status == 0);
    if (i == 29) REQUIRE(repo.run("git -c repack.useDeltaBaseOffset=false repack -q -adf --depth=50 --window=50").status == 0);
    if (i == 34) REQUIRE(repo.run("git repack -q -d").status == 0);
  }
  REQUIRE(repo.run("ls .git/objects/pack/*.pack | wc -l").out == "2\n");
  auto cfg = default_config();
  REQUIRE(cfg);
  auto engine = Engine::create(std::move(*cfg));
  REQUIRE(engine);
  const auto theirs = scan(*engine, repo.path(), 1, 4, 16, false);
  CHECK(theirs.blobs == 40);
  REQUIRE(theirs.findings.size() == 1);
  CHECK(std::get<0>(theirs.findings[0]) == "long.txt");
  for (unsigned jobs : {1u, 2u}) {
    CAPTURE(jobs);
    const auto mine = scan(*engine, repo.path(), jobs, 4, 16, true);
    CHECK(mine.findings == theirs.findings);
    CHECK(mine.items == theirs.items);
    CHECK(mine.bytes == theirs.bytes);
  }
}
