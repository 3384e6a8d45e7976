// SignaturePolicy: ref matching and the [signatures] table parser.
#include "detectors/policy/signature_policy.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/rules/rule_toml.h"
#include "detectors/policy/signature_policy_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kKeys = {"require", "require_tags", "identity_must_match",
                                        "allowed_signers", "openpgp_keys", "x509_cas"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

}  // namespace

bool signatures_required(const SignaturePolicy& policy, std::string_view ref) {
  return std::any_of(policy.require.begin(), policy.require.end(),
                     [&](const std::string& g) { return glob_match(g, ref); });
}

bool tag_signature_required(const SignaturePolicy& policy, std::string_view ref) {
  return policy.require_tags && ref.substr(0, 10) == "refs/tags/";
}

std::vector<std::string> trusted_key_globs(const SignaturePolicy& policy) {
  std::vector<std::string> all = policy.allowed_signers;
  all.insert(all.end(), policy.openpgp_keys.begin(), policy.openpgp_keys.end());
  all.insert(all.end(), policy.x509_cas.begin(), policy.x509_cas.end());
  return all;
}

Result<SignaturePolicy> parse_signature_policy(const toml::table& t, std::string_view path) {
  SignaturePolicy p;
  p.configured = true;
  // A [signatures] table that requires nothing would look like enforcement and be none: the
  // default is every branch.
  p.require = {"refs/heads/**"};
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      const auto s = suggest(key, kKeys);
      return bad(path, v, fmt::format("unknown key '{}' in [signatures]{}", key, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
    if (key == "require_tags" || key == "identity_must_match") {
      const auto b = v.value<bool>();
      if (!b) return bad(path, v, fmt::format("signatures.{} must be true or false", key));
      (key == "require_tags" ? p.require_tags : p.identity_must_match) = *b;
      continue;
    }
    auto l = toml_strings(v, key, path);
    if (!l) return l.error();
    for (const auto& g : *l) {
      if (auto e = glob_error(g)) return bad(path, v, *e);
    }
    if (key == "require") {
      for (const auto& g : *l) {
        if (g.substr(0, 5) != "refs/") {
          return bad(path, v, fmt::format("signatures.require entry '{}' must be a full ref name or glob "
                                          "starting with refs/ (e.g. \"refs/heads/main\")",
                                          g));
        }
      }
      p.require = std::move(*l);
    } else if (key == "allowed_signers") {
      p.allowed_signers = std::move(*l);
    } else if (key == "openpgp_keys") {
      p.openpgp_keys = std::move(*l);
    } else if (key == "x509_cas") {
      p.x509_cas = std::move(*l);
    }
  }
  return p;
}

}  // namespace vigil
