// vigil-pre-receive: the server gate. Judges every ref update of a push inside git's quarantine,
// under the server's policy floor and deadline, and records each decision in the audit trail.
#include "detectors/gates/push_hooks.h"

int main() { return vigil::run_pre_receive(); }
