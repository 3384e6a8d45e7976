// Test support for attack tests: a bare "server" repository with vigil's server hook(s) and a
// floor policy, and a clone to push from whose hooks are not vigil's (an attacker skips every
// client-side check anyway). Tests push with --no-verify and assert what landed on the server.
#pragma once

#include <optional>
#include <string>

#include "tests/support/temp_repo.h"

namespace vigil::test {

/// Which server hooks judge the pushes.
enum class ServerHooks {
  PreReceive,  // vigil-pre-receive linked as hooks/pre-receive
  Update,      // vigil-update linked as hooks/update, alone
  Both,        // what `vigil install --server --with-update` writes
};

class AttackServer {
 public:
  /// The shell command, run in the fresh clone, that makes the first commit (pushed to main).
  static constexpr const char* kBaseCommit = "echo base > README && git add README && git commit -q -m base";

  /// Creates srv.git with `hooks`, clones it to work/, commits `base_commit` and pushes it to main
  /// (judged with no policy set), then sets `policy` as the floor (see set_policy) unless nullopt.
  explicit AttackServer(std::optional<std::string> policy = std::string(), ServerHooks hooks = ServerHooks::PreReceive,
                        const std::string& base_commit = kBaseCommit);

  TempDir dir;
  std::string bare() const { return dir.path() + "/srv.git"; }
  std::string clone() const { return dir.path() + "/work"; }
  /// The server's audit log.
  std::string log() const { return bare() + "/vigil-audit.jsonl"; }

  /// Writes the floor policy (policy.toml) and points the server at it (git config vigil.policy).
  /// A generous [server] deadline_ms is added unless the text sets one: only deadline tests
  /// should depend on time (sanitizer builds and a cold rules cache are slow).
  void set_policy(std::string text) const;

  /// Runs a shell command in the clone.
  CmdResult in_clone(const std::string& cmd) const;
  /// Writes a file in the clone's work tree.
  void write(const std::string& rel, const std::string& text) const { dir.write("work/" + rel, text); }
  /// `git push --no-verify origin <refspecs>` from the clone.
  CmdResult push(const std::string& refspecs) const;
  /// Commits everything in the clone (client hooks skipped) and pushes HEAD to `ref`.
  CmdResult commit_and_push(const std::string& msg, const std::string& ref = "main", const std::string& opts = "") const;
  /// Sets up the old tip: commits the work tree and lands it on main with the server hooks
  /// switched off (as if it had been there before vigil, or pushed by an admin).
  void land(const std::string& msg = "set-up") const;
  /// Drops the local commits the server refused, keeping the work tree for the next attempt.
  void forget_refused() const;
  /// Writes `text` (and a newline) as a blob in the clone; its id.
  std::string blob(const std::string& text) const;

  /// The server's value of `ref` (40 hex digits), or "" when it does not exist.
  std::string server_ref(const std::string& ref = "main") const;
  /// The clone's value of `rev`.
  std::string clone_rev(const std::string& rev) const;
  /// Whether the server's object store holds `oid` (a refused push leaves none of its objects).
  bool server_has(const std::string& oid) const;
  /// The audit log's text, and its last record.
  std::string audit() const { return dir.read("srv.git/vigil-audit.jsonl"); }
  std::string last_record() const;
  /// `vigil audit verify` on `log` (a path relative to the server's directory).
  CmdResult verify(const std::string& log = "srv.git/vigil-audit.jsonl") const;
};

}  // namespace vigil::test
