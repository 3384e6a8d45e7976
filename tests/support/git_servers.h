// Test support: real git servers started from Debian packages on local ports, so that the pusher a
// hook sees is the one the server authenticated. Smart HTTP: `git http-backend` as a CGI behind
// lighttpd with basic authentication (REMOTE_USER). SSH: gitolite3 behind an sshd of the test's own
// (its own host key, config and authorized_keys, on a high port), so GL_USER names the key's owner.
// Each server stops (by its own pid) when the object goes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/temp_repo.h"

namespace vigil::test {

/// The programs a server needs, or the first one missing ("" when all are there). A missing one
/// is a skip on a developer's machine and a failure where CI=true (CI installs them all).
std::string missing_program(const std::vector<std::string>& programs);

/// A free TCP port on 127.0.0.1 (bound and released; the server binds it right after).
int free_port();

/// The variables a hook needs from the test's environment (HOME's rules cache, sanitizer options),
/// as (name, value) pairs of those that are set.
std::vector<std::pair<std::string, std::string>> hook_environment();

/// lighttpd serving `git http-backend` for every bare repository under root()/repos at
/// url("<name>.git"), each request authenticated with basic auth from the users given.
class HttpGitServer {
 public:
  /// users: (name, password). Throws when lighttpd does not come up (its error log is in the message).
  explicit HttpGitServer(const std::vector<std::pair<std::string, std::string>>& users);
  ~HttpGitServer();
  HttpGitServer(const HttpGitServer&) = delete;
  HttpGitServer& operator=(const HttpGitServer&) = delete;
  std::string repos() const { return dir_.path() + "/repos"; }
  /// http://user:password@127.0.0.1:<port>/git/<repo>; no user: no credentials.
  std::string url(const std::string& repo, const std::string& user = "", const std::string& password = "") const;
  /// The same repository under /anon/, served without authentication (no REMOTE_USER): a server
  /// misconfigured for anonymous pushes.
  std::string anonymous_url(const std::string& repo) const;

 private:
  TempDir dir_;
  int port_ = 0;
  int pid_ = 0;
};

/// gitolite3 with its own HOME, reached through an sshd of the test's own. Users are named by key
/// files made with ssh-keygen (keys()/<user>, public key keys()/<user>.pub).
class GitoliteServer {
 public:
  /// Creates the admin and `users`, a repository `repo` they may all push to (RW+), and starts sshd.
  GitoliteServer(const std::vector<std::string>& users, const std::string& repo);
  ~GitoliteServer();
  GitoliteServer(const GitoliteServer&) = delete;
  GitoliteServer& operator=(const GitoliteServer&) = delete;
  /// gitolite's HOME (its .gitolite/, repositories/ and .gitolite.rc live here).
  std::string home() const { return dir_.path() + "/gl"; }
  std::string bare(const std::string& repo) const { return home() + "/repositories/" + repo + ".git"; }
  std::string keys() const { return dir_.path() + "/keys"; }
  std::string url(const std::string& repo) const;
  /// GIT_SSH_COMMAND that authenticates with `user`'s key.
  std::string ssh_command(const std::string& user) const;
  /// Runs a gitolite command as the server's admin would (HOME set to home()).
  CmdResult gitolite(const std::string& args) const;

 private:
  TempDir dir_;
  int port_ = 0;
  int pid_ = 0;
};

}  // namespace vigil::test
