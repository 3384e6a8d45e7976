// Test support: temp directories and real git (or vigil) commands run through /bin/sh.
#pragma once

#include <string>

namespace vigil::test {

struct CmdResult {
  int status = -1;  // exit status (128+signal when killed)
  std::string out;
  std::string err;
};

/// A fresh temporary directory, removed on destruction (unless VIGIL_KEEP_TMP is set).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// Writes `content` to path()/rel, creating parent directories.
  void write(const std::string& rel, const std::string& content) const;
  std::string read(const std::string& rel) const;

 private:
  std::string path_;
};

/// Sets a hermetic git environment for this test process: HOME in a temp dir, no system
/// config, fixed author and committer, no inherited GIT_* variables. Idempotent.
void hermetic_git_env();

/// Runs `command` with /bin/sh in `cwd`, feeding `input` on stdin.
CmdResult sh(const std::string& cwd, const std::string& command, const std::string& input = {});

/// Directory holding the built vigil binaries (VIGIL_BIN_DIR), and the source tree.
std::string bin_dir();
std::string source_dir();

/// A work tree made with `git init` (branch main), with vigil's hooks wired in through a
/// hooks dir of shims that call the freshly built binaries.
class TempRepo {
 public:
  TempRepo();
  const std::string& path() const { return dir_.path(); }
  TempDir& dir() { return dir_; }
  /// Runs a shell command in the work tree; "git ..." and "$VIGIL ..." both work.
  CmdResult run(const std::string& command, const std::string& input = {}) const;
  /// Writes a file in the work tree.
  void write(const std::string& rel, const std::string& content) const { dir_.write(rel, content); }
  /// git add -A && git commit -m msg, returning the commit's result.
  CmdResult commit_all(const std::string& msg) const;

 private:
  TempDir dir_;
};

/// A fake token that the built-in rules detect (a valid GitHub PAT checksum), built at run time
/// so the source holds no literal secret. `seed` varies it.
std::string fake_github_pat(unsigned seed = 1);

}  // namespace vigil::test
