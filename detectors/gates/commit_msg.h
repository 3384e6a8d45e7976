// The commit-msg gate: judges the message git is about to record ([messages] rules, author and
// committer email) and scans it for secrets.
#pragma once

namespace vigil {

/// Runs the gate for git's commit-msg hook: argv[1] names the message file. Returns the exit
/// code (0 allowed, 1 blocked, 2 error). Comment lines are stripped the way git will strip them
/// (commit.cleanup, core.commentChar, the scissors line), so the rules see the final message.
int run_commit_msg(int argc, char** argv);

}  // namespace vigil
