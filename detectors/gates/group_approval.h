// GroupApproval: "is this commit approved by a member of signer group G?" — a good signature by a
// key the OLD tip trusts, bound to a member's principal, on the commit itself or on a merge that
// brings it onto the ref, by a member who is not the commit's author. Used by the signer-protected
// paths (signer_gate.h) and by any rule that escalates a change to a group (AI-assisted changes).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/gates/push_gate.h"
#include "detectors/git/repo.h"
#include "detectors/git/rev_list.h"
#include "detectors/policy/config.h"
#include "detectors/signatures/trust_roots.h"
#include "detectors/signatures/verifier.h"

namespace vigil {

/// What one ref update newly brings onto its ref, and which merges bring what.
class RefReach {
 public:
  /// The commits `update` newly reaches: `new --not old`; for a created ref (or an old value this
  /// repository lacks), `new --not` every ref of `before` that `covered` accepts. Empty for a
  /// deletion.
  static Result<RefReach> of(const git::Repo& repo, const RefUpdate& update, const std::vector<git::RefValue>& before,
                             const std::function<bool(std::string_view)>& covered);
  /// What several created refs newly reach together, in one walk: their new values `--not` every
  /// covered ref of `before` (10,000 refs created at once cost one walk, not 10,000). A signed merge
  /// any of them brings approves what it brings. `ref` names them in messages.
  static Result<RefReach> of_created(const git::Repo& repo, const std::vector<std::string>& tips, std::string ref,
                                     const std::vector<git::RefValue>& before,
                                     const std::function<bool(std::string_view)>& covered);
  const std::string& ref() const { return ref_; }
  const std::vector<std::string>& commits() const { return commits_; }  // parents first
  bool contains(const std::string& commit) const;
  /// Whether the ref (or, for of_created, every ref) is new, or its old value unknown here.
  bool created() const { return created_; }

 private:
  friend class GroupApprovals;
  std::string ref_;
  std::vector<std::string> commits_;
  std::vector<std::string> hide_;  // what the ref already had
  bool created_ = false;
};

/// Who approved a commit for a group, or why nobody did.
struct GroupApproval {
  bool approved = false;
  std::string by;       // the member principal (or "trust root <fingerprint>") whose signature counts
  std::string via;      // the commit carrying that signature: the commit itself or the merge
  std::string why_not;  // when not approved: one line, e.g. "unsigned", "signed by bob@x, not a member"
};

class GroupApprovals {
 public:
  /// Trust as of `trust_rev` (the old tip: never the pushed commits), with the key files of
  /// cfg.signatures, the groups of cfg.signers, and the floor's cfg.server.trust_root (resolved
  /// against the directory of cfg.source).
  static Result<GroupApprovals> build(const git::Repo& repo, const Config& cfg, const std::string& trust_rev);

  /// Members of `group` (empty when the group is not defined).
  std::vector<std::string> members(std::string_view group) const;
  /// The member principal whose good signature `commit` carries, or nullopt. For the `policy`
  /// group a trust-root signature counts too (by = "trust root <fpr>").
  Result<std::optional<std::string>> member_signature(const std::string& commit, std::string_view group);
  /// The commit's authors: its author and committer e-mails and its verified signer's identities
  /// (lower-case). A merge approves a change only when its signer is none of them.
  Result<std::vector<std::string>> authors(const std::string& commit);

  /// The approval of `commit` (in `reach`) for `group`: with `own_signature`, a member's signature
  /// on the commit itself; with `by_merge`, a merge in `reach` that brings the commit (it is
  /// reachable from a later parent of the merge, not from its first) signed by a member who is not
  /// one of the commit's authors.
  Result<GroupApproval> approve(const std::string& commit, std::string_view group, const RefReach& reach,
                                bool own_signature, bool by_merge);

  /// The verdict on `commit`'s signature against the old tip's keys, as for its committer (cached;
  /// identities lower-case).
  Result<SignatureVerdict> verdict(const std::string& commit);
  /// The same with every identity the signing key is bound to, whoever the committer (cached).
  Result<SignatureVerdict> full_verdict(const std::string& commit);

 private:
  GroupApprovals(const git::Repo& repo, const Config& cfg, TrustStore trust, TrustRoots roots);
  Result<const std::vector<std::string>*> brought_by(const std::string& merge, const RefReach& reach);

  const git::Repo* repo_;
  const Config* cfg_;
  TrustStore trust_;
  TrustRoots roots_;
  std::map<std::string, SignatureVerdict> verdicts_;
  std::map<std::string, SignatureVerdict> full_verdicts_;
  std::map<std::string, std::optional<std::string>> root_signers_;
  std::map<std::string, std::vector<std::string>> brought_;  // merge -> commits it brings (sorted)
};

}  // namespace vigil
