#include "detectors/gates/identity_gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>

#include "detectors/gates/ai_approval.h"
#include "detectors/gates/group_approval.h"
#include "detectors/git/commit_info.h"
#include "detectors/git/commit_paths.h"
#include "detectors/git/refs.h"
#include "detectors/git/signature_extract.h"
#include "detectors/policy/policy_action.h"
#include "detectors/policy/ref_policy.h"
#include "detectors/signatures/verifier.h"
#include "detectors/util/glob.h"

namespace vigil {

namespace {

std::string short_id(const std::string& id) { return id.substr(0, 12); }

std::string env_list(const std::vector<std::string>& vars) {
  std::string out;
  for (const auto& v : vars) out += (out.empty() ? "" : ", ") + v;
  return out.empty() ? "none configured" : out;
}

}  // namespace

PusherIdentity pusher_from_env(const ServerSettings& server) {
  for (const auto& var : server.pusher_env) {
    if (const char* v = std::getenv(var.c_str()); v && *v) return {v, var};
  }
  return {};
}

Result<std::vector<Finding>> pusher_findings(const git::Repo& repo, const Config& cfg, const IdentityInput& in) {
  std::vector<Finding> out;
  const auto& pp = cfg.pushers;
  if (!in.pusher || !pp.configured || pp.action == PolicyAction::Off) return out;
  std::vector<std::string> refs;
  for (const auto& u : *in.refs.updates) refs.push_back(u.ref);
  if (!pusher_needed(pp, refs)) return out;
  const std::string reason_base = pp.where.empty() ? "[pushers]" : "[pushers] at " + pp.where;
  if (!in.pusher->known()) {
    auto f = policy_finding(kPusherUnknownId, "pusher identity", "", pp.action, cfg.settings.mode,
                            fmt::format("the server cannot tell who is pushing: none of {} is set", env_list(in.pusher_env)),
                            fmt::format("{} needs the pusher; push through an authenticated URL (smart HTTP with a login, "
                                        "gitolite, or ssh with a key that names you), or an admin sets [server] pusher_env",
                                        reason_base));
    out.push_back(std::move(f));
    return out;
  }
  const std::string& pusher = in.pusher->name;
  auto covered = [&pp](std::string_view ref) { return committer_must_be_pusher(pp, ref); };
  auto commits = reached_by_covered(repo, in.refs, covered);
  if (!commits) return commits.error();
  std::optional<GroupApprovals> trust;  // the old tip's keys, built when a commit needs them
  for (const auto& [commit, ref] : *commits) {
    auto info = git::read_commit_info(repo, commit);
    if (!info) return info.error();
    if (pusher_owns_email(pp, pusher, info->committer_email)) continue;
    std::string signature_note;
    if (pp.allow_signed_forward) {
      auto obj = git::extract_commit_signature(repo, commit);
      if (!obj) return obj.error();
      if (obj->is_signed()) {
        if (!trust) {
          auto built = GroupApprovals::build(repo, cfg, in.refs.trust_rev);
          if (!built) return built.error();
          trust.emplace(std::move(*built));
        }
        auto verdict = trust->verdict(commit);  // as for its committer: the key must be bound to that e-mail
        if (!verdict) return verdict.error();
        if (verdict->status == SignatureStatus::Good) continue;  // forwarded work, signed by its committer
        signature_note = fmt::format(" (its signature does not count: {})", verdict->detail);
      } else {
        signature_note = " (it is not signed)";
      }
    }
    const std::string mapped = pusher_emails_text(pp, pusher);
    auto f = policy_finding(
        kPusherMismatchId, "committer is the pusher", "", pp.action, cfg.settings.mode,
        fmt::format("commit {} was committed by {} <{}> but pushed by '{}' ({}){}", short_id(commit), info->committer_name,
                    info->committer_email, pusher,
                    mapped.empty() ? "no e-mail is mapped to this pusher" : "this pusher's e-mails: " + mapped,
                    signature_note),
        fmt::format("on {} the committer must be the pusher ({}): push only commits you committed, {}or an admin maps "
                    "'{}' to that e-mail in [pushers.emails]",
                    ref, reason_base,
                    pp.allow_signed_forward ? "have the committer sign theirs with a trusted key (forwarded work), " : "",
                    pusher));
    f.commit = commit;
    f.author = info->committer_name + " <" + info->committer_email + ">";
    f.fingerprint = fingerprint(kPusherMismatchId, commit + '\x1f' + pusher);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<Finding>> ai_findings(const git::Repo& repo, const Config& cfg, const PerRefInput& in, AiCounts& counts) {
  std::vector<Finding> out;
  const auto& ap = cfg.ai;
  // Every commit the push brings to any ref is counted, configured or not: the report shows how
  // much AI-assisted work lands before anyone writes a policy for it.
  struct Seen {
    AiSignals signals;
    std::string author;
  };
  std::map<std::string, Seen> seen;
  auto signals_of = [&](const std::string& commit) -> Result<const Seen*> {
    auto it = seen.find(commit);
    if (it != seen.end()) return &it->second;
    auto info = git::read_commit_info(repo, commit);
    if (!info) return info.error();
    Seen s;
    s.author = info->author_name + " <" + info->author_email + ">";
    s.signals = ai_signals(ap, info->message, s.author, info->committer_name + " <" + info->committer_email + ">");
    return &seen.emplace(commit, std::move(s)).first->second;
  };
  auto all = reached_by_covered(repo, in, [](std::string_view) { return true; });
  if (!all) return all.error();
  for (const auto& c : *all) {
    auto s = signals_of(c.first);
    if (!s) return s.error();
    if ((*s)->signals.assisted) ++counts.assisted;
  }
  if (ap.action == PolicyAction::Off) return out;

  if (!ap.require_disclosure.empty()) {
    auto commits = reached_by_covered(repo, in, [&ap](std::string_view ref) { return disclosure_required(ap, ref); });
    if (!commits) return commits.error();
    for (const auto& [commit, ref] : *commits) {
      auto s = signals_of(commit);
      if (!s) return s.error();
      const auto& sig = (*s)->signals;
      if (!sig.ai_identity || sig.disclosed) continue;
      auto f = policy_finding(kAiUndisclosedId, "AI assistance disclosed", "", ap.action, cfg.settings.mode,
                              fmt::format("commit {} comes from an AI tool ({}) but no trailer says so", short_id(commit),
                                          sig.evidence),
                              fmt::format("on {} AI-assisted commits disclose it: add a trailer such as 'Assisted-by: "
                                          "<tool>' or 'AI-Assisted: true' to the message (git commit --amend)",
                                          ref));
      f.commit = commit;
      f.author = (*s)->author;
      f.fingerprint = fingerprint(kAiUndisclosedId, commit);
      out.push_back(std::move(f));
    }
  }

  std::optional<GroupApprovals> approvals;  // the old tip's keys and groups, built once when needed
  std::map<std::string, bool> escalated;    // commit -> approved (counted once over every entry)
  for (const auto& e : ap.escalate) {
    auto covered = [&e](std::string_view ref) {
      return std::any_of(e.on.begin(), e.on.end(), [&](const std::string& g) { return ref_glob_match(g, ref); });
    };
    for (const auto& u : *in.updates) {
      if (git::is_zero_oid(u.new_oid) || !covered(u.ref)) continue;
      auto reach = RefReach::of(repo, u, *in.before, covered);
      if (!reach) return reach.error();
      for (const auto& commit : reach->commits()) {
        auto s = signals_of(commit);
        if (!s) return s.error();
        if (!(*s)->signals.assisted) continue;
        auto paths = git::commit_changed_paths(repo, commit);
        if (!paths) return paths.error();
        std::string touched;
        for (const auto& p : *paths) {
          if (std::any_of(e.paths.begin(), e.paths.end(), [&](const std::string& g) { return glob_match(g, p); })) {
            touched = p;
            break;
          }
        }
        if (touched.empty()) continue;
        if (!approvals) {
          auto built = GroupApprovals::build(repo, cfg, in.trust_rev);
          if (!built) return built.error();
          approvals.emplace(std::move(*built));
        }
        auto approval = ai_approval(*approvals, ap, commit, e.approvers, *reach);
        if (!approval) return approval.error();
        auto [it, fresh] = escalated.emplace(commit, approval->approved);
        if (!fresh) it->second = it->second && approval->approved;
        if (approval->approved) continue;
        auto f = policy_finding(kAiUnapprovedId, "AI-assisted change approved", touched, ap.action, cfg.settings.mode,
                                fmt::format("commit {} is AI-assisted ({}) and changes {}, which needs the approval of a "
                                            "human member of signer group '{}'{}",
                                            short_id(commit), (*s)->signals.evidence, touched, e.approvers, approval->why),
                                fmt::format("[[ai.escalate]] at {}: {}", e.where, approval->how));
        f.commit = commit;
        f.author = (*s)->author;
        f.fingerprint = fingerprint(kAiUnapprovedId, commit + '\x1f' + touched);
        out.push_back(std::move(f));
      }
    }
  }
  for (const auto& [commit, approved] : escalated) {
    ++counts.escalated;
    counts.escalated_commits.push_back(commit);
    if (approved) ++counts.approved;
  }
  return out;
}

}  // namespace vigil
