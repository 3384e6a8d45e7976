// The pre-commit gate: scans the added lines of staged files for secrets.
#pragma once

namespace vigil {

/// What run_pre_commit does once its report is written.
enum class AtEnd {
  Return,  // return the exit code (vigil scan --staged)
  Exit,    // end the process with it: the hook leaves its memory to the kernel (see exit_now)
};

/// Runs the gate in the current directory (git runs hooks from the work-tree root) and returns
/// the exit code. Reads GIT_INDEX_FILE, so `commit -a` and `commit <paths>` are judged exactly.
int run_pre_commit(AtEnd at_end = AtEnd::Return);

}  // namespace vigil
