// A server for signer-group tests: a bare repository running vigil-pre-receive under a floor
// policy, SSH keys for admin, alice, bob, mallory, carol and root, and a clone to push from without
// client hooks. Shared by signer_groups_test.cc and attack_signers_test.cc.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

namespace vigil::test {

inline std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The repository policy most cases start from: an admin guards the policy, alice and bob guard
// src/auth/ on main, where a signed merge by a member who is not the author also approves.
inline const char* kPolicy =
    "version = 1\n"
    "[signers.policy]\nmembers = [\"admin@example.org\"]\n"
    "[signers.maintainers]\nmembers = [\"alice@example.org\", \"bob@example.org\"]\n"
    "[[files]]\nglob = \"src/auth/**\"\nsigners = \"maintainers\"\napproval = \"merge\"\n"
    "refs = [\"refs/heads/main\"]\nreason = \"authentication code needs a maintainer\"\n";

/// A bare server with vigil-pre-receive, a floor policy, SSH keys for admin, alice, bob and mallory
/// (all trusted; mallory is in no group), and a clone to push from without client hooks.
class Site {
 public:
  explicit Site(const std::string& floor = "", bool seed = true) {
    const std::string bin = vigil::test::bin_dir();
    REQUIRE(sh(dir_.path(), "mkdir keys && git init -q --bare srv.git && ln -s " + bin +
                                "/vigil-pre-receive srv.git/hooks/pre-receive && git clone -q srv.git work 2>/dev/null")
                .status == 0);
    for (const char* who : {"admin", "alice", "bob", "mallory", "carol", "root"}) {
      REQUIRE(sh(dir_.path() + "/keys", std::string("ssh-keygen -q -t ed25519 -N '' -C ") + who + " -f " + who).status == 0);
    }
    set_floor(floor);
    if (!seed) return;
    write("src/auth/login.c", "int login(void) { return 0; }\n");
    write("src/app.c", "int main(void) { return 0; }\n");
    write(".vigil.toml", kPolicy);
    write(".vigil/allowed_signers", signer_line("admin") + signer_line("alice") + signer_line("bob") + signer_line("mallory"));
    land();
  }
  const std::string& root() const { return dir_.path(); }
  std::string bare() const { return dir_.path() + "/srv.git"; }
  std::string keys() const { return dir_.path() + "/keys"; }
  void set_floor(std::string floor) const {
    if (floor.find("[server]") == std::string::npos) floor += "\n[server]\n";
    floor.insert(floor.find("[server]\n") + 9, "deadline_ms = 300000\n");
    dir_.write("policy.toml", floor);
    REQUIRE(sh(bare(), "git config vigil.policy " + dir_.path() + "/policy.toml").status == 0);
  }
  /// "<who>@example.org ssh-ed25519 AAAA...\n" for allowed_signers.
  std::string signer_line(const std::string& who) const {
    auto pub = sh(keys(), "cut -d' ' -f1,2 " + who + ".pub");
    REQUIRE(pub.status == 0);
    return who + "@example.org " + trim_nl(pub.out) + "\n";
  }
  CmdResult git(const std::string& cmd) const { return sh(dir_.path() + "/work", cmd); }
  void write(const std::string& rel, const std::string& text) const { dir_.write("work/" + rel, text); }
  std::string server(const std::string& ref) const { return trim_nl(sh(bare(), "git rev-parse -q --verify " + ref).out); }
  std::string head() const { return trim_nl(git("git rev-parse HEAD").out); }

  /// Commits everything as `who` (author and committer <who>@example.org), SSH-signed by the key
  /// `key` ("" = unsigned). Returns the commit id.
  std::string commit(const std::string& who, const std::string& key, const std::string& msg = "change") const {
    auto c = git(identity(who) + " git " + signing(key) + " commit -q --no-verify -m '" + msg + "' && git rev-parse HEAD");
    REQUIRE_MESSAGE(c.status == 0, c.err);
    return trim_nl(c.out);
  }
  std::string add_commit(const std::string& who, const std::string& key, const std::string& msg = "change") const {
    REQUIRE(git("git add -A").status == 0);
    return commit(who, key, msg);
  }
  /// A merge of `branch` into the checked-out branch, as `who`, signed by `key` ("" = unsigned).
  std::string merge(const std::string& branch, const std::string& who, const std::string& key) const {
    auto c = git(identity(who) + " git " + signing(key) + " merge -q --no-ff --no-verify -m 'merge " + branch + "' " +
                 branch + " && git rev-parse HEAD");
    REQUIRE_MESSAGE(c.status == 0, c.err);
    return trim_nl(c.out);
  }
  CmdResult push(const std::string& refspec) const { return git("git push --no-verify origin " + refspec); }
  /// Lands the work tree on main with the server hook off (the state before vigil, or an admin's).
  void land(const std::string& msg = "set-up") const {
    REQUIRE(sh(bare(), "mv hooks/pre-receive hooks/off").status == 0);
    REQUIRE(git("git add -A && git commit -q --no-verify -m '" + msg + "' && git push -q origin HEAD:main").status == 0);
    REQUIRE(sh(bare(), "mv hooks/off hooks/pre-receive").status == 0);
  }
  /// Back to the server's main, dropping refused local commits and their files.
  void reset() const { REQUIRE(git("git fetch -q origin && git checkout -q -B main origin/main && git reset -q --hard origin/main && git clean -qfdx").status == 0); }

  std::string identity(const std::string& who) const {
    const std::string e = who + "@example.org";
    return "GIT_AUTHOR_NAME=" + who + " GIT_AUTHOR_EMAIL=" + e + " GIT_COMMITTER_NAME=" + who + " GIT_COMMITTER_EMAIL=" + e;
  }
  std::string signing(const std::string& key) const {
    if (key.empty()) return "-c commit.gpgsign=false";
    return "-c gpg.format=ssh -c user.signingkey=" + keys() + "/" + key + " -c commit.gpgsign=true";
  }

 private:
  TempDir dir_;
};

}  // namespace vigil::test
