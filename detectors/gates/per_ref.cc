#include "detectors/gates/per_ref.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "detectors/gates/policy_gate.h"
#include "detectors/gates/signer_gate.h"
#include "detectors/git/refs.h"
#include "detectors/policy/ref_policy.h"
#include "detectors/signatures/verifier.h"

namespace vigil {

namespace {

bool forbidden_applies(const MessagePolicy& p, std::string_view ref) {
  if (p.forbidden.empty() || p.action == PolicyAction::Off) return false;
  return p.forbidden_on.empty() ||
         std::any_of(p.forbidden_on.begin(), p.forbidden_on.end(), [&](const std::string& g) { return ref_glob_match(g, ref); });
}

Result<std::vector<Finding>> signature_findings(const git::Repo& repo, const SignaturePolicy& sig, const PerRefInput& in) {
  std::vector<Finding> out;
  auto needs_commits = [&sig](std::string_view ref) { return signatures_required(sig, ref); };
  auto commits = reached_by_covered(repo, in, needs_commits);
  if (!commits) return commits.error();
  std::vector<std::string> tags;
  for (const auto& u : *in.updates) {
    if (git::is_zero_oid(u.new_oid)) continue;
    if (tag_signature_required(sig, u.ref) && git::object_type(repo, u.new_oid) == "tag") tags.push_back(u.new_oid);
  }
  if (commits->empty() && tags.empty()) return out;
  auto keys = load_trusted_keys(repo, in.trust_rev, sig);
  if (!keys) return keys.error();
  auto trust = TrustStore::build(*keys);
  if (!trust) return trust.error();
  std::vector<std::string> ids;
  ids.reserve(commits->size());
  for (const auto& c : *commits) ids.push_back(c.first);
  out = verify_commits(repo, ids, *trust, sig);
  for (auto& f : verify_tags(repo, tags, *trust, sig)) out.push_back(std::move(f));
  return out;
}

// One message policy's `forbidden` patterns on what each ref it covers newly reaches.
Result<void> forbidden_findings_of(const git::Repo& repo, const MessagePolicy& p, Mode mode, const PerRefInput& in,
                                   std::vector<Finding>& out) {
  auto applies = [&p](std::string_view ref) { return forbidden_applies(p, ref); };
  auto commits = reached_by_covered(repo, in, applies);
  if (!commits) return commits.error();
  if (commits->empty()) return {};
  MessagePolicy only;  // `forbidden` alone: the other rules were judged once per new commit
  only.forbidden = p.forbidden;
  only.forbidden_on = p.forbidden_on;
  only.check_merges = p.check_merges;
  only.action = p.action;
  only.reason = p.reason;
  for (const auto& [commit, ref] : *commits) {
    auto f = commit_message_findings(repo, only, mode, commit, ref);
    if (!f) return f.error();
    for (auto& x : *f) out.push_back(std::move(x));
  }
  return {};
}

// The floor's [messages] and every policy merged beside it (a repository's own, with its action).
Result<void> forbidden_findings_all(const git::Repo& repo, const MessagePolicy& p, Mode mode, const PerRefInput& in,
                                    std::vector<Finding>& out) {
  if (auto r = forbidden_findings_of(repo, p, mode, in, out); !r) return r;
  for (const auto& a : p.added) {
    if (auto r = forbidden_findings_all(repo, a, mode, in, out); !r) return r;
  }
  return {};
}

Result<std::vector<Finding>> forbidden_message_findings(const git::Repo& repo, const Config& cfg, const PerRefInput& in) {
  std::vector<Finding> out;
  if (auto r = forbidden_findings_all(repo, cfg.messages, cfg.settings.mode, in, out); !r) return r.error();
  return out;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> reached_by_covered(
    const git::Repo& repo, const PerRefInput& in, const std::function<bool(std::string_view)>& applies) {
  std::vector<std::pair<std::string, std::string>> out;  // (commit, ref it lands on)
  std::unordered_set<std::string> seen;
  auto take = [&](std::vector<std::string> commits, const std::string& ref) {
    for (auto& c : commits) {
      if (seen.insert(c).second) out.emplace_back(std::move(c), ref);
    }
  };
  std::vector<std::string> created_tips;
  std::string created_ref;
  for (const auto& u : *in.updates) {
    if (git::is_zero_oid(u.new_oid) || !applies(u.ref)) continue;
    if (git::is_zero_oid(u.old_oid) || git::object_type(repo, u.old_oid).empty()) {
      created_tips.push_back(u.new_oid);
      if (created_ref.empty()) created_ref = u.ref;
      continue;
    }
    auto commits = git::rev_list(repo, {u.new_oid}, {u.old_oid});
    if (!commits) return commits.error();
    take(std::move(*commits), u.ref);
  }
  if (!created_tips.empty()) {
    std::vector<std::string> hide;
    for (const auto& r : *in.before) {
      if (!r.commit.empty() && applies(r.name)) hide.push_back(r.commit);
    }
    auto commits = git::rev_list(repo, created_tips, hide);
    if (!commits) return commits.error();
    take(std::move(*commits), created_ref);
  }
  return out;
}

Result<std::vector<git::RefValue>> refs_before_push(const git::Repo& repo, GateKind kind, const std::string& remote) {
  if (kind != GateKind::PrePush) return git::list_ref_values(repo);
  std::vector<git::RefValue> out;
  if (remote.empty()) return out;
  auto all = git::list_ref_values(repo);
  if (!all) return all.error();
  const std::string prefix = "refs/remotes/" + remote + "/";
  for (auto& r : *all) {
    if (r.name.rfind(prefix, 0) != 0 || r.name == prefix + "HEAD") continue;
    r.name = "refs/heads/" + r.name.substr(prefix.size());
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<Finding>> per_ref_findings(const git::Repo& repo, const Config& cfg, const PerRefInput& in) {
  std::vector<Finding> out;
  if (cfg.signatures.configured) {
    auto s = signature_findings(repo, cfg.signatures, in);
    if (!s) return s.error();
    out = std::move(*s);
  }
  auto signers = signer_findings(repo, cfg, in);
  if (!signers) return signers.error();
  for (auto& f : *signers) out.push_back(std::move(f));
  auto m = forbidden_message_findings(repo, cfg, in);
  if (!m) return m.error();
  for (auto& f : *m) out.push_back(std::move(f));
  return out;
}

MessagePolicy ref_independent_messages(const MessagePolicy& p) {
  MessagePolicy out = p;
  out.forbidden.clear();
  for (auto& a : out.added) a = ref_independent_messages(a);
  return out;
}

}  // namespace vigil
