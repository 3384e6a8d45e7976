// Identity values shared by the push gate and its identity checks: who pushes (as the server
// knows it) and what the audit record counts of AI-assisted commits.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "detectors/policy/server_policy.h"

namespace vigil {

/// The pusher as the server knows it: the first variable of [server] pusher_env that is set and
/// not empty. `source` names that variable; both are empty when none is set.
struct PusherIdentity {
  std::string name;
  std::string source;
  bool known() const { return !name.empty(); }
};

/// Reads the pusher from the process environment (server hooks only: git passes the server's
/// environment to pre-receive, and a client cannot set it over HTTP or gitolite).
PusherIdentity pusher_from_env(const ServerSettings& server);

/// What the audit record counts for AI-assisted changes.
struct AiCounts {
  std::size_t assisted = 0;                    // commits the push brings that are AI-assisted
  std::size_t escalated = 0;                   // of those, commits that change a path of an [[ai.escalate]] entry
  std::size_t approved = 0;                    // escalated commits a human member of the group approved
  std::vector<std::string> escalated_commits;  // ids, for the audit record
};

}  // namespace vigil
