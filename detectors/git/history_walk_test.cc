// The history walk against git itself: the blobs it lists, each with the commit and path that
// first introduced it, must be what `git log --raw` says, whether the trees are loose (read by
// libgit2) or packed as deltas (read by the walk's own pack reader).
#include "detectors/git/history_walk.h"

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "detectors/git/repo.h"
#include "tests/support/temp_repo.h"

using namespace vigil;

namespace {

using Introductions = std::map<std::string, std::pair<std::string, std::string>>;  // blob -> (commit, path)

// git's answer: the first commit (oldest first) whose raw diff against its parent adds or
// changes a path to the blob, and that path.
Introductions from_git(const test::TempRepo& repo) {
  const auto log = repo.run("git log --reverse --no-renames --raw --no-abbrev --format='C %H'");
  REQUIRE(log.status == 0);
  Introductions out;
  std::istringstream in(log.out);
  std::string line, commit;
  while (std::getline(in, line)) {
    if (line.rfind("C ", 0) == 0) {
      commit = line.substr(2);
    } else if (!line.empty() && line[0] == ':') {
      // ":100644 100644 <old> <new> M\t<path>"
      std::istringstream f(line.substr(0, line.find('\t')));
      std::string old_mode, new_mode, old_id, new_id, status;
      f >> old_mode >> new_mode >> old_id >> new_id >> status;
      if (status == "D" || new_mode == "160000") continue;
      out.emplace(new_id, std::make_pair(commit, line.substr(line.find('\t') + 1)));
    }
  }
  return out;
}

Introductions from_walk(const std::string& path) {
  auto repo = git::Repo::discover(path);
  REQUIRE(repo);
  git::HistoryWalkOptions opts;
  opts.walk.all_refs = true;
  opts.first_batch_blobs = 3;
  opts.batch_blobs = 7;
  Introductions out;
  std::size_t listed = 0;
  auto summary = git::walk_history(*repo, opts, [&](git::HistoryBatch&& b) -> Result<void> {
    for (const auto& blob : b.blobs) {
      ++listed;
      out.emplace(blob.id.hex(), std::make_pair(b.commits[blob.commit].id, std::string(b.path(blob))));
    }
    return {};
  });
  REQUIRE(summary);
  CHECK(listed == out.size());  // each blob once
  CHECK(summary->blobs == listed);
  return out;
}

}  // namespace

TEST_CASE("history walk: first introductions as git log --raw lists them, trees loose and packed as deltas") {
  git::LibGit2Session session;
  test::TempRepo repo;
  // Nested directories edited a little in every commit; names that sort differently as a file
  // and as a directory ("a.c", "a", "a0", "a/"), a file replaced by a directory of the same name,
  // a move (same blob, new path: not new), a copy, a symbolic link, an executable bit, a
  // deletion and a restore (the restored blob is not new), and a submodule.
  const std::string script =
      "mkdir -p src/lib/deep docs && for i in 0 1 2 3 4 5 6 7; do echo $i > src/lib/deep/f$i.txt; done && "
      "echo a > a.c && echo b > a0 && echo c > a && echo d > docs/readme && git add -A && git commit -qm c0 && "
      "i=1 && while [ $i -lt 40 ]; do "
      "  echo edit $i >> src/lib/deep/f$((i % 8)).txt; echo n$i > src/lib/n$i.txt; "
      "  case $i in "
      "    5) rm a && mkdir a && echo inside > a/x ;; "
      "    9) git mv docs/readme docs/README ;; "
      "    12) cp src/lib/deep/f1.txt docs/copy.txt ;; "
      "    15) ln -s ../a.c src/link ;; "
      "    18) chmod +x src/lib/n3.txt ;; "
      "    21) git rm -rq src/lib/deep ;; "
      "    24) git checkout -q HEAD~4 -- src/lib/deep ;; "
      "  esac; "
      "  git add -A && git commit -qm c$i || exit 1; i=$((i+1)); done && "
      // A submodule (a gitlink entry): its commit is another repository's, not a blob here.
      "git update-index --add --cacheinfo 160000,$(git rev-parse HEAD~3),vendor/sub && echo last > a.c && "
      "git add a.c && git commit -qm submodule";
  const auto made = repo.run(script);
  REQUIRE_MESSAGE(made.status == 0, made.err);
  const auto want = from_git(repo);
  REQUIRE(want.size() > 80);
  REQUIRE(repo.run("git ls-tree HEAD vendor/").out.rfind("160000 commit", 0) == 0);
  CHECK(from_walk(repo.path()) == want);  // loose: trees read by libgit2
  REQUIRE(repo.run("git repack -q -adf --depth=50 --window=250 && git prune-packed").status == 0);
  REQUIRE(repo.run("find .git/objects -type f | grep -v -e pack -e info | wc -l").out == "0\n");
  CHECK(from_walk(repo.path()) == want);  // packed: trees read by the walk's pack reader
}
