// End-to-end: `vigil install` / `uninstall` in every mode (repository, global, server, GitLab,
// Gitea), each followed by a real commit or push through the installed hook; chaining, byte-exact
// uninstall, core.hooksPath, a read-only hooks dir, upgrades; `vigil init` and `vigil doctor`.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::bin_dir;
using vigil::test::CmdResult;
using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string secret_line(unsigned seed = 1) { return "GITHUB_TOKEN=" + fake_github_pat(seed) + "\n"; }

// Every path with its type and mode, symlink targets, and the SHA-256 of every file: equal
// digests mean a byte-identical tree. (Directory sizes are left out: file systems differ.)
std::string digest(const std::string& dir) {
  auto r = sh(dir, "find . -printf '%p %y %m %l\\n' | LC_ALL=C sort; "
                   "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum");
  REQUIRE(r.status == 0);
  return r.out;
}

// A work tree with one commit and no vigil (TempRepo installs vigil itself).
struct PlainRepo {
  TempDir dir;
  PlainRepo() {
    REQUIRE(sh(dir.path(), "git init -q && echo hello > README.md && git add -A && git commit -q -m init").status == 0);
  }
  const std::string& path() const { return dir.path(); }
  CmdResult run(const std::string& cmd, const std::string& input = {}) const { return sh(dir.path(), cmd, input); }
  CmdResult commit(const std::string& file, const std::string& content) const {
    dir.write(file, content);
    return run("git add -A && git commit -q -m 'add " + file + "'");
  }
};

// A hook of another tool: logs its run (and stdin) and exits with the status in its exit-code file.
const char* kForeignHook =
    "#!/bin/sh\n"
    "log=\"$(git rev-parse --git-common-dir)/foreign.log\"\n"
    "echo \"foreign $(basename \"$0\") $*\" >> \"$log\"\n"
    "[ -t 0 ] || cat >> \"$log\"\n"
    "code=$(cat \"$(git rev-parse --show-toplevel)/exit-code\" 2>/dev/null || echo 0)\n"
    "exit \"$code\"\n";

void write_hook(const TempDir& d, const std::string& rel, const std::string& text) {
  d.write(rel, text);
  REQUIRE(sh(d.path(), "chmod 755 '" + rel + "'").status == 0);
}

// A bare "server" repository and a clone to push from (seeded with one commit).
struct Server {
  TempDir dir;
  explicit Server(const std::string& bare_rel = "srv.git") : bare_rel_(bare_rel) {
    REQUIRE(sh(dir.path(), "mkdir -p \"$(dirname " + bare_rel + ")\" && git init -q --bare " + bare_rel +
                               " && git clone -q " + bare_rel + " work 2>/dev/null && cd work && echo hi > README.md && "
                                                                "git add -A && git commit -q -m init")
                .status == 0);
  }
  std::string bare() const { return dir.path() + "/" + bare_rel_; }
  std::string work() const { return dir.path() + "/work"; }
  CmdResult push_file(const std::string& file, const std::string& content) const {
    dir.write("work/" + file, content);
    return sh(work(), "git add -A && git commit -q -m 'add " + file + "' && git push -q origin HEAD:main");
  }
  std::string bare_rel_;
};

}  // namespace

TEST_SUITE("e2e") {
  // --- repository mode ---------------------------------------------------------------------

  TEST_CASE("install: repo mode puts shims in .git/hooks and a real commit with a secret is blocked") {
    PlainRepo repo;
    const auto r = repo.run("$VIGIL install");
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "pre-commit: installed"));
    CHECK(has(repo.dir.read(".git/hooks/pre-commit"), "# vigil-managed-hook"));
    CHECK(has(repo.dir.read(".git/hooks/pre-commit"), bin_dir() + "/vigil-pre-commit"));
    const auto blocked = repo.commit("prod.env", secret_line());
    CHECK(blocked.status == 1);
    CHECK(has(blocked.err, "vigil: commit blocked"));
    CHECK(repo.run("git rev-list --count HEAD").out == "1\n");
    REQUIRE(repo.run("git reset -q HEAD prod.env && rm prod.env").status == 0);
    CHECK(repo.commit("app.txt", "hello\n").status == 0);
  }

  TEST_CASE("install: installing twice is a no-op, byte for byte") {
    PlainRepo repo;
    REQUIRE(repo.run("$VIGIL install").status == 0);
    const auto once = digest(repo.path() + "/.git");
    const auto r = repo.run("$VIGIL install");
    CHECK(r.status == 0);
    CHECK(has(r.out, "pre-commit: already installed"));
    CHECK(has(r.out, "pre-push: already installed"));
    CHECK(digest(repo.path() + "/.git") == once);
  }

  TEST_CASE("install: an existing hook is chained, runs first and keeps its exit status") {
    PlainRepo repo;
    write_hook(repo.dir, ".git/hooks/pre-commit", kForeignHook);
    const std::string original = repo.dir.read(".git/hooks/pre-commit");
    const auto r = repo.run("$VIGIL install");
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "kept the existing hook as pre-commit.vigil-chained"));
    CHECK(repo.dir.read(".git/hooks/pre-commit.vigil-chained") == original);

    // Clean commit: both run, the commit lands.
    CHECK(repo.commit("a.txt", "a\n").status == 0);
    CHECK(has(repo.dir.read(".git/foreign.log"), "foreign pre-commit.vigil-chained"));
    // The chained hook's failure stops the commit, with its own exit status (7), before vigil.
    repo.dir.write("exit-code", "7\n");
    REQUIRE(repo.run("git add a.txt").status == 0);
    const auto direct = repo.run("echo more >> a.txt && git add a.txt && .git/hooks/pre-commit");
    CHECK(direct.status == 7);
    CHECK(repo.run("git commit -q -m more").status != 0);
    // With the chained hook passing again, vigil still judges: a secret is blocked.
    repo.dir.write("exit-code", "0\n");
    const auto blocked = repo.commit("prod.env", secret_line());
    CHECK(blocked.status == 1);
    CHECK(has(blocked.err, "vigil: commit blocked"));
  }

  TEST_CASE("install: a chained pre-push hook and vigil both get git's stdin") {
    Server s;  // a bare remote to push to
    REQUIRE(sh(s.work(), "git push -q origin HEAD:main").status == 0);
    TempDir& d = s.dir;
    write_hook(d, "work/.git/hooks/pre-push", kForeignHook);
    REQUIRE(sh(s.work(), "$VIGIL install").status == 0);
    d.write("work/b.txt", "b\n");
    REQUIRE(sh(s.work(), "git add -A && git commit -q -m b").status == 0);
    const std::string head = sh(s.work(), "git rev-parse HEAD").out;
    CHECK(sh(s.work(), "git push -q origin HEAD:main").status == 0);
    const std::string log = d.read("work/.git/foreign.log");
    CHECK(has(log, "foreign pre-push.vigil-chained origin"));
    CHECK(has(log, "HEAD " + head.substr(0, 40) + " refs/heads/main "));  // git's ref line on stdin
    // vigil read the same stdin: the secret in the next push is judged and blocked.
    d.write("work/prod.env", secret_line(2));
    REQUIRE(sh(s.work(), "git add -A && git commit -q --no-verify -m secret").status == 0);
    const auto r = sh(s.work(), "git push -q origin HEAD:main");
    CHECK(r.status != 0);
    CHECK(has(r.err, "vigil: push blocked"));
  }

  TEST_CASE("uninstall: the hooks dir (and .git) are byte-identical to before install") {
    PlainRepo repo;
    write_hook(repo.dir, ".git/hooks/pre-commit", kForeignHook);
    write_hook(repo.dir, ".git/hooks/commit-msg", "#!/bin/sh\nexit 0\n");
    REQUIRE(repo.run("chmod 700 .git/hooks/commit-msg").status == 0);
    const auto before = digest(repo.path() + "/.git");
    REQUIRE(repo.run("$VIGIL install").status == 0);
    CHECK(digest(repo.path() + "/.git") != before);
    const auto r = repo.run("$VIGIL uninstall");
    CHECK(r.status == 0);
    CHECK(has(r.out, "pre-commit: removed; restored the previous hook"));
    CHECK(has(r.out, "pre-push: removed"));
    CHECK(digest(repo.path() + "/.git") == before);
  }

  TEST_CASE("install: core.hooksPath is respected; the directory is created and removed again") {
    PlainRepo repo;
    REQUIRE(repo.run("git config core.hooksPath .githooks").status == 0);
    // The work tree, the hooks and the config (a commit attempt below rewrites .git/index).
    auto tree = [&] { return digest(repo.path() + "/.git/hooks") + repo.run("find . -path ./.git -prune -o -print | sort").out + repo.dir.read(".git/config"); };
    const auto before = tree();
    const auto r = repo.run("$VIGIL install");
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "hooks directory: " + repo.path() + "/.githooks"));
    CHECK(has(repo.dir.read(".githooks/pre-commit"), "# vigil-managed-hook"));
    CHECK(!has(repo.dir.read(".git/hooks/pre-commit"), "vigil"));
    const auto blocked = repo.commit("prod.env", secret_line());
    CHECK(blocked.status == 1);
    REQUIRE(repo.run("git reset -q HEAD prod.env && rm prod.env").status == 0);
    REQUIRE(repo.run("$VIGIL uninstall").status == 0);
    CHECK(repo.run("test -e .githooks").status != 0);
    CHECK(tree() == before);
  }

  TEST_CASE("install: a read-only hooks dir is a one-line error, exit 2, and nothing changes") {
    PlainRepo repo;
    const auto before = digest(repo.path() + "/.git/hooks");
    CmdResult r;
    if (::geteuid() == 0) {
      // Root writes through mode bits: run as nobody, on a repository nobody owns, with binaries
      // nobody can reach (the build dir may sit under a private home).
      REQUIRE(repo.run("chmod 755 . && mkdir home bin && for b in vigil vigil-pre-commit vigil-commit-msg vigil-pre-push; do "
                       "cp -l '" +
                       bin_dir() + "'/$b bin/ 2>/dev/null || cp '" + bin_dir() + "'/$b bin/; done && "
                                                                                 "chown 65534:65534 . && chown -R 65534:65534 .git home README.md && chmod 555 .git/hooks")
                  .status == 0);  // not bin/: its files may be hard links into the build dir
      // (LeakSanitizer, in the sanitizer run, cannot always attach after the uid change.)
      r = repo.run("setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=\"$PWD/home\" "
                   "ASAN_OPTIONS=detect_leaks=0 bin/vigil install");
    } else {
      REQUIRE(repo.run("chmod 555 .git/hooks").status == 0);
      r = repo.run("$VIGIL install");
    }
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    INFO(r.err);
    CHECK(r.err.rfind("vigil: error: hooks directory " + repo.path() + "/.git/hooks is not writable", 0) == 0);
    CHECK(has(r.err, "chmod u+w"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    REQUIRE(repo.run("chmod 755 .git/hooks").status == 0);
    CHECK(digest(repo.path() + "/.git/hooks") == before);
  }

  TEST_CASE("install: over another vigil version's shim, the shim is updated and the chain kept") {
    PlainRepo repo;
    write_hook(repo.dir, ".git/hooks/pre-commit.vigil-chained", kForeignHook);
    // What an older vigil left: same marker, other text, a binary path that no longer exists.
    write_hook(repo.dir, ".git/hooks/pre-commit",
               "#!/bin/sh\n# vigil-managed-hook — installed by `vigil install`\n"
               "exec /opt/vigil-0.0.1/bin/vigil-pre-commit \"$@\"\n");
    const auto r = repo.run("$VIGIL install");
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "pre-commit: updated the vigil shim"));
    const std::string shim = repo.dir.read(".git/hooks/pre-commit");
    CHECK(has(shim, bin_dir() + "/vigil-pre-commit"));
    CHECK(!has(shim, "/opt/vigil-0.0.1"));
    CHECK(has(repo.dir.read(".git/hooks/pre-commit.vigil-chained"), "foreign"));
    CHECK(repo.commit("prod.env", secret_line()).status == 1);  // the new binary judges
    CHECK(has(repo.dir.read(".git/foreign.log"), "foreign pre-commit.vigil-chained"));
    // A shim naming another binary directory is updated too (vigil moved).
    REQUIRE(repo.run("sed -i 's#" + bin_dir() + "#/usr/lib/vigil-old#' .git/hooks/commit-msg").status == 0);
    CHECK(has(repo.run("$VIGIL install").out, "commit-msg: updated the vigil shim"));
    CHECK(has(repo.dir.read(".git/hooks/commit-msg"), bin_dir()));
    REQUIRE(repo.run("$VIGIL uninstall").status == 0);
    CHECK(has(repo.dir.read(".git/hooks/pre-commit"), "foreign"));
  }

  // --- global mode -------------------------------------------------------------------------

  TEST_CASE("install --global: a hooks dir for every repository, running each repository's own hooks") {
    TempDir home;
    home.write(".gitconfig", "[init]\n\tdefaultBranch = main\n[user]\n\tname = G\n");
    const std::string env = "export HOME='" + home.path() + "'; unset XDG_CONFIG_HOME; ";
    const auto before = digest(home.path());
    PlainRepo repo;
    write_hook(repo.dir, ".git/hooks/pre-commit", kForeignHook);
    const auto r = repo.run(env + "$VIGIL install --global");
    REQUIRE(r.status == 0);
    const std::string dir = home.path() + "/.config/vigil/hooks";
    CHECK(repo.run(env + "git config --global core.hooksPath").out == dir + "\n");
    CHECK(has(home.read(".config/vigil/hooks/pre-commit"), "vigil install --global"));
    CHECK(has(home.read(".config/vigil/hooks/post-checkout"), "pass-through"));
    // The repository's own hook runs first; a secret is blocked by vigil.
    CHECK(sh(repo.path(), env + "echo a > a.txt && git add -A && git commit -q -m a").status == 0);
    CHECK(has(repo.dir.read(".git/foreign.log"), "foreign pre-commit"));
    const auto blocked = sh(repo.path(), env + "echo '" + secret_line() + "' > prod.env && git add -A && git commit -q -m s");
    CHECK(blocked.status == 1);
    CHECK(has(blocked.err, "vigil: commit blocked"));
    // The local hook's failure stops the commit, with its exit status.
    repo.dir.write("exit-code", "5\n");
    CHECK(sh(repo.path(), env + "rm prod.env && git add -A && " + dir + "/pre-commit; echo $?").out == "5\n");
    // A repository without vigil's global hooks dir in mind: a fresh one is covered too.
    TempDir other;
    REQUIRE(sh(other.path(), env + "git init -q && echo '" + secret_line(3) + "' > k.env && git add -A").status == 0);
    CHECK(sh(other.path(), env + "git commit -q -m k").status == 1);
    // Twice: a no-op. Uninstall: HOME byte-identical (core.hooksPath unset, the directory gone).
    CHECK(has(repo.run(env + "$VIGIL install --global").out, "already installed"));
    const auto u = repo.run(env + "$VIGIL uninstall --global");
    CHECK(u.status == 0);
    CHECK(has(u.out, "unset global core.hooksPath"));
    CHECK(digest(home.path()) == before);
  }

  TEST_CASE("install --global: a previous global core.hooksPath keeps running and is restored exactly") {
    TempDir home;
    write_hook(home, "team-hooks/pre-commit",
               "#!/bin/sh\necho team >> \"$HOME/team.log\"\nexit 0\n");
    home.write(".gitconfig", "[init]\n\tdefaultBranch = main\n[core]\n\thooksPath = " + home.path() + "/team-hooks\n");
    const std::string env = "export HOME='" + home.path() + "'; unset XDG_CONFIG_HOME; ";
    const auto before = digest(home.path());
    PlainRepo repo;
    REQUIRE(repo.run(env + "$VIGIL install --global").status == 0);
    CHECK(sh(repo.path(), env + "echo a > a.txt && git add -A && git commit -q -m a").status == 0);
    CHECK(home.read("team.log") == "team\n");
    REQUIRE(repo.run(env + "rm \"$HOME/team.log\"").status == 0);
    const auto u = repo.run(env + "$VIGIL uninstall --global");
    CHECK(has(u.out, "restored global core.hooksPath = " + home.path() + "/team-hooks"));
    CHECK(digest(home.path()) == before);
  }

  // --- server modes ------------------------------------------------------------------------

  TEST_CASE("install --server: a bare repository rejects a pushed secret; policy scaffold; cache warmed") {
    Server s;
    const auto pristine = digest(s.bare());
    // Install and uninstall first: the repository is byte-identical afterwards.
    REQUIRE(sh(s.dir.path(), "$VIGIL install --server --with-update srv.git").status == 0);
    REQUIRE(sh(s.dir.path(), "$VIGIL uninstall --server srv.git").status == 0);
    CHECK(digest(s.bare()) == pristine);

    const auto r = sh(s.dir.path(), "$VIGIL install --server --with-update srv.git");
    REQUIRE(r.status == 0);
    const std::string policy = s.bare() + "/vigil-policy.toml";
    CHECK(has(r.out, "wrote the server policy scaffold " + policy));
    CHECK(has(r.out, "rules database cache"));  // warmed (or already warm) and says for whom
    CHECK(sh(s.bare(), "git config vigil.policy").out == policy + "\n");
    CHECK(has(s.dir.read("srv.git/hooks/pre-receive"), "vigil-pre-receive"));
    CHECK(has(s.dir.read("srv.git/hooks/update"), "vigil-update"));
    // The scaffold is a valid policy.
    CHECK(sh(s.dir.path(), "$VIGIL scan -q -c " + policy + " - </dev/null").status == 0);
    // A real push: the secret is rejected by the server, a clean push goes through.
    const auto push = s.push_file("prod.env", secret_line(4));
    CHECK(push.status != 0);
    CHECK(has(push.err, "remote: vigil: push blocked"));
    CHECK(sh(s.work(), "git reset -q --hard HEAD~1").status == 0);
    CHECK(s.push_file("notes.txt", "fine\n").status == 0);
    // Twice: nothing changes.
    const auto again = sh(s.dir.path(), "$VIGIL install --server --with-update --no-warm srv.git");
    CHECK(has(again.out, "pre-receive: already installed"));
    CHECK(!has(again.out, "scaffold"));
  }

  TEST_CASE("install --server: refuses a work tree, and keeps an edited policy on uninstall") {
    Server s;
    const auto bad = sh(s.dir.path(), "$VIGIL install --server work");
    CHECK(bad.status == 2);
    CHECK(has(bad.err, "is not a bare repository"));
    REQUIRE(sh(s.dir.path(), "$VIGIL install --server --no-warm srv.git").status == 0);
    REQUIRE(sh(s.bare(), "echo '# edited' >> vigil-policy.toml").status == 0);
    const auto u = sh(s.dir.path(), "$VIGIL uninstall --server srv.git");
    CHECK(has(u.out, "kept " + s.bare() + "/vigil-policy.toml (edited since install)"));
    CHECK(sh(s.bare(), "git config vigil.policy").status != 0);
  }

  TEST_CASE("install --gitlab: custom_hooks/pre-receive.d/vigil runs beside other custom hooks") {
    Server s("repositories/@hashed/6b/86/6b86b273.git");
    const std::string bare = s.bare();
    // What Gitaly does with custom hooks, as a dispatcher: every executable file of
    // custom_hooks/pre-receive.d in order, each with the push's stdin, stopping at the first failure.
    write_hook(s.dir, s.bare_rel_ + "/hooks/pre-receive",
               "#!/bin/sh\nGIT_DIR=${GIT_DIR:-$(cd \"$(dirname \"$0\")/..\" && pwd)}; export GIT_DIR\n"
               "in=$(mktemp); cat > \"$in\"\n"
               "for h in \"$GIT_DIR\"/custom_hooks/pre-receive.d/*; do\n"
               "  case \"$h\" in *~) continue ;; esac\n"
               "  [ -f \"$h\" ] && [ -x \"$h\" ] || continue\n"
               "  \"$h\" <\"$in\" || { rm -f \"$in\"; exit 1; }\n"
               "done\nrm -f \"$in\"\n");
    write_hook(s.dir, s.bare_rel_ + "/custom_hooks/pre-receive.d/00-log", "#!/bin/sh\ncat >> \"$GIT_DIR/pushes.log\"\n");
    const auto custom_before = digest(bare + "/custom_hooks");
    const auto hooks_before = digest(bare + "/hooks");
    const auto r = sh(s.dir.path(), "$VIGIL install --gitlab --no-warm " + s.bare_rel_);
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "installed custom_hooks/pre-receive.d/vigil"));
    CHECK(sh(bare, "test -x custom_hooks/pre-receive.d/vigil").status == 0);
    const auto push = s.push_file("prod.env", secret_line(5));
    CHECK(push.status != 0);
    CHECK(has(push.err, "remote: vigil: push blocked"));
    CHECK(has(s.dir.read(s.bare_rel_ + "/pushes.log"), "refs/heads/main"));  // the other hook ran too
    CHECK(sh(s.work(), "git reset -q --hard HEAD~1").status == 0);
    CHECK(s.push_file("ok.txt", "ok\n").status == 0);
    // Uninstall needs no layout flag; pushes aside, the hook tree is as before.
    REQUIRE(sh(s.dir.path(), "$VIGIL uninstall --server " + s.bare_rel_).status == 0);
    CHECK(sh(bare, "test -e custom_hooks/pre-receive.d/vigil").status != 0);
    CHECK(digest(bare + "/custom_hooks") == custom_before);
    CHECK(digest(bare + "/hooks") == hooks_before);
    CHECK(!has(digest(bare), "pre-receive.d/vigil"));
  }

  TEST_CASE("install --gitea: hooks/pre-receive.d/vigil is run by Gitea's dispatcher") {
    Server s("gitea-repositories/org/app.git");
    // Gitea's (and Forgejo's) generated hooks/pre-receive.
    write_hook(s.dir, s.bare_rel_ + "/hooks/pre-receive",
               "#!/usr/bin/env bash\n"
               "# AUTO GENERATED BY GITEA, DO NOT MODIFY\n"
               "data=$(cat)\nexitcodes=\"\"\nhookname=$(basename $0)\n"
               "GIT_DIR=${GIT_DIR:-$(dirname $0)/..}\n"
               "for hook in ${GIT_DIR}/hooks/${hookname}.d/*; do\n"
               "  test -x \"${hook}\" && test -f \"${hook}\" || continue\n"
               "  echo \"${data}\" | \"${hook}\"\n  exitcodes=\"${exitcodes} $?\"\ndone\n"
               "for i in ${exitcodes}; do\n  [ ${i} -eq 0 ] || exit ${i}\ndone\n");
    write_hook(s.dir, s.bare_rel_ + "/hooks/pre-receive.d/gitea", "#!/bin/sh\nexit 0\n");
    const auto hooks_before = digest(s.bare() + "/hooks");
    const std::string config_before = s.dir.read(s.bare_rel_ + "/config");
    const auto r = sh(s.dir.path(), "$VIGIL install --gitea " + s.bare_rel_);
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "installed hooks/pre-receive.d/vigil"));
    CHECK(!has(r.out, "Resynchronize"));  // the dispatcher is there
    const auto push = s.push_file("prod.env", secret_line(6));
    CHECK(push.status != 0);
    CHECK(has(push.err, "remote: vigil: push blocked"));
    REQUIRE(sh(s.dir.path(), "$VIGIL uninstall --server " + s.bare_rel_).status == 0);
    CHECK(digest(s.bare() + "/hooks") == hooks_before);
    CHECK(s.dir.read(s.bare_rel_ + "/config") == config_before);
    CHECK(sh(s.bare(), "test -e vigil-policy.toml").status != 0);
  }

  // --- init and doctor ---------------------------------------------------------------------

  TEST_CASE("init: writes a self-documenting .vigil.toml the hooks accept, and never overwrites silently") {
    PlainRepo repo;
    REQUIRE(repo.run("mkdir sub").status == 0);
    const auto r = sh(repo.path() + "/sub", "$VIGIL init");
    REQUIRE(r.status == 0);
    const std::string text = repo.dir.read(".vigil.toml");  // at the root, not in sub/
    for (const char* section : {"[settings]", "[[rules]]", "[[allow]]", "[signatures]", "[[files]]", "[messages]", "[refs]"}) {
      CHECK_MESSAGE(has(text, section), section);
    }
    CHECK(repo.run("$VIGIL rules check >/dev/null").status == 0);
    CHECK(repo.commit(".vigil.toml", text).status == 0);  // the pre-commit config loads it
    const auto again = repo.run("$VIGIL init");
    CHECK(again.status == 2);
    CHECK(has(again.err, "already exists — edit it, or pass --force"));
    repo.dir.write(".vigil.toml", "version = 1\n");
    CHECK(repo.run("$VIGIL init --force").status == 0);
    CHECK(repo.dir.read(".vigil.toml") == text);
  }

  TEST_CASE("doctor: healthy after install; each problem named with its fix, exit 1") {
    PlainRepo repo;
    auto r = repo.run("$VIGIL doctor");
    CHECK(r.status == 1);
    CHECK(has(r.out, "pre-commit: not installed"));
    CHECK(has(r.out, "fix: vigil install"));
    REQUIRE(repo.run("$VIGIL install").status == 0);
    r = repo.run("$VIGIL doctor");
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(has(r.out, "pre-commit: runs vigil"));
    CHECK(has(r.out, "rules valid (built-in defaults"));
    CHECK(has(r.out, "cache: "));
    CHECK(has(r.out, "signing: the policy requires no signatures"));
    CHECK(has(r.out, "vigil: healthy"));

    // Shadowed: core.hooksPath points elsewhere.
    REQUIRE(repo.run("git config core.hooksPath other-hooks").status == 0);
    r = repo.run("$VIGIL doctor");
    CHECK(r.status == 1);
    CHECK(has(r.out, "shadowed by core.hooksPath=other-hooks"));
    CHECK(has(r.out, "fix: vigil install   # into " + repo.path() + "/other-hooks"));
    // husky owns the hooks.
    REQUIRE(repo.run("git config core.hooksPath .husky/_ && mkdir -p .husky/_ && echo 'npx lint-staged' > .husky/pre-commit").status == 0);
    r = repo.run("$VIGIL doctor");
    CHECK(has(r.out, "husky owns the hooks"));
    CHECK(has(r.out, "fix: echo 'vigil-pre-commit' >> .husky/pre-commit"));
    REQUIRE(repo.run("echo vigil-pre-commit >> .husky/pre-commit").status == 0);
    CHECK(has(repo.run("$VIGIL doctor").out, "pre-commit: runs vigil through husky"));
    REQUIRE(repo.run("git config --unset core.hooksPath").status == 0);

    // The pre-commit framework's hook in vigil's place.
    REQUIRE(repo.run("$VIGIL uninstall").status == 0);
    write_hook(repo.dir, ".git/hooks/pre-commit", "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexit 0\n");
    r = repo.run("$VIGIL doctor");
    CHECK(has(r.out, "the pre-commit framework owns"));
    CHECK(has(r.out, "fix: vigil install"));
    REQUIRE(repo.run("$VIGIL install").status == 0);

    // A broken config, and signing required but not set up.
    repo.dir.write(".vigil.toml", "version = 1\n[settings]\nmode = \"enforce\"\nfail_onn = \"low\"\n");
    r = repo.run("$VIGIL doctor");
    CHECK(r.status == 1);
    CHECK(has(r.out, "unknown key 'fail_onn'"));
    CHECK(has(r.out, "fix: edit"));
    repo.dir.write(".vigil.toml", "version = 1\n[signatures]\nrequire = [\"refs/heads/main\"]\n");
    r = repo.run("$VIGIL doctor");
    CHECK(r.status == 1);
    CHECK(has(r.out, "commit.gpgsign is off"));
    CHECK(has(r.out, "fix: git config commit.gpgsign true"));
  }

  TEST_CASE("doctor: a bare repository without vigil says how to install the server hooks") {
    Server s;
    const auto r = sh(s.bare(), "$VIGIL doctor");
    CHECK(r.status == 1);
    CHECK(has(r.out, "fix: vigil install --server"));
    REQUIRE(sh(s.dir.path(), "$VIGIL install --server --no-warm srv.git").status == 0);
    const auto ok = sh(s.bare(), "$VIGIL doctor");
    INFO(ok.out);
    CHECK(ok.status == 0);
    CHECK(has(ok.out, "pre-receive: runs vigil"));
  }
}
