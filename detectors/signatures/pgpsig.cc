// OpenPGP v4 signatures with libcrypto (see pgpsig.h for what it decides and what it leaves).
#include "detectors/signatures/pgpsig.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <memory>

#include "detectors/util/text.h"

namespace vigil::pgpsig {

namespace {

constexpr std::string_view kEd25519Oid = "\x2B\x06\x01\x04\x01\xDA\x47\x0F\x01";

/// The binary body of an ASCII-armored block of `kind` ("PUBLIC KEY BLOCK", "SIGNATURE"), or
/// nullopt. Headers are skipped; the CRC line is not checked (the signatures inside are).
std::optional<std::string> dearmor(std::string_view text, std::string_view kind) {
  const std::string begin = "-----BEGIN PGP " + std::string(kind) + "-----";
  const std::string end = "-----END PGP " + std::string(kind) + "-----";
  auto b = text.find(begin);
  if (b == std::string_view::npos) return std::nullopt;
  auto e = text.find(end, b);
  if (e == std::string_view::npos) return std::nullopt;
  std::string_view body = text.substr(b + begin.size(), e - b - begin.size());
  // Armor headers end at the first empty line.
  auto blank = body.find("\n\n");
  auto blank_crlf = body.find("\r\n\r\n");
  if (blank_crlf != std::string_view::npos && (blank == std::string_view::npos || blank_crlf < blank)) {
    body.remove_prefix(blank_crlf + 4);
  } else if (blank != std::string_view::npos) {
    body.remove_prefix(blank + 2);
  }
  std::string b64;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto eol = body.find('\n', pos);
    if (eol == std::string_view::npos) eol = body.size();
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '=') break;  // the CRC24 line
    b64.append(line);
  }
  return decode_base64(b64, false);
}

struct Packet {
  int tag = 0;
  std::string_view body;
};

/// Splits OpenPGP packets (old and new headers; partial lengths are not expected here: nullopt).
std::optional<std::vector<Packet>> packets(std::string_view data) {
  std::vector<Packet> out;
  std::size_t i = 0;
  while (i < data.size()) {
    const auto h = static_cast<unsigned char>(data[i++]);
    if (!(h & 0x80)) return std::nullopt;
    Packet p;
    std::size_t len = 0;
    if (h & 0x40) {  // new format
      p.tag = h & 0x3f;
      if (i >= data.size()) return std::nullopt;
      const auto l0 = static_cast<unsigned char>(data[i++]);
      if (l0 < 192) {
        len = l0;
      } else if (l0 < 224) {
        if (i >= data.size()) return std::nullopt;
        len = ((l0 - 192u) << 8) + static_cast<unsigned char>(data[i++]) + 192u;
      } else if (l0 == 255) {
        if (i + 4 > data.size()) return std::nullopt;
        for (int k = 0; k < 4; ++k) len = (len << 8) | static_cast<unsigned char>(data[i++]);
      } else {
        return std::nullopt;  // partial body length
      }
    } else {  // old format
      p.tag = (h >> 2) & 0x0f;
      const int lt = h & 3;
      if (lt == 3) return std::nullopt;
      const int n = lt == 0 ? 1 : lt == 1 ? 2
                                          : 4;
      if (i + static_cast<std::size_t>(n) > data.size()) return std::nullopt;
      for (int k = 0; k < n; ++k) len = (len << 8) | static_cast<unsigned char>(data[i++]);
    }
    if (len > data.size() - i) return std::nullopt;
    p.body = data.substr(i, len);
    i += len;
    out.push_back(p);
  }
  return out;
}

/// Reads a multiprecision integer (2-byte bit count, then the bytes).
bool mpi(std::string_view& b, std::string_view& out) {
  if (b.size() < 2) return false;
  const std::size_t bits = (static_cast<unsigned char>(b[0]) << 8) | static_cast<unsigned char>(b[1]);
  const std::size_t n = (bits + 7) / 8;
  if (b.size() < 2 + n) return false;
  out = b.substr(2, n);
  b.remove_prefix(2 + n);
  return true;
}

std::string hex_upper(const unsigned char* d, std::size_t n) {
  static const char* digits = "0123456789ABCDEF";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += digits[d[i] >> 4];
    s += digits[d[i] & 15];
  }
  return s;
}

std::optional<PublicKey> parse_key(std::string_view body) {
  // v4: version, creation time (4), algorithm, key material.
  if (body.size() < 6 || body[0] != 4) return std::nullopt;
  PublicKey k;
  k.algorithm = static_cast<unsigned char>(body[5]);
  std::string_view rest = body.substr(6);
  if (k.algorithm == 22) {
    if (rest.empty()) return std::nullopt;
    const std::size_t oid_len = static_cast<unsigned char>(rest[0]);
    if (rest.size() < 1 + oid_len || rest.substr(1, oid_len) != kEd25519Oid) return std::nullopt;
    rest.remove_prefix(1 + oid_len);
    std::string_view point;
    if (!mpi(rest, point) || point.size() != 33 || static_cast<unsigned char>(point[0]) != 0x40) return std::nullopt;
    k.material = std::string(point.substr(1));
  } else if (k.algorithm == 1) {
    std::string_view n, e;
    if (!mpi(rest, n) || !mpi(rest, e)) return std::nullopt;
    k.material = std::string(n);
    k.exponent = std::string(e);
  } else {
    return std::nullopt;
  }
  // v4 fingerprint: SHA-1 over 0x99, the two-byte length and the packet body.
  std::string framed = "\x99";
  framed += static_cast<char>((body.size() >> 8) & 0xff);
  framed += static_cast<char>(body.size() & 0xff);
  framed.append(body);
  unsigned char d[20];
  unsigned int dl = 0;
  if (EVP_Digest(framed.data(), framed.size(), d, &dl, EVP_sha1(), nullptr) != 1) return std::nullopt;
  k.fingerprint = hex_upper(d, dl);
  return k;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

PkeyPtr rsa_key(const std::string& n_bytes, const std::string& e_bytes) {
  BIGNUM* n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n_bytes.data()), static_cast<int>(n_bytes.size()), nullptr);
  BIGNUM* e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e_bytes.data()), static_cast<int>(e_bytes.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  if (n && e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
    if (OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld)) {
      if (EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) {
        if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) pkey = nullptr;
        EVP_PKEY_CTX_free(ctx);
      }
      OSSL_PARAM_free(params);
    }
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(n);
  BN_free(e);
  return PkeyPtr(pkey);
}

std::uint32_t be32(std::string_view b) {
  return (std::uint32_t{static_cast<unsigned char>(b[0])} << 24) | (std::uint32_t{static_cast<unsigned char>(b[1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(b[2])} << 8) | std::uint32_t{static_cast<unsigned char>(b[3])};
}

/// Walks a subpacket area; `f(type, body)` for each. False when malformed.
template <class F>
bool subpackets(std::string_view area, F f) {
  while (!area.empty()) {
    std::size_t len = static_cast<unsigned char>(area[0]);
    std::size_t hdr = 1;
    if (len >= 192 && len < 255) {
      if (area.size() < 2) return false;
      len = ((len - 192) << 8) + static_cast<unsigned char>(area[1]) + 192;
      hdr = 2;
    } else if (len == 255) {
      if (area.size() < 5) return false;
      len = be32(area.substr(1));
      hdr = 5;
    }
    if (len == 0 || area.size() < hdr + len) return false;
    f(static_cast<unsigned char>(area[hdr]) & 0x7f, area.substr(hdr + 1, len - 1));
    area.remove_prefix(hdr + len);
  }
  return true;
}

}  // namespace

std::vector<PublicKey> parse_public_keys(std::string_view armored) {
  std::vector<PublicKey> out;
  std::size_t from = 0;
  // A file may hold several armored blocks.
  while (true) {
    const auto at = armored.find("-----BEGIN PGP PUBLIC KEY BLOCK-----", from);
    if (at == std::string_view::npos) break;
    const auto bin = dearmor(armored.substr(at), "PUBLIC KEY BLOCK");
    from = at + 1;
    if (!bin) continue;
    const auto ps = packets(*bin);
    if (!ps) continue;
    for (const auto& p : *ps) {
      if (p.tag != 6 && p.tag != 14) continue;
      if (auto k = parse_key(p.body)) out.push_back(std::move(*k));
    }
  }
  return out;
}

std::optional<Valid> verify_fast(const std::vector<PublicKey>& keys, std::string_view armored, std::string_view payload) {
  const auto bin = dearmor(armored, "SIGNATURE");
  if (!bin) return std::nullopt;
  const auto ps = packets(*bin);
  if (!ps || ps->size() != 1 || (*ps)[0].tag != 2) return std::nullopt;
  const std::string_view s = (*ps)[0].body;
  // v4: version, type, public-key algorithm, hash algorithm, hashed subpackets, unhashed
  // subpackets, the hash's left 16 bits, the signature MPIs.
  if (s.size() < 6 || s[0] != 4 || s[1] != 0) return std::nullopt;  // binary document signatures only
  const int algo = static_cast<unsigned char>(s[2]);
  const int hash = static_cast<unsigned char>(s[3]);
  const EVP_MD* md = hash == 8 ? EVP_sha256() : hash == 9 ? EVP_sha384()
                                            : hash == 10  ? EVP_sha512()
                                                          : nullptr;
  if (!md) return std::nullopt;
  const std::size_t hashed_len = (static_cast<unsigned char>(s[4]) << 8) | static_cast<unsigned char>(s[5]);
  if (s.size() < 6 + hashed_len + 2) return std::nullopt;
  const std::string_view hashed = s.substr(6, hashed_len);
  std::string_view rest = s.substr(6 + hashed_len);
  const std::size_t unhashed_len = (static_cast<unsigned char>(rest[0]) << 8) | static_cast<unsigned char>(rest[1]);
  if (rest.size() < 2 + unhashed_len + 2) return std::nullopt;
  const std::string_view unhashed = rest.substr(2, unhashed_len);
  rest.remove_prefix(2 + unhashed_len);
  const std::string_view left16 = rest.substr(0, 2);
  rest.remove_prefix(2);

  std::int64_t created = 0;
  std::string issuer_fpr, issuer_id;
  bool critical_unknown = false;
  const auto take = [&](int type, std::string_view body) {
    if (type == 2 && body.size() == 4) created = be32(body);
    else if (type == 33 && body.size() == 21 && body[0] == 4) issuer_fpr = hex_upper(reinterpret_cast<const unsigned char*>(body.data() + 1), 20);
    else if (type == 16 && body.size() == 8) issuer_id = hex_upper(reinterpret_cast<const unsigned char*>(body.data()), 8);
  };
  // Subpacket types that change what a signature means (expiry, revocable, ...) leave it to gpg.
  const auto take_hashed = [&](int type, std::string_view body) {
    if (type != 2 && type != 33 && type != 16 && type != 28) critical_unknown = true;
    take(type, body);
  };
  if (!subpackets(hashed, take_hashed) || !subpackets(unhashed, take) || critical_unknown || created == 0) return std::nullopt;

  const PublicKey* key = nullptr;
  for (const auto& k : keys) {
    if (k.algorithm != algo) continue;
    if ((!issuer_fpr.empty() && k.fingerprint == issuer_fpr) ||
        (issuer_fpr.empty() && !issuer_id.empty() && k.fingerprint.size() == 40 && k.fingerprint.substr(24) == issuer_id)) {
      key = &k;
      break;
    }
  }
  if (!key) return std::nullopt;

  // The digest: the document, then the signature's own fields through the hashed subpackets,
  // then the v4 trailer (0x04 0xFF and that length as 4 bytes).
  EVP_MD_CTX* h = EVP_MD_CTX_new();
  if (!h) return std::nullopt;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  const std::string_view fields = s.substr(0, 6 + hashed_len);
  const std::uint32_t n = static_cast<std::uint32_t>(fields.size());
  const unsigned char trailer[6] = {4, 0xff, static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
                                    static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
  const bool hashed_ok = EVP_DigestInit_ex(h, md, nullptr) == 1 && EVP_DigestUpdate(h, payload.data(), payload.size()) == 1 &&
                         EVP_DigestUpdate(h, fields.data(), fields.size()) == 1 && EVP_DigestUpdate(h, trailer, 6) == 1 &&
                         EVP_DigestFinal_ex(h, digest, &dlen) == 1;
  EVP_MD_CTX_free(h);
  if (!hashed_ok || left16.size() != 2 || static_cast<unsigned char>(left16[0]) != digest[0] ||
      static_cast<unsigned char>(left16[1]) != digest[1]) {
    return std::nullopt;
  }

  bool ok = false;
  if (algo == 22) {
    std::string_view r, sv;
    if (!mpi(rest, r) || !mpi(rest, sv) || r.size() > 32 || sv.size() > 32) return std::nullopt;
    std::string sig(64, '\0');  // r and s, each left-padded to 32 bytes
    std::copy(r.begin(), r.end(), sig.begin() + static_cast<std::ptrdiff_t>(32 - r.size()));
    std::copy(sv.begin(), sv.end(), sig.begin() + static_cast<std::ptrdiff_t>(64 - sv.size()));
    PkeyPtr pk(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(key->material.data()), key->material.size()));
    EVP_MD_CTX* v = pk ? EVP_MD_CTX_new() : nullptr;
    if (v) {
      // Legacy EdDSA signs the digest itself.
      ok = EVP_DigestVerifyInit(v, nullptr, nullptr, nullptr, pk.get()) == 1 &&
           EVP_DigestVerify(v, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(), digest, dlen) == 1;
      EVP_MD_CTX_free(v);
    }
  } else if (algo == 1) {
    std::string_view sv;
    if (!mpi(rest, sv)) return std::nullopt;
    PkeyPtr pk = rsa_key(key->material, key->exponent);
    if (!pk || EVP_PKEY_get_bits(pk.get()) < 2048) return std::nullopt;
    // The signature is as long as the modulus; the MPI drops leading zero bytes.
    const std::size_t mod = static_cast<std::size_t>(EVP_PKEY_get_size(pk.get()));
    if (sv.size() > mod) return std::nullopt;
    std::string sig(mod - sv.size(), '\0');
    sig.append(sv);
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(pk.get(), nullptr);
    if (c) {
      ok = EVP_PKEY_verify_init(c) == 1 && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(c, md) == 1 &&
           EVP_PKEY_verify(c, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(), digest, dlen) == 1;
      EVP_PKEY_CTX_free(c);
    }
  }
  if (!ok) return std::nullopt;
  return Valid{key->fingerprint, created};
}

}  // namespace vigil::pgpsig
