// vigil-pre-commit: blocks a commit whose staged, added lines contain secrets.
// git runs it from the top of the work tree, with GIT_INDEX_FILE naming the index to judge.
#include "detectors/gates/pre_commit.h"

int main() { return vigil::run_pre_commit(); }
