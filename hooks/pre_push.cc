// vigil-pre-push: blocks a push whose new commits carry secrets or break the repository policy,
// before anything leaves the laptop. git passes the remote on argv and the refs on stdin.
#include "detectors/gates/common.h"
#include "detectors/gates/push_hooks.h"

int main(int argc, char** argv) {
  vigil::set_bypass_hint("git push --no-verify");  // an error here stops the push: name the escape
  return vigil::run_pre_push(argc, argv);
}
