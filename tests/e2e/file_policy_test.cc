// End-to-end: [[files]] rules and the path checks, judged by the pre-commit hook on real commits.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::bin_dir;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// A repository with a first commit holding `config` as .vigil.toml.
void seed(TempRepo& repo, const std::string& config) {
  repo.write(".vigil.toml", "version = 1\n" + config);
  repo.write("README.md", "hello\n");
  const auto r = repo.commit_all("initial");
  REQUIRE_MESSAGE(r.status == 0, r.err);
}

std::string commits(const TempRepo& repo) { return repo.run("git rev-list --count HEAD").out; }

const char* kLfsPointer =
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 2097152\n";

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("a forbidden file is blocked with its rule id and reason; other files pass") {
    TempRepo repo;
    seed(repo, "[[files]]\nid = \"no-env\"\nglob = [\".env\", \"*.pem\"]\non = [\"add\"]\n"
               "reason = \"environment files hold credentials; use .env.example\"\n");
    repo.write("app/.env", "DEBUG=1\n");
    auto r = repo.commit_all("add env");
    CHECK(r.status == 1);
    CHECK(has(r.err, "vigil: commit blocked: 1 forbidden file change"));
    CHECK(has(r.err, "  app/.env  no-env  high\n      adds app/.env\n"
                     "      note: environment files hold credentials; use .env.example\n"));
    CHECK(commits(repo) == "1\n");
    REQUIRE(repo.run("git rm -q --cached app/.env && rm app/.env").status == 0);
    repo.write("app/.env.example", "DEBUG=\n");
    r = repo.commit_all("add example");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }

  TEST_CASE("renaming a protected file is caught by its old path") {
    TempRepo repo;
    repo.write(".github/workflows/ci.yml", "on: push\n");
    seed(repo, "[[files]]\nid = \"ci\"\nglob = \".github/workflows/**\"\non = [\"modify\", \"rename\", \"delete\"]\n"
               "reason = \"CI changes need review by the platform team\"\n");
    REQUIRE(repo.run("git mv .github/workflows/ci.yml old-ci.yml").status == 0);
    auto r = repo.run("git commit -q -m move");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  old-ci.yml  ci  high\n      renames .github/workflows/ci.yml to old-ci.yml\n"));
    // Adding a new workflow is not in 'on', so it passes.
    REQUIRE(repo.run("git mv old-ci.yml .github/workflows/ci.yml").status == 0);
    repo.write(".github/workflows/lint.yml", "on: push\n");
    CHECK(repo.commit_all("lint").status == 0);
  }

  TEST_CASE("a mode-only change (chmod +x) is its own change type") {
    TempRepo repo;
    repo.write("tools/run.sh", "echo hi\n");
    seed(repo, "[[files]]\nglob = \"tools/**\"\non = [\"mode\"]\nreason = \"executables in tools/ are reviewed\"\n");
    repo.write("tools/run.sh", "echo hello\n");
    CHECK(repo.commit_all("edit").status == 0);  // content edits are not 'mode'
    REQUIRE(repo.run("chmod +x tools/run.sh").status == 0);
    auto r = repo.commit_all("make executable");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  tools/run.sh  files.1  high\n      changes the mode of tools/run.sh from 100644 to 100755\n"));
  }

  TEST_CASE("symlink = inside blocks a link out of the repository and passes one inside") {
    TempRepo repo;
    seed(repo, "[[files]]\nsymlink = \"inside\"\nreason = \"links out of the checkout leak files\"\n");
    REQUIRE(repo.run("mkdir docs && ln -s ../README.md docs/readme-link").status == 0);
    CHECK(repo.commit_all("inner link").status == 0);
    REQUIRE(repo.run("ln -s /etc/shadow shadow").status == 0);
    auto r = repo.commit_all("outer link");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  shadow  files.1  high\n      symlink to '/etc/shadow' points outside the repository\n"));
  }

  TEST_CASE("submodule = false blocks adding a submodule") {
    TempDir upstream;
    REQUIRE(vigil::test::sh(upstream.path(), "git init -q && git commit -q --allow-empty -m up").status == 0);
    TempRepo repo;
    seed(repo, "[[files]]\nsubmodule = false\nreason = \"vendor dependencies instead of submodules\"\n");
    REQUIRE(repo.run("git -c protocol.file.allow=always submodule add -q " + upstream.path() + " vendor/lib").status == 0);
    auto r = repo.run("git commit -q -m sub");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  vendor/lib  files.1  high\n      adds submodule vendor/lib (commit "));
    CHECK(commits(repo) == "1\n");
  }

  TEST_CASE("max_size and binary = false: passing and failing") {
    TempRepo repo;
    seed(repo, "[[files]]\nglob = \"assets/**\"\nmax_size = \"64KB\"\nbinary = false\nreason = \"assets go to the CDN\"\n");
    repo.write("assets/small.svg", "<svg/>\n");
    CHECK(repo.commit_all("svg").status == 0);
    repo.write("assets/big.txt", std::string(100 * 1024, 'a'));
    repo.write("assets/icon.bin", std::string("\x89PNG\0\0\0", 7) + "data");
    auto r = repo.commit_all("big");
    CHECK(r.status == 1);
    CHECK(has(r.err, "vigil: commit blocked: 2 forbidden file changes"));
    CHECK(has(r.err, "  assets/big.txt  files.1  high\n      100.0 KiB is larger than max_size 64.0 KiB\n"));
    CHECK(has(r.err, "  assets/icon.bin  files.1  high\n      binary file\n"));
  }

  TEST_CASE("lfs_over: an LFS pointer passes, the real large file is blocked") {
    TempRepo repo;
    seed(repo, "[[files]]\nglob = \"*.psd\"\nlfs_over = \"1MB\"\nreason = \"store design files with Git LFS\"\n");
    repo.write("art/logo.psd", kLfsPointer);
    CHECK(repo.commit_all("pointer").status == 0);
    repo.write("art/cover.psd", std::string(2 << 20, 'p'));
    auto r = repo.commit_all("real file");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  art/cover.psd  files.1  high\n      2.0 MiB and not a Git LFS pointer (files over 1.0 MiB "
                     "must be stored with Git LFS)\n"));
  }

  TEST_CASE("a warn rule lets the commit through and says why") {
    TempRepo repo;
    seed(repo, "[[files]]\nglob = \"*.log\"\naction = \"warn\"\nreason = \"logs rarely belong in git\"\n");
    repo.write("run.log", "x\n");
    auto r = repo.commit_all("log");
    CHECK(r.status == 0);
    CHECK(has(r.err, "vigil: commit allowed with 1 warning"));
    CHECK(has(r.err, "  run.log  files.1  medium (warn)\n"));
  }

  TEST_CASE("case collision: two index entries in one commit, and one with a file already committed") {
    TempRepo repo;
    seed(repo, "");
    // Entries that cannot both exist on a case-insensitive file system go straight into the index.
    const auto blob = repo.run("echo hi | git hash-object -w --stdin").out.substr(0, 40);
    REQUIRE(repo.run("git update-index --add --cacheinfo 100644," + blob + ",docs/Guide.md && "
                                                                           "git update-index --add --cacheinfo 100644," +
                     blob + ",docs/guide.md")
                .status == 0);
    auto r = repo.run("git commit -q -m twins");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  docs/Guide.md  files.case-collision  high\n"
                     "      collides with 'docs/guide.md' when case or Unicode normalization is ignored\n"));
    REQUIRE(repo.run("git rm -q --cached docs/guide.md && git commit -q -m one").status == 0);
    // README.md is committed; readme.md arrives later.
    REQUIRE(repo.run("git update-index --add --cacheinfo 100644," + blob + ",readme.md").status == 0);
    r = repo.run("git commit -q -m readme");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  readme.md  files.case-collision  high\n      collides with 'README.md'"));
  }

  TEST_CASE("Unicode normalization collision: NFC and NFD spellings of one name") {
    TempRepo repo;
    seed(repo, "");
    const auto blob = repo.run("echo hi | git hash-object -w --stdin").out.substr(0, 40);
    REQUIRE(repo.run("git update-index --add --cacheinfo 100644," + blob + ",$(printf 'caf\\303\\251.txt') && "
                                                                           "git update-index --add --cacheinfo 100644," +
                     blob + ",$(printf 'cafe\\314\\201.txt')")
                .status == 0);
    auto r = repo.run("git commit -q -m cafe");
    CHECK(r.status == 1);
    CHECK(has(r.err, "files.case-collision"));
  }

  TEST_CASE("unsafe names are blocked by default, and can be turned off") {
    TempRepo repo;
    seed(repo, "");
    repo.write("src/aux.txt", "x\n");
    auto r = repo.commit_all("aux");
    CHECK(r.status == 1);
    CHECK(has(r.err, "  src/aux.txt  files.unsafe-name  high\n      'aux.txt' is a reserved device name on Windows\n"));
    repo.write(".vigil.toml", "version = 1\n[[files]]\nid = \"files.unsafe-name\"\naction = \"off\"\n"
                              "reason = \"this project never builds on Windows\"\n");
    CHECK(repo.commit_all("aux, allowed").status == 0);
  }

  TEST_CASE("path traversal: an NTFS short name for .git that git lets in never lands") {
    TempRepo repo;
    seed(repo, "");
    const auto blob = repo.run("echo hi | git hash-object -w --stdin").out.substr(0, 40);
    REQUIRE(repo.run("git -c core.protectNTFS=false update-index --add --cacheinfo 100644," + blob + ",GIT~1/config")
                .status == 0);
    // git lists the staged change (libgit2 alone refused to read such an index), so the
    // files.path-traversal rule itself blocks it, naming the component.
    auto r = repo.run("git -c core.protectNTFS=false commit -q -m sneaky");
    CHECK(r.status == 1);
    CHECK(has(r.err, "GIT~1/config  files.path-traversal  high"));
    CHECK(has(r.err, "the path has a 'GIT~1' component"));
    CHECK(commits(repo) == "1\n");
  }

  TEST_CASE("a malformed glob or regex in the config is an error (exit 2) naming the rule and line") {
    TempRepo repo;
    repo.write(".vigil.toml", "version = 1\n[[files]]\nid = \"keys\"\nglob = \"keys/[a-z\"\nreason = \"r\"\n");
    repo.write("a.txt", "a\n");
    REQUIRE(repo.run("git add -A").status == 0);
    auto r = repo.run("'" + bin_dir() + "/vigil-pre-commit'");
    CHECK(r.status == 2);
    CHECK(r.err == "vigil: error: .vigil.toml:4:8: [[files]] rule 'keys': unclosed '[' in glob 'keys/[a-z'; "
                   "bypass once: git commit --no-verify\n");
    CHECK(repo.run("git commit -q -m x").status != 0);  // git refuses the commit too
    repo.write(".vigil.toml", "version = 1\n[refs]\nbranch_name = '(feature'\n");
    r = repo.run("'" + bin_dir() + "/vigil-pre-commit'");
    CHECK(r.status == 2);
    CHECK(has(r.err, "vigil: error: .vigil.toml:3:15: [refs] branch_name (rule refs.branch-name): invalid regex '(feature'"));
  }
}
