// Findings from signature verdicts, and the per-object loop that verifies commits and tags.
#include <fmt/format.h>

#include <ctime>

#include "detectors/signatures/verifier.h"

namespace vigil {

namespace {

const char* rule_name(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::Unsigned: return "Unsigned";
    case SignatureStatus::BadSignature: return "Bad signature";
    case SignatureStatus::UnknownKey: return "Signed by an untrusted key";
    case SignatureStatus::ExpiredKey: return "Signed by an expired key";
    case SignatureStatus::RevokedKey: return "Signed by a revoked key";
    case SignatureStatus::IdentityMismatch: return "Signer is not the committer";
    case SignatureStatus::Good: break;
  }
  return "Good signature";
}

std::string how_to_fix(SignatureStatus s, bool tag) {
  const char* redo = tag ? "re-create the tag with `git tag -s -f <name>`"
                         : "re-sign with `git commit --amend --no-edit -S` (or `git rebase --exec 'git commit --amend --no-edit -S' <base>`)";
  switch (s) {
    case SignatureStatus::Unsigned:
      return fmt::format("sign your {}: `git config commit.gpgsign true` and `git config tag.gpgsign true`; "
                         "for SSH keys also `git config gpg.format ssh` and `git config user.signingkey ~/.ssh/id_ed25519.pub`; "
                         "then {}",
                         tag ? "tags" : "commits", redo);
    case SignatureStatus::BadSignature:
      return fmt::format("the object was changed after it was signed, or the signature is corrupt; {}", redo);
    case SignatureStatus::UnknownKey:
      return fmt::format("add your public key to the trusted keys (.vigil/allowed_signers, .vigil/keys/*.asc or "
                         ".vigil/certs/*.pem) in a change reviewed and merged first — a push cannot trust its own key; "
                         "or sign with a key that is already trusted and {}",
                         redo);
    case SignatureStatus::ExpiredKey:
      return fmt::format("extend the key's expiry (`gpg --quick-set-expire <fpr> 1y`), update the trusted copy, and {}", redo);
    case SignatureStatus::RevokedKey:
      return fmt::format("sign with a key that is not revoked, and {}", redo);
    case SignatureStatus::IdentityMismatch:
      return fmt::format("sign with the key of the committer, or commit as the key's owner "
                         "(`git config user.email` must be an email of the key / principal), then {}",
                         redo);
    case SignatureStatus::Good: break;
  }
  return {};
}

std::string iso8601(std::int64_t t, int offset_minutes) {
  const std::time_t tt = static_cast<std::time_t>(t + offset_minutes * 60);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("{}{}{:02}:{:02}", buf, offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
}

std::vector<Finding> verify_all(const git::Repo& repo, const std::vector<std::string>& ids, const TrustStore& trust,
                                const SignaturePolicy& policy, bool tags) {
  std::vector<Finding> out;
  for (const auto& id : ids) {
    auto obj = tags ? git::extract_tag_signature(repo, id) : git::extract_commit_signature(repo, id);
    if (!obj) {
      // Fail closed: what cannot be read cannot be shown to be signed.
      git::SignedObject o;
      o.id = id;
      o.kind = tags ? git::SignedKind::Tag : git::SignedKind::Commit;
      SignatureVerdict v;
      v.status = SignatureStatus::BadSignature;
      v.detail = obj.error().message;
      out.push_back(signature_finding(o, v));
      continue;
    }
    const auto v = trust.verify(*obj, policy.identity_must_match);
    if (v.status != SignatureStatus::Good) out.push_back(signature_finding(*obj, v));
  }
  return out;
}

}  // namespace

Finding signature_finding(const git::SignedObject& o, const SignatureVerdict& v) {
  const bool tag = o.kind == git::SignedKind::Tag;
  Finding f;
  f.rule_id = signature_rule_id(v.status);
  f.rule_name = fmt::format("{} {}", rule_name(v.status), v.status == SignatureStatus::Unsigned ? (tag ? "tag" : "commit") : (tag ? "(tag)" : "(commit)"));
  f.severity = Severity::High;
  f.confidence = Confidence::High;
  f.tags = {"signature"};
  if (v.format != SignatureFormat::None) f.tags.push_back(to_string(v.format));
  f.commit = o.id;
  if (!o.email.empty() || !o.name.empty()) f.author = fmt::format("{} <{}>", o.name, o.email);
  if (o.time > 0) f.date = iso8601(o.time, o.offset_minutes);
  f.fingerprint = fingerprint(f.rule_id, o.id);
  f.note = v.detail.empty() ? how_to_fix(v.status, tag) : fmt::format("{}. {}", v.detail, how_to_fix(v.status, tag));
  return f;
}

std::vector<Finding> verify_commits(const git::Repo& repo, const std::vector<std::string>& commit_ids,
                                    const TrustStore& trust, const SignaturePolicy& policy) {
  return verify_all(repo, commit_ids, trust, policy, false);
}

std::vector<Finding> verify_tags(const git::Repo& repo, const std::vector<std::string>& tag_ids,
                                 const TrustStore& trust, const SignaturePolicy& policy) {
  return verify_all(repo, tag_ids, trust, policy, true);
}

}  // namespace vigil
