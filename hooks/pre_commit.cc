// vigil-pre-commit: blocks a commit whose staged, added lines contain secrets.
// git runs it from the top of the work tree, with GIT_INDEX_FILE naming the index to judge.
#include "detectors/gates/common.h"
#include "detectors/gates/pre_commit.h"

int main() {
  vigil::set_bypass_hint("git commit --no-verify");  // an error here stops the commit: name the escape
  return vigil::run_pre_commit();
}
