// TrustRoots (see trust_roots.h).
#include "detectors/signatures/trust_roots.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "detectors/signatures/sshsig.h"

namespace fs = std::filesystem;

namespace vigil {

namespace {

constexpr std::string_view kRootPrincipal = "trust-root";

bool is_ssh_key_type(std::string_view t) {
  return t.rfind("ssh-", 0) == 0 || t.rfind("ecdsa-", 0) == 0 || t.rfind("sk-", 0) == 0;
}

/// SSH key text as allowed_signers lines: a bare public key line ("ssh-ed25519 AAAA... comment")
/// gets the principal "trust-root"; lines already in allowed_signers form stay as they are.
std::string as_allowed_signers(std::string_view text) {
  std::string out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    const std::string_view body = std::string_view(line).substr(start);
    out += is_ssh_key_type(body.substr(0, body.find(' '))) ? fmt::format("{} {}\n", kRootPrincipal, body)
                                                           : std::string(body) + "\n";
  }
  return out;
}

}  // namespace

Result<TrustRoots> TrustRoots::load(const std::vector<std::string>& entries, const std::string& base_dir) {
  TrustRoots roots;
  TrustedKeys keys;
  for (const auto& e : entries) {
    if (e.rfind("SHA256:", 0) == 0) {
      roots.fingerprints_.push_back(e);
      continue;
    }
    fs::path p(e);
    if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in || ss.str().empty()) {
      return make_error(ErrorCode::Config, fmt::format("server.trust_root: cannot read the key file {} — give the path "
                                                       "of a public key (SSH .pub, OpenPGP .asc, X.509 CA .pem) or an "
                                                       "SSH fingerprint \"SHA256:...\"",
                                                       p.string()));
    }
    const std::string text = ss.str();
    if (text.find("-----BEGIN PGP PUBLIC KEY BLOCK-----") != std::string::npos) {
      keys.openpgp_keys.push_back(KeyFile{p.string(), text});
    } else if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
      keys.x509_cas.push_back(KeyFile{p.string(), text});
    } else {
      auto lines = as_allowed_signers(text);
      if (lines.empty()) {
        return make_error(ErrorCode::Config, fmt::format("server.trust_root: {} holds no public key", p.string()));
      }
      keys.allowed_signers.push_back(KeyFile{p.string(), std::move(lines)});
    }
  }
  if (!keys.empty()) {
    auto store = TrustStore::build(keys);
    if (!store) return store.error();
    roots.store_.emplace(std::move(*store));
  }
  return roots;
}

std::optional<std::string> TrustRoots::signer(const git::SignedObject& o) const {
  if (!o.is_signed()) return std::nullopt;
  if (!fingerprints_.empty()) {
    if (auto key = sshsig::signature_public_key(o.signature)) {
      const auto fp = sshsig::fingerprint(*key);
      if (std::find(fingerprints_.begin(), fingerprints_.end(), fp) != fingerprints_.end()) {
        const std::vector<sshsig::Signer> one = {sshsig::Signer{{std::string(kRootPrincipal)}, *key}};
        if (sshsig::verify_fast(one, o.signature, o.payload, kRootPrincipal)) return fp;
      }
    }
  }
  if (store_) {
    const auto v = store_->verify(o, false);
    if (v.status == SignatureStatus::Good) return v.signer;
  }
  return std::nullopt;
}

}  // namespace vigil
