// The push hooks' mains: pre-push (laptop), pre-receive and update (server).
#pragma once

namespace vigil {

/// pre-push: argv[1] = remote name, argv[2] = URL; ref updates on stdin.
int run_pre_push(int argc, char** argv);
/// pre-receive: ref updates on stdin; runs in the quarantine of the push.
int run_pre_receive();
/// update: argv = <ref name> <old oid> <new oid>.
int run_update(int argc, char** argv);

}  // namespace vigil
