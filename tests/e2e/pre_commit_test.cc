// End-to-end: real `git commit` runs through the installed vigil pre-commit hook.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::TempRepo;

namespace {

std::string secret_line(unsigned seed = 1) { return "GITHUB_TOKEN=" + fake_github_pat(seed) + "\n"; }

void seed_repo(const TempRepo& repo) {
  repo.write("README.md", "hello\n");
  REQUIRE(repo.commit_all("initial").status == 0);
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("pre-commit blocks a staged secret and names file, line and rule, redacted") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("config/prod.env", "# settings\n" + secret_line());
    const auto r = repo.commit_all("add config");
    CHECK(r.status != 0);
    CHECK(r.err.find("vigil: commit blocked: 1 secret in 1 file") != std::string::npos);
    CHECK(r.err.find("config/prod.env:2:14  github.pat") != std::string::npos);
    CHECK(r.err.find(fake_github_pat(1)) == std::string::npos);  // never in full
    CHECK(r.err.find("vigil:allow") != std::string::npos);       // says how to proceed
    CHECK(repo.run("git rev-list --count HEAD").out == "1\n");   // the commit did not happen
  }

  TEST_CASE("pre-commit passes the same commit without the secret") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("config/prod.env", "# settings\nGITHUB_TOKEN=${GITHUB_TOKEN}\n");
    const auto r = repo.commit_all("add config");
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }

  TEST_CASE("a secret in the work tree that is not staged does not block") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("app.py", "print('hi')\n");
    REQUIRE(repo.run("git add app.py").status == 0);
    repo.write("app.py", "print('hi')\n" + secret_line());  // modified after staging
    const auto r = repo.run("git commit -q -m app");
    CHECK(r.status == 0);
  }

  TEST_CASE("a staged secret blocks even when the work tree no longer has it") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("app.py", secret_line());
    REQUIRE(repo.run("git add app.py").status == 0);
    repo.write("app.py", "clean\n");
    CHECK(repo.run("git commit -q -m app").status == 1);
  }

  TEST_CASE("the first commit of a repository is judged against the empty tree") {
    TempRepo repo;
    repo.write("init.env", secret_line());
    CHECK(repo.commit_all("first").status == 1);
    CHECK(repo.run("git rev-parse -q --verify HEAD").status != 0);
  }

  TEST_CASE("commit -a judges the temporary index git passes in GIT_INDEX_FILE") {
    TempRepo repo;
    repo.write("tracked.txt", "one\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("tracked.txt", "one\n" + secret_line());
    const auto r = repo.run("git commit -q -a -m update");
    CHECK(r.status == 1);
    CHECK(r.err.find("tracked.txt:2:") != std::string::npos);
  }

  TEST_CASE("commit <path> judges only that path") {
    TempRepo repo;
    repo.write("a.txt", "a\n");
    repo.write("b.txt", "b\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("a.txt", "a\nchanged\n");
    repo.write("b.txt", "b\n" + secret_line());
    CHECK(repo.run("git commit -q -m a a.txt").status == 0);
    CHECK(repo.run("git commit -q -m b b.txt").status == 1);
  }

  TEST_CASE("--amend is judged against the parent, so an amended-in secret blocks") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("notes.txt", "notes\n");
    REQUIRE(repo.commit_all("notes").status == 0);
    repo.write("notes.txt", "notes\n" + secret_line());
    REQUIRE(repo.run("git add notes.txt").status == 0);
    CHECK(repo.run("git commit -q --amend --no-edit").status == 1);
  }

  TEST_CASE("only added lines count: an old secret in a modified file does not block again") {
    TempRepo repo;
    repo.write("legacy.env", secret_line() + "A=1\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m legacy").status == 0);
    repo.write("legacy.env", secret_line() + "A=2\n");
    CHECK(repo.commit_all("touch").status == 0);
  }

  TEST_CASE("many staged files, scanned on two threads, report each new secret once and in path order") {
    // Over 64 KB staged in several files: the hook splits them between two threads. The mix
    // covers both halves: a new file, modified files with old and new secrets (the diff runs
    // under the libgit2 lock), and a file edited after staging (read from the object store).
    TempRepo repo;
    const std::string filler(30000, 'x');
    repo.write("b.env", secret_line(2) + "A=1\n" + filler + "\n");
    repo.write("d.env", secret_line(4) + "A=1\n" + filler + "\n");
    REQUIRE(repo.run("git add -A && git commit -q --no-verify -m legacy").status == 0);
    repo.write("a.txt", filler + "\n" + secret_line(1));
    repo.write("b.env", secret_line(2) + "A=2\n" + filler + "\n" + secret_line(3));
    repo.write("c.txt", filler + filler + "\n");
    repo.write("d.env", secret_line(4) + "A=2\n" + filler + "\n");
    repo.write("e.txt", secret_line(5) + filler + "\n");
    REQUIRE(repo.run("git add -A").status == 0);
    repo.write("e.txt", "edited after staging\n");
    const auto r = repo.run("git commit -q -m many");
    CHECK(r.status == 1);
    CHECK(r.err.find("vigil: commit blocked: 3 secrets in 3 files") != std::string::npos);
    const auto a = r.err.find("a.txt:2:"), b = r.err.find("b.env:4:"), e = r.err.find("e.txt:1:");
    CHECK(a != std::string::npos);
    CHECK(b != std::string::npos);
    CHECK(e != std::string::npos);
    CHECK((a < b && b < e));
    CHECK(r.err.find("d.env") == std::string::npos);     // its secret is in HEAD already
    CHECK(r.err.find("b.env:1:") == std::string::npos);  // likewise
  }

  TEST_CASE("partial staging with git add -p judges only the staged hunk") {
    TempRepo repo;
    std::string base;
    for (int i = 0; i < 30; ++i) base += "line " + std::to_string(i) + "\n";
    repo.write("big.txt", base);
    REQUIRE(repo.commit_all("initial").status == 0);
    // First hunk: a harmless edit at the top. Second hunk: a secret at the bottom.
    std::string edited = "line zero\n" + base.substr(base.find('\n') + 1) + secret_line();
    repo.write("big.txt", edited);
    REQUIRE(repo.run("git add -p big.txt", "y\nn\n").status == 0);
    CHECK(repo.run("git commit -q -m top").status == 0);
    REQUIRE(repo.run("git add big.txt").status == 0);
    CHECK(repo.run("git commit -q -m bottom").status == 1);
  }

  TEST_CASE("a merge commit with a secret from the other branch's resolution is blocked") {
    TempRepo repo;
    seed_repo(repo);
    REQUIRE(repo.run("git checkout -q -b feature && echo f > f.txt && git add f.txt && git commit -q -m f").status == 0);
    REQUIRE(repo.run("git checkout -q main && echo m > m.txt && git add m.txt && git commit -q -m m").status == 0);
    REQUIRE(repo.run("git merge -q --no-commit feature").status == 0);
    repo.write("merge.env", secret_line());
    REQUIRE(repo.run("git add merge.env").status == 0);
    CHECK(repo.run("git commit -q --no-edit").status == 1);
    repo.write("merge.env", "clean\n");
    REQUIRE(repo.run("git add merge.env").status == 0);
    CHECK(repo.run("git commit -q --no-edit").status == 0);
    CHECK(repo.run("git rev-list --parents -n1 HEAD").out.size() > 82);  // two parents
  }

  TEST_CASE("odd file names: spaces, unicode and a newline") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("dir with space/ünïcødé file.txt", secret_line());
    auto r = repo.commit_all("odd");
    CHECK(r.status == 1);
    CHECK(r.err.find("dir with space/ünïcødé file.txt:1:") != std::string::npos);
    REQUIRE(repo.run("git reset -q").status == 0);
    REQUIRE(repo.run("rm -rf 'dir with space'").status == 0);
    repo.write("new\nline.txt", secret_line(2));
    r = repo.commit_all("newline");
    CHECK(r.status == 1);
    CHECK(r.err.find("github.pat") != std::string::npos);
  }

  TEST_CASE("CRLF line endings and a missing final newline") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("win.ini", "[a]\r\nx=1\r\nGITHUB_TOKEN=" + fake_github_pat(3));
    const auto r = repo.commit_all("crlf");
    CHECK(r.status == 1);
    CHECK(r.err.find("win.ini:3:14") != std::string::npos);
  }

  TEST_CASE("a 10 MB text file is not read: the commit is blocked naming max_file_size, and a larger limit scans it") {
    TempRepo repo;
    seed_repo(repo);
    std::string big;
    while (big.size() < 10u << 20) big += "just some ordinary text in a large generated file\n";
    repo.write("big.log", big + secret_line());
    const auto r = repo.commit_all("big");
    CHECK(r.status == 1);  // not judged is not clean: a bound blocks (fail closed)
    CHECK(r.err.find("vigil: skipped big.log: larger than max_file_size 5.0 MiB (10.0 MiB)") != std::string::npos);
    CHECK(r.err.find("raise [settings] max_file_size") != std::string::npos);
    repo.write(".vigil.toml", "[settings]\nmax_file_size = \"20MB\"\n");
    repo.write("big.log", big + secret_line() + secret_line(2));
    CHECK(repo.commit_all("big again").status == 1);
  }

  TEST_CASE("a binary file with secret-like bytes is skipped and reported") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("blob.bin", std::string("\x00\x01\x02", 3) + secret_line());
    const auto r = repo.commit_all("binary");
    CHECK(r.status == 0);
    CHECK(r.err.find("vigil: skipped blob.bin: binary") != std::string::npos);
  }

  TEST_CASE("vigil:allow on the line lets an intended value through") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("fixture.py", "TOKEN = '" + fake_github_pat(4) + "'  # vigil:allow test fixture for the parser\n");
    CHECK(repo.commit_all("fixture").status == 0);
  }

  TEST_CASE(".vigil.toml can allow a path (with a reason) and disable a rule") {
    TempRepo repo;
    seed_repo(repo);
    repo.write(".vigil.toml", "[[allow]]\npaths = [\"fixtures/**\"]\nreason = \"fake tokens for tests\"\n");
    repo.write("fixtures/tokens.txt", secret_line(5));
    CHECK(repo.commit_all("fixtures").status == 0);
    repo.write(".vigil.toml", "[settings]\ndisable = [\"github.pat\", \"generic.assignment\"]\n");
    repo.write("other.txt", secret_line(6));
    CHECK(repo.commit_all("other").status == 0);
  }

  TEST_CASE("run by hand from a subdirectory, the hook still reads the repository's .vigil.toml") {
    TempRepo repo;
    seed_repo(repo);
    repo.write(".vigil.toml", "[[allow]]\npaths = [\"fixtures/**\"]\nreason = \"fake tokens for tests\"\n");
    repo.write("fixtures/tokens.txt", secret_line(7));
    repo.write("fixtures/sub/.keep", "");
    REQUIRE(repo.run("git add -A").status == 0);
    // The hook loads the engine from the current directory while it opens the repository; from
    // a subdirectory that guess is wrong and the repository's top must win (allowed: exit 0).
    CHECK(repo.run("cd fixtures/sub && $(dirname $VIGIL)/vigil-pre-commit").status == 0);
    repo.write(".vigil.toml", "");
    REQUIRE(repo.run("git add -A").status == 0);
    CHECK(repo.run("cd fixtures/sub && $(dirname $VIGIL)/vigil-pre-commit").status == 1);
  }

  TEST_CASE("a malformed .vigil.toml stops the commit with file:line:col and exit 2") {
    TempRepo repo;
    seed_repo(repo);
    repo.write(".vigil.toml", "[settings]\nmode = \"enforce\"\nfail_on = \n");
    repo.write("x.txt", "x\n");
    const auto r = repo.commit_all("x");
    CHECK(r.status != 0);
    CHECK(r.err.rfind("vigil: error: .vigil.toml:3:", 0) == 0);
    CHECK(repo.run("vigil_bin=$(dirname $VIGIL); $vigil_bin/vigil-pre-commit").status == 2);
  }

  TEST_CASE("an invalid regex in a repository rule names the rule") {
    TempRepo repo;
    seed_repo(repo);
    repo.write(".vigil.toml", "[[rules]]\nid = \"acme.key\"\nregex = '''acme_(\\w+'''\n");
    repo.write("x.txt", "x\n");
    const auto r = repo.commit_all("x");
    CHECK(r.status != 0);
    CHECK(r.err.find("rule 'acme.key'") != std::string::npos);
    CHECK(repo.run("git add -A && $(dirname $VIGIL)/vigil-pre-commit").status == 2);
  }

  TEST_CASE("a repository rule added in .vigil.toml blocks its token") {
    TempRepo repo;
    seed_repo(repo);
    repo.write(".vigil.toml", "[[rules]]\nid = \"acme.key\"\nregex = '''\\b(acme_[a-z0-9]{24})\\b'''\nentropy = 3.0\n"
                              "examples = [\"acme_q8zr2lmt7vxk9pwn4syb6hcj\"]\nnegative_examples = [\"acme_short\"]\n");
    repo.write("x.txt", "key = acme_q8zr2lmt7vxk9pwn4syb6hcj\n");  // vigil:allow fake token for the test rule
    const auto r = repo.commit_all("x");
    CHECK(r.status == 1);
    CHECK(r.err.find("acme.key") != std::string::npos);
  }

  TEST_CASE("--no-verify bypasses the hook (git's documented escape)") {
    TempRepo repo;
    seed_repo(repo);
    repo.write("x.env", secret_line());
    CHECK(repo.run("git add -A && git commit -q --no-verify -m x").status == 0);
  }

  TEST_CASE("outside a git repository the hook fails with a one-line error") {
    vigil::test::TempDir dir;
    const auto r = vigil::test::sh(dir.path(), vigil::test::bin_dir() + "/vigil-pre-commit");
    CHECK(r.status == 2);
    CHECK(r.err.rfind("vigil: error: not a git repository", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }

  TEST_CASE("install keeps an existing hook, runs it first with its exit status, and uninstall restores it") {
    TempRepo repo;
    REQUIRE(repo.run("$VIGIL uninstall").status == 0);
    repo.write(".git/hooks/pre-commit", "#!/bin/sh\necho legacy-hook-ran >&2\nexit ${LEGACY_EXIT:-0}\n");
    REQUIRE(repo.run("chmod +x .git/hooks/pre-commit").status == 0);
    const std::string before = repo.dir().read(".git/hooks/pre-commit");
    REQUIRE(repo.run("$VIGIL install").status == 0);
    const auto again = repo.run("$VIGIL install");
    CHECK(again.out.find("already installed") != std::string::npos);
    repo.write("a.txt", "a\n");
    auto r = repo.commit_all("a");
    CHECK(r.status == 0);
    CHECK(r.err.find("legacy-hook-ran") != std::string::npos);
    repo.write("b.txt", "b\n");
    r = repo.run("git add -A && LEGACY_EXIT=3 git commit -q -m b");
    CHECK(r.status != 0);
    repo.write("c.txt", secret_line());
    CHECK(repo.commit_all("c").status == 1);  // vigil still runs after the legacy hook
    REQUIRE(repo.run("$VIGIL uninstall").status == 0);
    CHECK(repo.dir().read(".git/hooks/pre-commit") == before);
    CHECK(repo.run("test -e .git/hooks/pre-commit.vigil-chained").status != 0);
  }
}
