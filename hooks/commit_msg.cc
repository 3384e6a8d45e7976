// vigil-commit-msg: blocks a commit whose message breaks the [messages] rules (subject, trailers,
// forbidden patterns, author and committer email) or contains a secret.
// git runs it from the top of the work tree with the message file as argv[1].
#include "detectors/gates/commit_msg.h"
#include "detectors/gates/common.h"

int main(int argc, char** argv) {
  vigil::set_bypass_hint("git commit --no-verify");  // an error here stops the commit: name the escape
  return vigil::run_commit_msg(argc, argv);
}
