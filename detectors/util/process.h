// Process: run a helper program (git, gpg tools, ssh-keygen) without a shell and capture its output.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vigil {

struct ProcResult {
  int status = -1;  // exit status (128+signal when killed); -1 when it could not be started
  std::string out;
  std::string err;
};

struct ProcOptions {
  std::string stdin_path;                                    // file to read stdin from; empty = /dev/null
  std::vector<std::pair<std::string, std::string>> set_env;  // variables to set in the child
  std::vector<std::string> unset_env;                        // variables to remove from it
  std::string cwd = {};                                      // directory to run in; empty = ours (the initializer keeps {a, b, c} warning-free)
};

/// Runs argv (PATH lookup, no shell: arguments are passed as they are), capturing stdout and
/// stderr. Both pipes are drained together, so a chatty child cannot deadlock on a full pipe.
/// A program that cannot be started (not on PATH, `cwd` missing) gives status -1 and says why in
/// `err`.
ProcResult run_process(const std::vector<std::string>& argv, const ProcOptions& opts = {});

}  // namespace vigil
