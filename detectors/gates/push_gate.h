// PushGate: judges the commits a push brings (pre-push on the laptop, pre-receive and update on
// the server): secrets in new blobs, file, message and ref policy, each blob read once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/gates/identity.h"
#include "detectors/git/repo.h"
#include "detectors/git/rev_list.h"
#include "detectors/pipeline.h"
#include "detectors/report/report.h"

namespace vigil {

struct RefUpdate {
  std::string old_oid;  // zero = the ref is created
  std::string new_oid;  // zero = the ref is deleted
  std::string ref;      // the ref being updated (the remote ref for pre-push)
};

/// git's pre-push stdin: "<local ref> SP <local oid> SP <remote ref> SP <remote oid>" per line.
Result<std::vector<RefUpdate>> parse_pre_push_input(std::string_view text);
/// git's pre-receive stdin: "<old oid> SP <new oid> SP <ref name>" per line.
Result<std::vector<RefUpdate>> parse_pre_receive_input(std::string_view text);
/// The update hook's arguments: <ref name> <old oid> <new oid>.
Result<RefUpdate> parse_update_args(int argc, char** argv);
/// GIT_PUSH_OPTION_COUNT / GIT_PUSH_OPTION_<n>.
std::vector<std::string> push_options_from_env();
/// The reason of a `vigil.bypass[=<reason>]` push option, trimmed ("" when none is given);
/// nullopt for any other option.
std::optional<std::string> bypass_option_reason(std::string_view option);

enum class GateKind { PrePush,
                      PreReceive,
                      Update };
const char* to_string(GateKind k);

struct PushRequest {
  GateKind kind = GateKind::PrePush;
  std::vector<RefUpdate> updates;
  std::string remote;                            // pre-push: the remote's name, for its tracking refs
  std::function<bool()> should_stop;             // deadline
  std::function<Result<git::Repo>()> open_repo;  // one handle per scan worker
  unsigned jobs = 2;
  /// Server: the refs as they were before the push began and the revision the trusted keys are read
  /// from. The update hook passes its push's snapshot (sibling refs may already have moved); unset,
  /// they are read from the repository as it is (pre-receive: still the old values) and "HEAD".
  std::optional<std::vector<git::RefValue>> refs_before;
  std::string trust_rev;
  /// Server: the pusher ([pushers] checks run only when it is set, known or not).
  std::optional<PusherIdentity> pusher;
  std::vector<std::string> pusher_env;  // where the server looked for it, for messages
};

struct PushVerdict {
  ScanReport report;
  std::size_t commits = 0;  // new commits judged
  AiCounts ai;              // AI-assisted commits, escalations and approvals (audit record)
};

/// Judges a push. Secrets are scanned in added lines of new commits only (a file edited next to an
/// old secret does not re-block it), each blob once, attributed to the commit that brought it.
Result<PushVerdict> judge_push(const git::Repo& repo, const Engine& engine, const PushRequest& req);

}  // namespace vigil
