// The pre-commit gate: scans the added lines of staged files for secrets.
#pragma once

namespace vigil {

/// Runs the gate in the current directory (git runs hooks from the work-tree root) and returns
/// the exit code. Reads GIT_INDEX_FILE, so `commit -a` and `commit <paths>` are judged exactly.
int run_pre_commit();

}  // namespace vigil
