// End-to-end: limits and pathological input, through real git. Huge files, huge commits, huge
// pushes, deep trees, a huge commit message, shallow and partial clones, corrupt objects, a
// detached HEAD, an unborn branch and a backtracking rule. Each must end with a clear outcome (exit
// 0, 1 or 2 and a message that says why): never a hang, a crash, a silent pass, or a whole
// gigabyte in memory. Peak RSS is measured with wait4() on the process tree that ran.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;
using vigil::test::TempRepo;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr long kSanitizerFactor = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr long kSanitizerFactor = 3;
#else
constexpr long kSanitizerFactor = 1;
#endif
#else
constexpr long kSanitizerFactor = 1;
#endif
// The documented budget (docs/limits.md); sanitizer builds carry shadow memory on top.
constexpr long kRssBudgetKib = 256L * 1024 * kSanitizerFactor;

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// 100,000 files and 10,000 refs cost git itself minutes on a loaded 2-core machine (fast-import,
// pack-objects, index-pack, 10,000 ref updates per push), so the suite runs a fifth of each by
// default; VIGIL_FULL_PATHOLOGICAL=1 runs the full sizes (bench/rss.sh always does).
bool full_size() { return std::getenv("VIGIL_FULL_PATHOLOGICAL") != nullptr; }
int files_in_commit() { return full_size() ? 100000 : 20000; }
int refs_in_push() { return full_size() ? 10000 : 2000; }

struct Measured {
  CmdResult r;
  long max_rss_kib = 0;  // the largest process of the tree (git, hook, vigil)
};

// Like sh(), and also reports the peak RSS of the tree it ran (wait4 covers waited-for children).
Measured run_measured(const std::string& cwd, const std::string& command) {
  vigil::test::hermetic_git_env();
  TempDir io;
  const std::string out_p = io.path() + "/out", err_p = io.path() + "/err";
  const std::string full =
      "cd " + quote(cwd) + " && { " + command + "\n} </dev/null >" + quote(out_p) + " 2>" + quote(err_p);
  Measured m;
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", full.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int st = 0;
  struct rusage ru {};
  REQUIRE(wait4(pid, &st, 0, &ru) == pid);
  m.r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  m.max_rss_kib = ru.ru_maxrss;
  std::ifstream o(out_p), e(err_p);
  m.r.out.assign(std::istreambuf_iterator<char>(o), {});
  m.r.err.assign(std::istreambuf_iterator<char>(e), {});
  return m;
}

// Big files go to RAM (tmpfs) when it has room: writing a gigabyte to a busy disk takes tens of
// seconds, to tmpfs well under one. TempDirs made while this lives are created there.
class BigTmp {
 public:
  explicit BigTmp(unsigned long long need_bytes) {
    struct statvfs v {};
    if (statvfs("/dev/shm", &v) != 0 || static_cast<unsigned long long>(v.f_bavail) * v.f_frsize < 3 * need_bytes) return;
    if (const char* t = std::getenv("TMPDIR")) old_ = t;
    setenv("TMPDIR", "/dev/shm", 1);
    active_ = true;
  }
  ~BigTmp() {
    if (!active_) return;
    if (old_) setenv("TMPDIR", old_->c_str(), 1);
    else unsetenv("TMPDIR");
  }

 private:
  bool active_ = false;
  std::optional<std::string> old_;
};

// One line of text, `mib` MiB long, no NUL and no newline: written 1 MiB at a time.
void write_one_line(const std::string& path, std::size_t mib) {
  std::string buf;
  buf.reserve(1 << 20);
  while (buf.size() < (1u << 20)) buf += "the quick brown fox jumps over the lazy dog ";
  buf.resize(1 << 20);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  for (std::size_t i = 0; i < mib; ++i) REQUIRE(std::fwrite(buf.data(), 1, buf.size(), f) == buf.size());
  REQUIRE(std::fclose(f) == 0);
}

std::string secret_line(unsigned seed) { return "GITHUB_TOKEN=" + fake_github_pat(seed) + "\n"; }

// A git fast-import stream for one commit on `ref` (parent `from`, if any) holding `files`.
struct FastImport {
  std::string stream;
  FastImport(const std::string& ref, const std::string& from, const std::string& message) {
    stream = "commit " + ref + "\ncommitter T <t@example.com> 1700000000 +0000\ndata " +
             std::to_string(message.size()) + "\n" + message + "\n";
    if (!from.empty()) stream += "from " + from + "\n";
  }
  void add(const std::string& path, const std::string& content) {
    stream += "M 100644 inline " + path + "\ndata " + std::to_string(content.size()) + "\n" + content + "\n";
  }
  CmdResult run(const TempRepo& repo) const {
    repo.write(".git/vigil-fast-import", stream);
    return repo.run("git fast-import --quiet < .git/vigil-fast-import && rm .git/vigil-fast-import");
  }
};

// A bare "server" with vigil's pre-receive and a generous deadline (the deadline is not the point).
struct Server {
  TempDir dir;
  std::string bare() const { return dir.path() + "/srv.git"; }
  Server() {
    dir.write("policy.toml", "[server]\ndeadline_ms = 600000\n");
    REQUIRE(sh(dir.path(), "git init -q --bare srv.git && git -C srv.git config vigil.policy " + dir.path() +
                               "/policy.toml && ln -s " + vigil::test::bin_dir() + "/vigil-pre-receive srv.git/hooks/pre-receive")
                .status == 0);
  }
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("pathological: vigil scan skips a 1 GB single-line file by its size, reading none of it") {
    BigTmp big(1ull << 30);
    TempDir dir;
    write_one_line(dir.path() + "/huge.txt", 1024);
    const auto m = run_measured(dir.path(), "$VIGIL scan huge.txt");
    CHECK(m.r.status == 1);  // not judged, so not a pass
    CHECK(has(m.r.err, "not fully scanned, a bound was reached: max_file_size (1 file)"));
    CHECK(has(m.r.err, "vigil: skipped huge.txt: larger than max_file_size 5.0 MiB (1.0 GiB)"));
    CHECK(m.max_rss_kib < kRssBudgetKib);
    CHECK(m.max_rss_kib < 512 * 1024);  // far below the file: it was never read whole
  }

  TEST_CASE("pathological: pre-commit blocks a staged 256 MB single-line file by its size, reading none of it") {
    // Staging a full gigabyte costs git itself ~100 s on a busy machine; 256 MB is still 50x the
    // default max_file_size and larger than the budget, so reading it whole would show.
    BigTmp big(1ull << 29);
    TempRepo repo;
    write_one_line(repo.path() + "/huge.txt", 256);
    REQUIRE(repo.run("git -c core.bigFileThreshold=1m add huge.txt").status == 0);
    const auto m = run_measured(repo.path(), "git commit -q -m huge");
    CHECK(m.r.status != 0);  // not read, so not judged: a bound blocks the commit
    CHECK(has(m.r.err, "vigil: skipped huge.txt: larger than max_file_size 5.0 MiB (256.0 MiB)"));
    CHECK(has(m.r.err, "commit blocked: not fully scanned, a bound was reached: max_file_size (1 file)"));
    CHECK(m.max_rss_kib < 200 * 1024 * kSanitizerFactor);
  }

  TEST_CASE("pathological: 100,000 files in one commit (20,000 by default) — pre-commit and pre-receive find the one secret") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    FastImport fi("refs/heads/many", "refs/heads/main", "many files");
    const int n_files = files_in_commit();
    for (int i = 0; i < n_files; ++i) {
      const std::string n = std::to_string(i);
      fi.add("d" + std::to_string(i % 100) + "/f" + n + ".txt", i == n_files - 2223 ? secret_line(7) : "value " + n + "\n");
    }
    const std::string leak_path = "d" + std::to_string((n_files - 2223) % 100) + "/f" + std::to_string(n_files - 2223) + ".txt";
    REQUIRE(fi.run(repo).status == 0);
    // Stage the whole tree: the hook judges 100,000 added files.
    REQUIRE(repo.run("git read-tree many").status == 0);
    const auto pc = run_measured(repo.path(), "git commit -q -m many");
    CHECK(pc.r.status == 1);
    CHECK(has(pc.r.err, leak_path + ":1:14"));
    CHECK(pc.max_rss_kib < kRssBudgetKib);

    Server srv;
    const auto pr = run_measured(repo.path(), "git push --no-verify " + srv.bare() + " many:refs/heads/many");
    CHECK(pr.r.status != 0);
    CHECK(has(pr.r.err, leak_path));
    CHECK(has(pr.r.err, "pre-receive hook declined"));
    CHECK(sh(srv.bare(), "git rev-parse -q --verify refs/heads/many").status != 0);
    CHECK(pr.max_rss_kib < kRssBudgetKib);
  }

  TEST_CASE("pathological: 10,000 refs in one push (2,000 by default) — pre-push and pre-receive read every line") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    repo.write("leak.env", secret_line(3));
    REQUIRE(repo.run("git add leak.env && git commit -q --no-verify -m leak && git branch leak && git reset -q --hard HEAD~1").status == 0);
    std::string refs;
    const std::string head = repo.run("git rev-parse HEAD").out.substr(0, 40);
    const int n_refs = refs_in_push();
    for (int i = 0; i < n_refs; ++i) refs += "create refs/heads/r/" + std::to_string(10000 + i) + " " + head + "\n";
    REQUIRE(repo.run("git update-ref --stdin", refs).status == 0);
    Server srv;
    const std::string push_all = "git push -q " + srv.bare() + " 'refs/heads/*:refs/heads/*'";

    // n_refs + 2 lines on pre-push's stdin; the one leaking branch blocks the whole push.
    auto r = run_measured(repo.path(), push_all);
    CHECK(r.r.status != 0);
    CHECK(has(r.r.err, "leak.env:1:14"));
    CHECK(r.max_rss_kib < kRssBudgetKib);
    // Past the laptop: as many lines on pre-receive's stdin, and the server rejects them all.
    r = run_measured(repo.path(), "git push -q --no-verify " + srv.bare() + " 'refs/heads/*:refs/heads/*'");
    CHECK(r.r.status != 0);
    CHECK(has(r.r.err, "leak.env"));
    CHECK(sh(srv.bare(), "git for-each-ref refs/heads | wc -l").out == "0\n");
    CHECK(r.max_rss_kib < kRssBudgetKib);
    // Without the leak, both hooks accept every ref update.
    REQUIRE(repo.run("git branch -D -q leak").status == 0);
    r = run_measured(repo.path(), push_all);
    CHECK(r.r.status == 0);
    CHECK(sh(srv.bare(), "git for-each-ref refs/heads | wc -l").out == std::to_string(n_refs + 1) + "\n");
    CHECK(r.max_rss_kib < kRssBudgetKib);
  }

  TEST_CASE("pathological: a secret 2,000 directories deep is found by pre-commit and scan --history") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    std::string path;
    for (int i = 0; i < 2000; ++i) path += "d/";
    FastImport fi("refs/heads/deep", "refs/heads/main", "deep");
    fi.add(path + "deep.env", secret_line(5));
    REQUIRE(fi.run(repo).status == 0);
    REQUIRE(repo.run("git read-tree deep").status == 0);
    const auto pc = repo.run("git commit -q -m deep");
    CHECK(pc.status == 1);
    CHECK(has(pc.err, "d/d/d/"));
    CHECK(has(pc.err, "deep.env:1:14"));
    const auto h = repo.run("$VIGIL scan --history");
    CHECK(h.status == 1);
    CHECK(has(h.err, "deep.env:1:14"));
  }

  TEST_CASE("pathological: a 50 MB commit message is blocked by size with a clear note in commit-msg; history skips it") {
    BigTmp big(1ull << 28);
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    write_one_line(repo.path() + "/.git/big-msg", 50);
    repo.write("x.txt", "x\n");
    REQUIRE(repo.run("git add x.txt").status == 0);
    // git itself holds a 50 MB message several times over (~300 MB): measure the hook alone.
    const auto m = run_measured(repo.path(), "GIT_EDITOR=: " + vigil::test::bin_dir() + "/vigil-commit-msg .git/big-msg");
    CHECK(m.r.status == 1);  // a message vigil did not read is not judged: the bound blocks
    CHECK(has(m.r.err, "vigil: skipped COMMIT_EDITMSG: larger than max_file_size 5.0 MiB (50.0 MiB)"));
    CHECK(has(m.r.err, "commit blocked: not fully scanned, a bound was reached: max_file_size"));
    CHECK(m.max_rss_kib < kRssBudgetKib);
    CHECK(repo.run("git commit -q -F .git/big-msg").status != 0);
    const auto c = repo.run("git commit -q --no-verify -F .git/big-msg");  // git's documented escape
    CHECK(c.status == 0);
    CHECK(repo.run("git rev-list --count HEAD").out == "2\n");
    const auto h = run_measured(repo.path(), "$VIGIL scan --history");
    CHECK(h.r.status == 0);
    CHECK(h.max_rss_kib < kRssBudgetKib);
  }

  TEST_CASE("pathological: a shallow clone — history scan stops at the boundary and says so; pre-push works") {
    TempRepo src;
    src.write("old.env", secret_line(11));
    REQUIRE(src.run("git add old.env && git commit -q --no-verify -m old").status == 0);
    REQUIRE(src.run("git rm -q old.env && git commit -q -m 'drop old'").status == 0);
    src.write("app.txt", "v1\n");
    REQUIRE(src.commit_all("app").status == 0);
    TempDir dir;
    REQUIRE(sh(dir.path(), "git clone -q --depth 1 file://" + src.path() + " shallow && cd shallow && $VIGIL install >/dev/null").status == 0);
    const std::string clone = dir.path() + "/shallow";
    REQUIRE(sh(clone, "test -f .git/shallow").status == 0);
    // The secret lives only in commits the clone does not have: nothing to find, and the report
    // says the history before the boundary was not scanned.
    auto h = sh(clone, "$VIGIL scan --history");
    CHECK(h.status == 0);
    CHECK(has(h.err, "shallow clone"));
    CHECK(has(h.err, "git fetch --unshallow"));
    CHECK_FALSE(has(h.err, "object not found"));
    // The boundary commit's whole tree counts as new: a secret in it is found.
    REQUIRE(src.run("git rm -q app.txt").status == 0);
    src.write("kept.env", secret_line(12));
    REQUIRE(src.run("git add kept.env && git commit -q --no-verify -m kept").status == 0);
    REQUIRE(sh(dir.path(), "git clone -q --depth 1 file://" + src.path() + " shallow2").status == 0);
    h = sh(dir.path() + "/shallow2", "$VIGIL scan --history");
    CHECK(h.status == 1);
    CHECK(has(h.err, "kept.env:1:14"));
    // pre-push from the first clone: a clean commit goes, a secret is blocked.
    REQUIRE(sh(clone, "echo v2 > app.txt && git commit -q -am v2").status == 0);
    auto p = sh(clone, "git push -q origin HEAD:refs/heads/clean");
    CHECK(p.status == 0);
    CHECK_FALSE(has(p.err, "vigil: error"));
    REQUIRE(sh(clone, "echo '" + secret_line(13) + "' > new.env && git add new.env && git commit -q --no-verify -m new").status == 0);
    p = sh(clone, "git push -q origin HEAD:refs/heads/leak");
    CHECK(p.status != 0);
    CHECK(has(p.err, "new.env:1:14"));
  }

  TEST_CASE("pathological: a blobless partial clone — the history scan names the missing blob and exits 2") {
    TempRepo src;
    for (int i = 1; i <= 3; ++i) {
      src.write("app.txt", "version " + std::to_string(i) + "\n");
      REQUIRE(src.commit_all("v" + std::to_string(i)).status == 0);
    }
    REQUIRE(src.run("git config uploadpack.allowFilter true && git config uploadpack.allowAnySHA1InWant true").status == 0);
    TempDir dir;
    REQUIRE(sh(dir.path(), "git clone -q --filter=blob:none file://" + src.path() + " partial").status == 0);
    const std::string clone = dir.path() + "/partial";
    const auto missing = sh(clone, "git rev-list --objects --all --missing=print | sed -n 's/^?//p'").out;
    REQUIRE(missing.size() >= 40);  // older versions of app.txt were not downloaded
    const auto h = sh(clone, "$VIGIL scan --history");
    CHECK(h.status == 2);
    CHECK(has(h.err, "vigil: error: missing object "));
    CHECK(has(missing, h.err.substr(h.err.find("missing object ") + 15, 40)));  // names a missing blob
    CHECK(has(h.err, "partial clone"));
    CHECK_FALSE(has(h.err, "scanned"));  // no report that looks like a pass
  }

  TEST_CASE("pathological: a corrupt loose object — scan exits 2 naming it; the server rejects the push") {
    TempRepo repo;
    repo.write("a.txt", "hello world\n");
    REQUIRE(repo.commit_all("one").status == 0);
    const std::string blob = repo.run("git rev-parse HEAD:a.txt").out.substr(0, 40);
    const std::string loose = ".git/objects/" + blob.substr(0, 2) + "/" + blob.substr(2);
    REQUIRE(repo.run("chmod u+w " + loose + " && printf 'garbage, not zlib' > " + loose).status == 0);
    const auto h = repo.run("$VIGIL scan --history");
    CHECK(h.status == 2);
    CHECK(has(h.err, "vigil: error: corrupt object " + blob));
    CHECK(has(h.err, "git fsck"));

    // Server side: the old version of a file is corrupt in the server's object store, and a push
    // modifies that file and adds a secret to it. The gate needs the old version to tell whether
    // the secret is new, cannot read it, and rejects the push (fail closed).
    Server srv;
    TempRepo client;
    client.write("b.txt", "first version of b\n");
    REQUIRE(client.commit_all("b1").status == 0);
    REQUIRE(sh(srv.bare(), "git config receive.unpackLimit 100000").status == 0);
    REQUIRE(client.run("git push -q " + srv.bare() + " HEAD:refs/heads/main").status == 0);
    const std::string sblob = client.run("git rev-parse HEAD:b.txt").out.substr(0, 40);
    const std::string sloose = srv.bare() + "/objects/" + sblob.substr(0, 2) + "/" + sblob.substr(2);
    REQUIRE(sh(srv.bare(), "chmod u+w " + sloose + " && printf 'garbage, not zlib' > " + sloose).status == 0);
    client.write("b.txt", "a completely different second text, nothing like the first one at all\ntoken = " +
                              vigil::test::fake_github_pat(41) + "\n");
    REQUIRE(client.run("git add -A && git commit -q --no-verify -m b2").status == 0);
    const auto p = client.run("git push -q --no-verify " + srv.bare() + " HEAD:refs/heads/main");
    CHECK(p.status != 0);
    CHECK(has(p.err, "corrupt object " + sblob));
    CHECK(has(p.err, "push rejected"));
  }

  TEST_CASE("pathological: a detached HEAD — pre-commit, pre-push and scan --history all judge its commits") {
    TempRepo repo;
    repo.write("README.md", "hello\n");
    REQUIRE(repo.commit_all("initial").status == 0);
    REQUIRE(repo.run("git checkout -q --detach").status == 0);
    repo.write("d.env", secret_line(21));
    CHECK(repo.commit_all("detached leak").status == 1);  // pre-commit on a detached HEAD
    REQUIRE(repo.run("git commit -q --no-verify -m 'detached leak'").status == 0);
    // The commit is on no branch: only HEAD reaches it. History scans all refs and HEAD.
    const auto h = repo.run("$VIGIL scan --history");
    CHECK(h.status == 1);
    CHECK(has(h.err, "d.env:1:14"));
    Server srv;
    REQUIRE(repo.run("git push -q --no-verify " + srv.bare() + " main:refs/heads/main").status == 0);
    const auto p = repo.run("git push -q " + srv.bare() + " HEAD:refs/heads/topic");
    CHECK(p.status != 0);
    CHECK(has(p.err, "d.env:1:14"));
  }

  TEST_CASE("pathological: an unborn branch — scan --history, pre-commit and pre-push have nothing to judge") {
    TempRepo repo;
    const auto h = repo.run("$VIGIL scan --history");
    CHECK(h.status == 0);
    CHECK(has(h.err, "scanned 0 commits"));
    CHECK(repo.run("git commit -q --allow-empty -m empty").status == 0);  // first commit, nothing staged
    TempRepo fresh;
    Server srv;
    REQUIRE(repo.run("git push -q " + srv.bare() + " main:refs/heads/gone").status == 0);
    // A push from a repository with no commits at all: deleting a remote branch.
    const auto p = fresh.run("git push -q " + srv.bare() + " :refs/heads/gone");
    CHECK(p.status == 0);
    CHECK_FALSE(has(p.err, "vigil: error"));
    CHECK(sh(srv.bare(), "git rev-parse -q --verify refs/heads/gone").status != 0);
  }

  TEST_CASE("pathological: a backtracking rule reports 'confirm limit hit' instead of hanging or passing silently") {
    TempRepo repo;
    repo.write("redos.toml", "[[rules]]\nid = 'team.redos'\nregex = '''(a+)+x|ay'''\nsecret_group = 0\n"
                             "severity = 'high'\nexamples = ['ay']\n");
    std::string input;
    for (int i = 0; i < 20000; ++i) input += std::string(40, 'a') + "y\n";
    repo.write("input.txt", input);
    const auto r = repo.run("$VIGIL scan input.txt --no-builtin --rules redos.toml");
    CHECK(r.status == 1);  // candidates left unconfirmed: not a pass
    CHECK(has(r.err, "a bound was reached: confirm_limit"));
    CHECK(has(r.err, "confirm limit hit: rule 'team.redos'"));
    CHECK(has(r.err, "20000 candidates not confirmed"));
  }
}
