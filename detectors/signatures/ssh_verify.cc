// SSH signature verification, as git does it: an allowed_signers file and `ssh-keygen -Y`, with the
// in-process SSHSIG check (sshsig.h) first for the common case.
#include <fmt/format.h>

#include <ctime>
#include <sstream>

#include "detectors/signatures/sig_text.h"
#include "detectors/signatures/trust_store_impl.h"
#include "detectors/util/process.h"

namespace vigil {

namespace {

/// allowed_signers text with the valid-before / valid-after options removed, or "" when no
/// line has them. Lets the verifier tell "key not trusted" from "trusted, but not at that date".
std::string without_validity(std::string_view text) {
  bool changed = false;
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    // Tokens split on blanks outside double quotes.
    std::vector<std::string> tokens;
    std::string cur;
    bool quoted = false;
    for (char ch : line) {
      if (ch == '"') quoted = !quoted;
      if (!quoted && (ch == ' ' || ch == '\t')) {
        if (!cur.empty()) tokens.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += ch;
      }
    }
    if (!cur.empty()) tokens.push_back(std::move(cur));
    const auto is_key_type = [](std::string_view t) {
      return t.rfind("ssh-", 0) == 0 || t.rfind("ecdsa-", 0) == 0 || t.rfind("sk-", 0) == 0;
    };
    if (tokens.size() < 3 || tokens[0][0] == '#' || is_key_type(tokens[1])) {
      out += std::string(line) + "\n";
      continue;
    }
    // tokens[1] holds the options: comma-separated outside quotes.
    std::vector<std::string> opts;
    cur.clear();
    quoted = false;
    for (char ch : tokens[1]) {
      if (ch == '"') quoted = !quoted;
      if (!quoted && ch == ',') {
        opts.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += ch;
      }
    }
    opts.push_back(std::move(cur));
    std::string kept;
    for (const auto& o : opts) {
      const std::string lo = sigtext::lower(o);
      if (lo.rfind("valid-before=", 0) == 0 || lo.rfind("valid-after=", 0) == 0) {
        changed = true;
        continue;
      }
      kept += (kept.empty() ? "" : ",") + o;
    }
    std::string rebuilt = tokens[0];
    if (!kept.empty()) rebuilt += " " + kept;
    for (std::size_t i = 2; i < tokens.size(); ++i) rebuilt += " " + tokens[i];
    out += rebuilt + "\n";
  }
  return changed ? out : std::string();
}

}  // namespace

Result<void> TrustStore::Impl::write_allowed_signers(const std::vector<KeyFile>& files) {
  // SSH: one allowed_signers file, concatenated.
  std::string signers;
  for (const auto& f : files) {
    signers += f.text;
    if (!f.text.empty() && f.text.back() != '\n') signers += '\n';
  }
  allowed_signers = home + "/allowed_signers";
  ssh = signers.find_first_not_of(" \t\r\n") != std::string::npos;
  if (!sigtext::write_file(allowed_signers, signers)) {
    return make_error(ErrorCode::Io, fmt::format("cannot write {}", allowed_signers));
  }
  fast_signers = sshsig::simple_signers(signers);
  if (const auto anytime = without_validity(signers); !anytime.empty()) {
    allowed_signers_anytime = home + "/allowed_signers.anytime";
    if (!sigtext::write_file(allowed_signers_anytime, anytime)) {
      return make_error(ErrorCode::Io, fmt::format("cannot write {}", allowed_signers_anytime));
    }
  }
  return {};
}

SignatureVerdict TrustStore::Impl::verify_ssh(const git::SignedObject& o, bool must_match) const {
  SignatureVerdict v;
  v.format = SignatureFormat::Ssh;
  if (!ssh) {
    v.status = SignatureStatus::UnknownKey;
    v.detail = "an SSH signature, but no allowed_signers entry is trusted";
    return v;
  }
  // The common case needs no process: an ed25519/RSA key listed literally for the committer.
  if (must_match && !o.email.empty() && ssh_fast_path) {
    if (auto fp = sshsig::verify_fast(fast_signers, o.signature, o.payload, o.email)) {
      v.status = SignatureStatus::Good;
      v.signer = *fp;
      v.identities = {sigtext::lower(o.email)};
      v.detail = fmt::format("good SSH signature by {} for {}", v.signer, o.email);
      return v;
    }
  }
  // ssh-keygen reads the signature and the payload from files (two writes cost more than the
  // in-process check, so they come after it).
  const std::string sig_path = home + "/ssh.sig";
  const std::string payload_path = home + "/ssh.payload";
  if (!sigtext::write_file(sig_path, o.signature) || !sigtext::write_file(payload_path, o.payload)) {
    v.status = SignatureStatus::BadSignature;
    v.detail = fmt::format("cannot write to {}", home);
    return v;
  }
  // As git does: validity options in allowed_signers are judged at the object's date (local time,
  // the format ssh-keygen parses).
  std::string verify_time;
  if (o.time > 0) {
    const std::time_t tt = static_cast<std::time_t>(o.time);
    std::tm tm{};
    localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    verify_time = std::string("-Overify-time=") + buf;
  }
  const auto verify_as = [&](const std::string& principal) {
    std::vector<std::string> args = {"ssh-keygen", "-Y", "verify", "-f", allowed_signers, "-I", principal,
                                     "-n", "git", "-s", sig_path};
    if (!verify_time.empty()) args.push_back(verify_time);
    return run_process(args, ProcOptions{payload_path, {}, {}});
  };
  const auto find_principals = [&](const std::string& file) {
    std::vector<std::string> args = {"ssh-keygen", "-Y", "find-principals", "-f", file, "-s", sig_path};
    if (!verify_time.empty()) args.push_back(verify_time);
    auto r = run_process(args);
    std::vector<std::string> out;
    if (r.status != 0) return out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(line);
    }
    return out;
  };
  const auto signer_of = [](const std::string& out) {
    // "Good "git" signature for alice@example.com with ED25519 key SHA256:…"
    const auto p = out.find(" key ");
    if (p == std::string::npos) return std::string();
    std::string k = out.substr(p + 5);
    return k.substr(0, k.find_first_of("\r\n"));
  };

  // Otherwise one process when it is good: verify directly as the committer.
  if (must_match && !o.email.empty()) {
    auto r = verify_as(o.email);
    if (r.status == 0) {
      v.status = SignatureStatus::Good;
      v.signer = signer_of(r.out);
      v.identities = {sigtext::lower(o.email)};
      v.detail = fmt::format("good SSH signature by {} for {}", v.signer, o.email);
      return v;
    }
    if (r.status < 0) {
      v.status = SignatureStatus::BadSignature;
      v.detail = r.err + " — install openssh-client";
      return v;
    }
  }
  auto principals = find_principals(allowed_signers);
  if (principals.empty()) {
    if (!allowed_signers_anytime.empty() && !find_principals(allowed_signers_anytime).empty()) {
      v.status = SignatureStatus::ExpiredKey;
      v.detail = "the signing key is in allowed_signers, but not valid at the object's date "
                 "(valid-after/valid-before)";
      return v;
    }
    v.status = SignatureStatus::UnknownKey;
    auto fp = run_process({"ssh-keygen", "-Y", "check-novalidate", "-n", "git", "-s", sig_path}, ProcOptions{payload_path, {}, {}});
    v.signer = signer_of(fp.out);
    v.detail = v.signer.empty() ? "the SSH signing key is not in allowed_signers"
                                : fmt::format("the SSH key {} is not in allowed_signers", v.signer);
    return v;
  }
  v.identities = principals;
  auto r = verify_as(principals.front());
  v.signer = signer_of(r.out);
  if (r.status != 0) {
    v.status = SignatureStatus::BadSignature;
    v.detail = "the SSH signature does not match the content (modified after signing?)";
    return v;
  }
  if (must_match) {
    v.status = SignatureStatus::IdentityMismatch;
    v.detail = fmt::format("signed by {} whose principals ({}) do not include the {} <{}>", v.signer,
                           fmt::format("{}", fmt::join(principals, ", ")),
                           o.kind == git::SignedKind::Tag ? "tagger" : "committer", o.email);
    return v;
  }
  v.status = SignatureStatus::Good;
  v.detail = fmt::format("good SSH signature by {} for {}", v.signer, principals.front());
  return v;
}
}  // namespace vigil
