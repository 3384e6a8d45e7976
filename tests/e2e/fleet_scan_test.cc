// Organisation-wide history scans: `vigil scan --repos FILE` split into shards run as separate
// processes, each picking its shard from a CI engine's own variables (GitLab, a Kubernetes Indexed
// Job, a GitHub Actions matrix through --shard); the union of the shards equals one full scan,
// finding for finding; shards ship to the evidence database and share clean blobs through it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

#include "detectors/evidence/db.h"
#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;
namespace fs = std::filesystem;

namespace {

using FindingKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;

// Every finding of every result file in `dir`: (result file, rule, fingerprint, path, commit).
std::set<FindingKey> findings_in(const std::string& dir, std::size_t* files = nullptr) {
  std::set<FindingKey> out;
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    ++n;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || j.value("type", "") != "finding") continue;
      const auto& d = j["data"];
      out.emplace(e.path().filename().string(), d.value("rule", ""), d.value("fingerprint", ""), d.value("path", ""),
                  d.value("commit", ""));
    }
  }
  if (files) *files = n;
  return out;
}

// Seven repositories of different sizes, three with secrets somewhere in their history.
std::string make_fleet(const TempDir& dir) {
  std::string list = "# the fleet\n";
  for (int r = 0; r < 7; ++r) {
    const std::string repo = dir.path() + "/repos/r" + std::to_string(r);
    fs::create_directories(repo);
    REQUIRE(sh(repo, "git init -q").status == 0);
    for (int c = 0; c <= r; ++c) {
      std::string body(static_cast<std::size_t>(200 * (r + 1) * (c + 1)), 'x');
      for (std::size_t i = 0; i < body.size(); i += 60) body[i] = '\n';
      dir.write("repos/r" + std::to_string(r) + "/f" + std::to_string(c) + ".txt", body);
      if (r % 3 == 0 && c == r / 2) {
        dir.write("repos/r" + std::to_string(r) + "/app" + std::to_string(c) + ".env",
                  "TOKEN=" + fake_github_pat(static_cast<unsigned>(50 + r)) + "\n");
      }
      const auto made = sh(repo, "git add -A && git commit -q --no-verify -m c" + std::to_string(c));
      REQUIRE_MESSAGE(made.status == 0, made.err);
    }
    // One repository is listed by URL, so the shard clones it.
    list += r == 5 ? "file://" + repo + "\n" : repo + "\n";
  }
  dir.write("repos.txt", list);
  return dir.path() + "/repos.txt";
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("fleet: the union of N shards, each chosen from a CI engine's variables, equals one full scan") {
    TempDir dir;
    const auto list = make_fleet(dir);
    auto full = sh(dir.path(), "$VIGIL scan --repos " + list + " --output-dir full");
    REQUIRE_MESSAGE(full.status == 1, full.err);  // secrets in three repositories
    CHECK(full.err.find("shard 1/1 (no shard given): 7 of 7 repositories") != std::string::npos);
    std::size_t full_files = 0;
    const auto all = findings_in(dir.path() + "/full", &full_files);
    CHECK(full_files == 7);
    CHECK(all.size() >= 3);
    // Three shards, three processes, three engines' ways of saying which shard.
    const std::string url = dir.path() + "/ev.db";
    const std::string common = " $VIGIL scan --repos " + list + " --output-dir sharded --db " + url;
    auto s1 = sh(dir.path(), "CI_NODE_INDEX=1 CI_NODE_TOTAL=3" + common);
    auto s2 = sh(dir.path(), "JOB_COMPLETION_INDEX=1 VIGIL_SHARD_TOTAL=3" + common);
    auto s3 = sh(dir.path(), common.substr(1) + " --shard 3/3");
    for (const auto* s : {&s1, &s2, &s3}) CHECK_MESSAGE(s->status <= 1, s->err);
    CHECK(s1.err.find("shard 1/3 (GitLab CI_NODE_INDEX/CI_NODE_TOTAL)") != std::string::npos);
    CHECK(s2.err.find("shard 2/3 (Kubernetes JOB_COMPLETION_INDEX)") != std::string::npos);
    CHECK(s3.err.find("shard 3/3 (--shard)") != std::string::npos);
    std::size_t shard_files = 0;
    CHECK(findings_in(dir.path() + "/sharded", &shard_files) == all);
    CHECK(shard_files == 7);  // each repository in exactly one shard
    // Each shard shipped its results; the report sees the whole fleet.
    auto db = vigil::evidence::EvidenceDb::open(url);
    REQUIRE(db);
    auto row = db->first_row("SELECT COUNT(*) FROM evidence_records WHERE hook = 'scan'", {});
    REQUIRE(row);
    CHECK((**row)[0] == "7");
    auto clean = db->first_row("SELECT COUNT(*) FROM evidence_clean_blobs", {});
    REQUIRE(clean);
    CHECK(std::stoul((**clean)[0].value_or("0")) > 0);
    // A re-run on a machine with an empty local cache takes the clean blobs from the database
    // and still finds every secret (a blob with a finding is never recorded clean).
    auto again = sh(dir.path(), "VIGIL_CACHE_DIR=" + dir.path() + "/fresh-cache $VIGIL scan --repos " + list +
                                    " --output-dir rerun --db " + url);
    CHECK(again.status == 1);
    CHECK(findings_in(dir.path() + "/rerun") == all);
  }

  TEST_CASE("fleet: shards balance by size, and a bad shard or list is a one-line error") {
    TempDir dir;
    dir.write("sized.txt", "a 100\nb 90\nc 60\nd 40\ne 10\n");
    auto out = [&](const std::string& shard) {
      return sh(dir.path(), "$VIGIL scan --repos sized.txt --output-dir o --shard " + shard).err;
    };
    // Largest first, each to the lightest shard: a | b, then c → b's (90), d → a's (100), e → a's
    // (140 < 150): {a, d, e} = 150 and {b, c} = 150, where halving the list would give 250 / 50.
    CHECK(out("1/2").find("3 of 5 repositories, 150 bytes") != std::string::npos);
    CHECK(out("2/2").find("2 of 5 repositories, 150 bytes") != std::string::npos);
    auto bad = sh(dir.path(), "$VIGIL scan --repos sized.txt --shard 4/3");
    CHECK(bad.status == 2);
    CHECK(bad.err.find("shard 4/3 (from --shard) is out of range") != std::string::npos);
    auto k8s = sh(dir.path(), "JOB_COMPLETION_INDEX=0 $VIGIL scan --repos sized.txt");
    CHECK(k8s.status == 2);
    CHECK(k8s.err.find("pass --shard-total N") != std::string::npos);
    dir.write("bad.txt", "repo notanumber\n");
    auto list = sh(dir.path(), "$VIGIL scan --repos bad.txt");
    CHECK(list.status == 2);
    CHECK(list.err.find("bad.txt:1: 'notanumber' is not a size in bytes") != std::string::npos);
    // A repository that cannot be read is reported and fails the shard: never a silent pass.
    auto missing = sh(dir.path(), "$VIGIL scan --repos sized.txt --shard 2/2 --output-dir o");
    CHECK(missing.status == 2);
    CHECK(missing.err.find("could not be scanned") != std::string::npos);
  }
}
