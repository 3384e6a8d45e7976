// vigil-update: the per-ref server gate (git's update hook): judges one ref update.
#include "detectors/gates/push_hooks.h"

int main(int argc, char** argv) { return vigil::run_update(argc, argv); }
