// ServerPolicy: the [server] section of the server's policy file, and how a repository's own
// .vigil.toml may tighten (never loosen) that floor.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "detectors/rules/rule.h"
#include "detectors/util/result.h"

namespace vigil {

struct Config;

struct ServerSettings {
  std::uint32_t deadline_ms = 4000;               // the whole judgement must finish within this
  bool accept_on_timeout = false;                 // fail open on timeout (recorded), else reject
  bool accept_on_error = false;                   // fail open on internal errors (recorded), else reject
  bool accept_on_limit = false;                   // on_limit: accept (recorded) a push a bound kept from being fully judged
  bool bypass_allowed = false;                    // `git push -o vigil.bypass=<reason>`
  Severity bypass_max_severity = Severity::High;  // findings above this cannot be bypassed
  std::vector<std::string> bypass_users;          // empty = any pusher may bypass
  /// Where the pusher's name comes from, first set wins: GitLab, Gitea/Forgejo, gitolite, a web
  /// server's authenticated user (smart HTTP), and VIGIL_PUSHER for a forced command in sshd's
  /// authorized_keys. Not USER: over ssh that is the server's git account, never the person.
  std::vector<std::string> pusher_env = {"GL_USERNAME", "GITEA_PUSHER_NAME", "GL_USER", "REMOTE_USER", "VIGIL_PUSHER"};
  std::string audit_log;     // default: <git dir>/vigil-audit.jsonl
  std::string audit_key;     // HMAC key of the audit log; default: vigil-audit.key beside it
  bool repo_config = true;   // tighten with the repository's .vigil.toml (old tip)
  bool repo_allows = false;  // honour the repository's [[allow]] entries
  /// Keys that may always sign trust-policy changes (.vigil.toml, .vigil/), the first one of an
  /// empty repository included: key files (SSH .pub or allowed_signers, OpenPGP .asc, X.509 CA
  /// .pem) or SSH fingerprints ("SHA256:..."). A repository cannot change them.
  std::vector<std::string> trust_root;
  unsigned jobs = 2;
  /// min_mode = { critical = "enforce" }: the least mode per severity (merged into
  /// settings.governance.min_mode when parsed; a repository can raise it, never lower it).
  std::array<std::optional<Mode>, 5> min_mode{};
  bool configured = false;  // a [server] table was given (a repository's is ignored on the server)
};

/// The floor tightened by a repository config: every section of Config is merged in the stricter
/// direction (the table in merge_table.h, checked against the structs at compile time): rules are
/// added, severities and modes only go up, nothing the floor enables can be disabled, thresholds
/// only get stricter, message and ref rules add to the floor's. `notes` collects what the
/// repository tried to loosen (shown in the audit record). Defined in tighten.cc.
Config tighten(const Config& floor, const Config& repo, std::vector<std::string>& notes);

}  // namespace vigil
