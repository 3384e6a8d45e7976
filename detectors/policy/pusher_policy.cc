// PusherPolicy: ref matching, e-mail ownership and the [pushers] table parser.
#include "detectors/policy/pusher_policy.h"

#include <fmt/format.h>

#include <algorithm>

#include "detectors/policy/identity_toml.h"
#include "detectors/policy/ref_policy.h"
#include "detectors/rules/rule_toml.h"
#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

const std::vector<std::string> kKeys = {"committer_is_pusher", "require_pusher", "allow_signed_forward", "action",
                                        "emails"};

Error bad(std::string_view path, const toml::node& n, std::string_view what) {
  return make_error(ErrorCode::Config, fmt::format("{}: {}", toml_where(path, n), what));
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool committer_must_be_pusher(const PusherPolicy& p, std::string_view ref) {
  if (p.action == PolicyAction::Off) return false;
  return std::any_of(p.committer_is_pusher.begin(), p.committer_is_pusher.end(),
                     [&](const std::string& g) { return ref_glob_match(g, ref); });
}

bool pusher_needed(const PusherPolicy& p, const std::vector<std::string>& refs) {
  if (p.action == PolicyAction::Off) return false;
  if (p.require_pusher) return true;
  return std::any_of(refs.begin(), refs.end(), [&](const std::string& r) { return committer_must_be_pusher(p, r); });
}

bool pusher_owns_email(const PusherPolicy& p, std::string_view pusher, std::string_view email) {
  if (pusher.empty() || email.empty()) return false;
  if (pusher.find('@') != std::string_view::npos && ieq(pusher, email)) return true;
  const auto it = p.emails.find(std::string(pusher));
  if (it == p.emails.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const std::string& e) { return ieq(e, email); });
}

std::string pusher_emails_text(const PusherPolicy& p, std::string_view pusher) {
  const auto it = p.emails.find(std::string(pusher));
  if (it == p.emails.end()) return "";
  std::string out;
  for (const auto& e : it->second) out += (out.empty() ? "" : ", ") + e;
  return out;
}

Result<PusherPolicy> parse_pusher_policy(const toml::table& t, std::string_view path) {
  PusherPolicy p;
  p.configured = true;
  p.where = toml_where(path, t);
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      const auto s = suggest(key, kKeys);
      return bad(path, v, fmt::format("unknown key '{}' in [pushers]{} — map pushers to e-mails under "
                                      "[pushers.emails] (alice = [\"alice@example.org\"])",
                                      key, s.empty() ? "" : fmt::format(" (did you mean '{}'?)", s)));
    }
    if (key == "require_pusher" || key == "allow_signed_forward") {
      const auto b = v.value<bool>();
      if (!b) return bad(path, v, fmt::format("pushers.{} must be true or false", key));
      (key == "require_pusher" ? p.require_pusher : p.allow_signed_forward) = *b;
    } else if (key == "action") {
      const auto s = v.value<std::string>();
      const auto a = s ? parse_policy_action(*s) : std::nullopt;
      if (!a) return bad(path, v, "pushers.action must be \"block\", \"warn\" or \"off\"");
      p.action = *a;
    } else if (key == "committer_is_pusher") {
      auto l = toml_strings(v, key, path);
      if (!l) return l.error();
      for (const auto& g : *l) {
        if (auto e = glob_error(g)) return bad(path, v, *e);
        if (g.substr(0, 5) != "refs/") {
          return bad(path, v, fmt::format("pushers.committer_is_pusher entry '{}' must be a full ref name or glob "
                                          "starting with refs/ (e.g. \"refs/heads/main\")",
                                          g));
        }
      }
      p.committer_is_pusher = std::move(*l);
    } else {  // emails
      const auto* tab = v.as_table();
      if (!tab) return bad(path, v, "[pushers.emails] must be a table: pusher = [\"e-mail\", ...]");
      for (const auto& [name, list] : *tab) {
        auto l = toml_strings(list, name.str(), path);
        if (!l) return l.error();
        for (const auto& e : *l) {
          if (e.find('@') == std::string::npos || trim(e) != e || e.empty()) {
            return bad(path, list, fmt::format("pushers.emails.{}: '{}' is not an e-mail address", name.str(), e));
          }
        }
        p.emails[std::string(name.str())] = std::move(*l);
      }
    }
  }
  return p;
}

}  // namespace vigil
