// The in-process index diff against git's own `git diff-index --cached -M`, over real repositories
// that real git changes step by step: whenever the reader answers, the answer must be git's.
#include "detectors/git/index_diff.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

#include "detectors/git/changes.h"
#include "detectors/git/repo.h"
#include "tests/support/temp_repo.h"

using vigil::git::ChangeKind;
using vigil::git::FileChange;
using vigil::test::TempRepo;

namespace {

std::string describe(const std::vector<FileChange>& v) {
  std::string s;
  for (const auto& c : v) {
    s += fmt::format("{} {} {:o}->{:o} {}->{} {}\n", to_string(c.kind), c.path, c.old_mode, c.mode,
                     c.old_blob.substr(0, 8), c.blob.substr(0, 8), c.old_path);
  }
  return s;
}

std::string head_tree(const TempRepo& repo) {
  const auto r = repo.run("git rev-parse -q --verify HEAD^{tree}");
  std::string t = r.out;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t;
}

constexpr const char* kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

// In-process result (nullopt = declined) and git's, for the repository's index.
struct Both {
  std::optional<std::vector<FileChange>> mine;
  std::string declined;
  std::vector<FileChange> git;
};

Both compare(const TempRepo& repo) {
  vigil::git::LibGit2Session session;
  auto r = vigil::git::Repo::discover(repo.path());
  REQUIRE(r);
  const std::string tree = head_tree(repo);
  Both b;
  auto mine = vigil::git::diff_index_in_process(*r, r->git_dir() + "/index", tree);
  b.mine = std::move(mine.changes);
  b.declined = mine.declined;
  auto theirs = vigil::git::staged_changes_via_git(*r, "", tree.empty() ? kEmptyTree : tree);
  REQUIRE(theirs);
  b.git = std::move(*theirs);
  std::sort(b.git.begin(), b.git.end(), [](const FileChange& x, const FileChange& y) { return x.path < y.path; });
  return b;
}

void check_same(const TempRepo& repo, const char* what) {
  auto b = compare(repo);
  INFO(what);
  INFO("declined: " << b.declined);
  REQUIRE(b.mine);
  CHECK(describe(*b.mine) == describe(b.git));
}

}  // namespace

TEST_CASE("index diff: the first commit, edits, deletions, modes, symlinks and submodules match git") {
  TempRepo repo;
  repo.write("a.txt", "a\n");
  repo.write("dir/b.txt", "b\n");
  repo.write("dir/sub/c.txt", "c\n");
  repo.write("dir.x", "sorts before dir/ and after dir\n");
  repo.write("odd name ü\n.txt", "odd\n");
  REQUIRE(repo.run("git add -A").status == 0);
  check_same(repo, "first commit: everything added, no HEAD");
  REQUIRE(repo.run("git commit -qm one --no-verify").status == 0);
  check_same(repo, "clean index");

  repo.write("dir/sub/c.txt", "c2\n");
  REQUIRE(repo.run("git add dir/sub/c.txt").status == 0);
  check_same(repo, "one modified file deep in the tree");

  REQUIRE(repo.run("chmod +x a.txt && git add a.txt").status == 0);
  check_same(repo, "mode change only");

  REQUIRE(repo.run("git rm -q --cached dir/b.txt").status == 0);
  check_same(repo, "deletion only");
  REQUIRE(repo.run("git commit -qm two --no-verify").status == 0);

  REQUIRE(repo.run("rm a.txt && ln -s dir/sub/c.txt a.txt && git add a.txt").status == 0);
  check_same(repo, "file became a symlink (typechange)");
  REQUIRE(repo.run("git commit -qm three --no-verify").status == 0);

  REQUIRE(repo.run("git rm -rq --cached dir/sub && rm -rf dir/sub && echo f > dir/sub && git add dir/sub").status == 0);
  auto b = compare(repo);
  // A directory replaced by a file deletes c.txt and adds dir/sub: git may pair them, so the
  // reader either declines or agrees.
  if (b.mine) CHECK(describe(*b.mine) == describe(b.git));
  REQUIRE(repo.run("git commit -qm four --no-verify").status == 0);

  const std::string id = head_tree(repo);
  REQUIRE(repo.run("git update-index --add --cacheinfo 160000," + repo.run("git rev-parse HEAD").out.substr(0, 40) + ",mod").status == 0);
  check_same(repo, "a submodule (gitlink) added");
  (void)id;
}

TEST_CASE("index diff: agrees with git across random staged histories, index v2 to v4") {
  for (int version : {2, 4}) {
    TempRepo repo;
    REQUIRE(repo.run(fmt::format("git config index.version {}", version)).status == 0);
    std::mt19937 rng(static_cast<unsigned>(version) * 7919u);
    const std::vector<std::string> dirs = {"", "src/", "src/core/", "src/core/deep/", "docs/", "docs-x/", "z/"};
    std::vector<std::string> files;
    for (int i = 0; i < 40; ++i) {
      const std::string f = fmt::format("{}f{}.txt", dirs[rng() % dirs.size()], i);
      repo.write(f, fmt::format("file {}\n", i));
      files.push_back(f);
    }
    REQUIRE(repo.run("git add -A && git commit -qm base --no-verify").status == 0);
    int answered = 0;
    for (int step = 0; step < 30; ++step) {
      // Steps that delete do not add, and are committed, so that most steps have an answer
      // (a change set that both adds and deletes may hold a rename, which git judges).
      const bool deleting = step % 3 == 2;
      const int ops = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < ops; ++k) {
        const std::string& f = files[rng() % files.size()];
        int op = 0;
        if (deleting) op = rng() % 2 ? 2 : 0;                        // delete or edit
        else op = static_cast<int>(std::array{0, 1, 3}[rng() % 3]);  // edit, chmod or add
        switch (op) {
          case 0:  // edit and stage
            repo.write(f, fmt::format("edit {} {}\n", step, k));
            repo.run("git add -- '" + f + "'");
            break;
          case 1:  // chmod
            repo.run("test -f '" + f + "' && chmod +x '" + f + "' && git add -- '" + f + "'");
            break;
          case 2:  // delete from the index
            repo.run("git rm -q --cached --ignore-unmatch -- '" + f + "'");
            break;
          default:  // a new file
            repo.write(fmt::format("{}new{}_{}.txt", dirs[rng() % dirs.size()], step, k), fmt::format("new {}\n", rng()));
            repo.run("git add -A -- '*new*'");
        }
      }
      auto b = compare(repo);
      INFO("version " << version << " step " << step << " declined: " << b.declined);
      if (b.mine) {
        ++answered;
        CHECK(describe(*b.mine) == describe(b.git));
      } else {
        CHECK(b.declined == "possible renames");  // the only reason these steps may decline
      }
      if (deleting || step % 5 == 4) repo.run("git commit -qm step --no-verify");
      if (step % 7 == 6) repo.run("git write-tree >/dev/null");  // a fully valid cache-tree
    }
    CHECK(answered > 10);
  }
}

TEST_CASE("index diff: declines what git must judge (split index, intent-to-add, unmerged)") {
  TempRepo repo;
  repo.write("a.txt", "a\n");
  REQUIRE(repo.commit_all("one").status == 0);
  REQUIRE(repo.run("echo b > b.txt && git add -N b.txt").status == 0);
  auto b = compare(repo);
  CHECK_FALSE(b.mine);
  CHECK(b.declined == "intent-to-add entries");
  REQUIRE(repo.run("git rm -q --cached b.txt && git update-index --split-index && echo a2 > a.txt && git add a.txt").status == 0);
  b = compare(repo);
  CHECK_FALSE(b.mine);
  CHECK(b.declined == "index extension 'link'");
  CHECK(b.git.size() == 1);

  TempRepo conflict;
  conflict.write("c.txt", "base\n");
  REQUIRE(conflict.commit_all("base").status == 0);
  REQUIRE(conflict.run("git checkout -qb side && echo side > c.txt && git commit -qam side --no-verify && "
                       "git checkout -q main && echo main > c.txt && git commit -qam main --no-verify")
              .status == 0);
  CHECK(conflict.run("git merge -q side").status != 0);  // a conflict: stages 1-3 in the index
  b = compare(conflict);
  CHECK_FALSE(b.mine);
  CHECK(b.declined == "unmerged entries");
}

TEST_CASE("index diff: a damaged index is declined, never misread") {
  std::string why;
  CHECK_FALSE(vigil::git::parse_index("", why));
  CHECK_FALSE(vigil::git::parse_index(std::string("DIRC\0\0\0\2\0\0\0\5", 12) + std::string(20, '\0'), why));
  CHECK(why == "entry count larger than the file");
  CHECK_FALSE(vigil::git::parse_index(std::string("DIRC\0\0\0\7\0\0\0\0", 12) + std::string(20, '\0'), why));
  CHECK(why == "index version 7");
  auto empty = vigil::git::parse_index(std::string("DIRC\0\0\0\2\0\0\0\0", 12) + std::string(20, '\0'), why);
  REQUIRE(empty);
  CHECK(empty->entries.empty());
}
