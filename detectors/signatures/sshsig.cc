// SSHSIG verification with libcrypto (see sshsig.h for what it decides and what it leaves).
#include "detectors/signatures/sshsig.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "detectors/util/text.h"

namespace vigil::sshsig {

namespace {

/// Reader of SSH wire format (RFC 4251 strings and uint32s).
class Wire {
 public:
  explicit Wire(std::string_view b) : b_(b) {}
  bool u32(std::uint32_t& v) {
    if (b_.size() < 4) return false;
    v = (std::uint32_t{static_cast<unsigned char>(b_[0])} << 24) | (std::uint32_t{static_cast<unsigned char>(b_[1])} << 16) |
        (std::uint32_t{static_cast<unsigned char>(b_[2])} << 8) | std::uint32_t{static_cast<unsigned char>(b_[3])};
    b_.remove_prefix(4);
    return true;
  }
  bool str(std::string_view& s) {
    std::uint32_t n = 0;
    if (!u32(n) || b_.size() < n) return false;
    s = b_.substr(0, n);
    b_.remove_prefix(n);
    return true;
  }
  bool raw(std::size_t n, std::string_view& s) {
    if (b_.size() < n) return false;
    s = b_.substr(0, n);
    b_.remove_prefix(n);
    return true;
  }
  bool empty() const { return b_.empty(); }

 private:
  std::string_view b_;
};

void put_str(std::string& out, std::string_view s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.append(s);
}

std::optional<std::string> b64(std::string_view s) {
  std::string clean;
  for (char c : s) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') clean.push_back(c);
  }
  return decode_base64(clean, false);
}

std::vector<std::string> split_outside_quotes(std::string_view s, char sep, bool blanks) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    const bool split = !quoted && (blanks ? (c == ' ' || c == '\t') : c == sep);
    if (split) {
      if (!cur.empty() || !blanks) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty() || !blanks) out.push_back(std::move(cur));
  return out;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

/// The public key of an SSH key blob, with the signature types it may make and their digests.
PkeyPtr load_key(std::string_view blob, std::string& type) {
  Wire w(blob);
  std::string_view t;
  if (!w.str(t)) return nullptr;
  type = std::string(t);
  if (t == "ssh-ed25519") {
    std::string_view pk;
    if (!w.str(pk) || pk.size() != 32 || !w.empty()) return nullptr;
    return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(pk.data()), pk.size()));
  }
  if (t == "ssh-rsa") {
    std::string_view e, n;
    if (!w.str(e) || !w.str(n) || !w.empty()) return nullptr;
    BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
    BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    EVP_PKEY* pkey = nullptr;
    if (bn_e && bn_n && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
      if (OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld)) {
        if (EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) {
          if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
            pkey = nullptr;
          }
          EVP_PKEY_CTX_free(ctx);
        }
        OSSL_PARAM_free(params);
      }
    }
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_e);
    BN_free(bn_n);
    // OpenSSH refuses RSA keys under 1024 bits; so do we (the slow path then decides).
    if (pkey && EVP_PKEY_get_bits(pkey) < 1024) {
      EVP_PKEY_free(pkey);
      pkey = nullptr;
    }
    return PkeyPtr(pkey);
  }
  return nullptr;  // ECDSA, security keys, certificates: ssh-keygen decides
}

bool verify_raw(EVP_PKEY* key, const EVP_MD* md, std::string_view sig, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace

std::string fingerprint(std::string_view key_blob) {
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(key_blob.data(), key_blob.size(), digest, &len, EVP_sha256(), nullptr);
  unsigned char out[64];
  const int n = EVP_EncodeBlock(out, digest, static_cast<int>(len));
  std::string s(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  while (!s.empty() && s.back() == '=') s.pop_back();
  return "SHA256:" + s;
}

std::vector<Signer> simple_signers(std::string_view text) {
  std::vector<Signer> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto tokens = split_outside_quotes(line, ' ', true);
    if (tokens.size() < 3 || tokens[0][0] == '#') continue;
    std::size_t key_at = 1;
    if (tokens[1].rfind("ssh-", 0) != 0 && tokens[1].rfind("ecdsa-", 0) != 0 && tokens[1].rfind("sk-", 0) != 0) {
      // Options: only a literal namespaces list that names "git" keeps the entry simple.
      bool simple = true, git = false;
      for (const auto& opt : split_outside_quotes(tokens[1], ',', false)) {
        std::string lo = opt;
        std::transform(lo.begin(), lo.end(), lo.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lo.rfind("namespaces=\"", 0) != 0 || lo.size() < 13 || lo.back() != '"') {
          simple = false;
          break;
        }
        const std::string list = opt.substr(12, opt.size() - 13);
        if (list.find_first_of("*?!") != std::string::npos) simple = false;
        for (const auto& ns : split_outside_quotes(list, ',', false)) git = git || ns == "git";
      }
      if (!simple || !git) continue;
      key_at = 2;
    }
    if (tokens.size() < key_at + 2) continue;
    auto blob = b64(tokens[key_at + 1]);
    if (!blob) continue;
    // The type named on the line must be the type inside the blob.
    Wire w(*blob);
    std::string_view inner;
    if (!w.str(inner) || inner != tokens[key_at]) continue;
    Signer s;
    s.key_blob = std::move(*blob);
    for (auto& p : split_outside_quotes(tokens[0], ',', false)) {
      if (!p.empty() && p.find_first_of("*?!") == std::string::npos) s.principals.push_back(std::move(p));
    }
    if (!s.principals.empty()) out.push_back(std::move(s));
  }
  return out;
}

static std::optional<std::string> sshsig_blob(std::string_view armored) {
  static constexpr std::string_view kBegin = "-----BEGIN SSH SIGNATURE-----";
  static constexpr std::string_view kEnd = "-----END SSH SIGNATURE-----";
  if (armored.rfind(kBegin, 0) != 0) return std::nullopt;
  const auto end = armored.find(kEnd);
  if (end == std::string_view::npos) return std::nullopt;
  return b64(armored.substr(kBegin.size(), end - kBegin.size()));
}

std::optional<std::string> signature_public_key(std::string_view armored) {
  auto blob = sshsig_blob(armored);
  if (!blob) return std::nullopt;
  Wire w(*blob);
  std::string_view magic, pubkey;
  std::uint32_t version = 0;
  if (!w.raw(6, magic) || magic != "SSHSIG" || !w.u32(version) || version != 1 || !w.str(pubkey)) return std::nullopt;
  return std::string(pubkey);
}

std::optional<std::string> verify_fast(const std::vector<Signer>& signers, std::string_view armored,
                                       std::string_view payload, std::string_view principal) {
  auto blob = sshsig_blob(armored);
  if (!blob) return std::nullopt;

  Wire w(*blob);
  std::string_view magic, pubkey, ns, reserved, hash, sig;
  std::uint32_t version = 0;
  if (!w.raw(6, magic) || magic != "SSHSIG" || !w.u32(version) || version != 1 || !w.str(pubkey) || !w.str(ns) ||
      !w.str(reserved) || !w.str(hash) || !w.str(sig) || !w.empty()) {
    return std::nullopt;
  }
  if (ns != "git") return std::nullopt;
  const EVP_MD* hmd = hash == "sha512" ? EVP_sha512() : hash == "sha256" ? EVP_sha256()
                                                                         : nullptr;
  if (!hmd) return std::nullopt;

  // The key must be listed, literally, for this principal.
  const bool listed = std::any_of(signers.begin(), signers.end(), [&](const Signer& s) {
    return s.key_blob == pubkey &&
           std::find(s.principals.begin(), s.principals.end(), principal) != s.principals.end();
  });
  if (!listed) return std::nullopt;

  std::string key_type;
  auto key = load_key(pubkey, key_type);
  if (!key) return std::nullopt;
  Wire sw(sig);
  std::string_view sig_type, sig_bytes;
  if (!sw.str(sig_type) || !sw.str(sig_bytes) || !sw.empty()) return std::nullopt;
  const EVP_MD* smd = nullptr;
  if (key_type == "ssh-ed25519") {
    if (sig_type != "ssh-ed25519") return std::nullopt;
  } else if (sig_type == "rsa-sha2-512") {
    smd = EVP_sha512();
  } else if (sig_type == "rsa-sha2-256") {
    smd = EVP_sha256();
  } else {
    return std::nullopt;  // ssh-rsa (SHA-1) signatures are refused by OpenSSH for SSHSIG
  }

  // The signed data: MAGIC, namespace, reserved, hash algorithm, H(message).
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  if (EVP_Digest(payload.data(), payload.size(), digest, &dlen, hmd, nullptr) != 1) return std::nullopt;
  std::string tbs = "SSHSIG";
  put_str(tbs, ns);
  put_str(tbs, reserved);
  put_str(tbs, hash);
  put_str(tbs, std::string_view(reinterpret_cast<const char*>(digest), dlen));
  if (!verify_raw(key.get(), smd, sig_bytes, tbs)) return std::nullopt;
  return fingerprint(pubkey);
}

}  // namespace vigil::sshsig
