// PerRef: the rules that depend on the ref a commit lands on ([signatures] require and
// require_tags, [messages] forbidden on forbidden_on), judged on what EACH updated ref newly
// reaches, not only on the commits new to the repository: a commit pushed first to a free branch
// and then fast-forwarded onto a protected one is judged when it reaches the protected one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/finding.h"
#include "detectors/gates/push_gate.h"
#include "detectors/git/repo.h"
#include "detectors/git/rev_list.h"
#include "detectors/policy/config.h"

namespace vigil {

/// The refs as the receiving side had them before the push began. Server: every ref of the
/// repository (in the quarantine of pre-receive they all still hold their old values). pre-push:
/// the remote's branches as its tracking refs `refs/remotes/<remote>/*` know them, named as on the
/// remote (`refs/heads/*`); none when the remote is unknown.
Result<std::vector<git::RefValue>> refs_before_push(const git::Repo& repo, GateKind kind, const std::string& remote);

struct PerRefInput {
  const std::vector<RefUpdate>* updates = nullptr;
  const std::vector<git::RefValue>* before = nullptr;
  std::string trust_rev = "HEAD";  // the revision the trusted keys are read from (never the push)
};

/// Each commit once, in first-seen order, over every update `applies` accepts, with the ref it
/// lands on: (commit, ref). An update is walked as `new --not old`; the refs it creates (or whose
/// old value this repository lacks) are walked together, hiding the old value of every covered
/// ref: the same set as one walk per ref, at the cost of one walk for a push that creates 10,000
/// refs. Every per-ref rule (signatures, messages, pushers, AI escalation) judges this set.
Result<std::vector<std::pair<std::string, std::string>>> reached_by_covered(
    const git::Repo& repo, const PerRefInput& in, const std::function<bool(std::string_view)>& applies);

/// Signature and ref-scoped message findings for every ref update of a push, each judged on the
/// commits the ref newly reaches: reachable from its new value and not from its old one; when it
/// creates the ref (or its old value is not in this repository), not from the old value of any
/// ref the same rule covers either — what those reach was judged under that rule when it landed.
Result<std::vector<Finding>> per_ref_findings(const git::Repo& repo, const Config& cfg, const PerRefInput& in);

/// The [messages] rules that do not depend on the ref (all but `forbidden`), judged once per
/// commit new to the repository.
MessagePolicy ref_independent_messages(const MessagePolicy& p);

}  // namespace vigil
