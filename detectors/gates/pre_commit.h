// The pre-commit gate: scans the added lines of staged files for secrets.
#pragma once

#include <string>

#include "detectors/gates/common.h"

namespace vigil {

/// What run_pre_commit does once its report is written.
enum class AtEnd {
  Return,  // return the exit code (vigil scan --staged)
  Exit,    // end the process with it: the hook leaves its memory to the kernel (see exit_now)
};

/// What `vigil scan --staged` may change about the gate; the hook runs with the defaults.
struct StagedOptions {
  std::string format;    // "" = VIGIL_FORMAT, else text
  std::string output;    // "" = the terminal
  std::string config;    // "" = <work tree>/.vigil.toml
  std::string baseline;  // findings recorded in this baseline file are not reported again
  ConfigAdjust adjust;   // --fail-on, --rules, --no-builtin
  bool quiet = false;    // print nothing unless something blocks
};

/// Runs the gate in the current directory (git runs hooks from the work-tree root) and returns
/// the exit code. Reads GIT_INDEX_FILE, so `commit -a` and `commit <paths>` are judged exactly.
int run_pre_commit(AtEnd at_end = AtEnd::Return, const StagedOptions& opts = {});

}  // namespace vigil
