// PusherPolicy: who pushed, and whether the commits a push brings were committed by that person.
// The [pushers] table of .vigil.toml (or of the server floor) and its pure checks.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/policy/policy_action.h"

namespace vigil {

/// Rule ids of the pusher checks.
inline constexpr std::string_view kPusherUnknownId = "pusher.unknown";
inline constexpr std::string_view kPusherMismatchId = "pusher.committer-mismatch";

struct PusherPolicy {
  bool configured = false;  // a [pushers] table was given
  /// Ref globs: every commit a push newly brings to such a ref must have the pusher as committer
  /// (by `emails`), unless it is signed by a trusted key of its committer (forwarded work).
  std::vector<std::string> committer_is_pusher;
  /// A push whose pusher the server cannot tell is rejected even where no ref needs the match.
  bool require_pusher = false;
  /// Forwarded work: a commit with a good signature by a trusted key bound to its committer's
  /// e-mail passes the committer check whoever pushes it.
  bool allow_signed_forward = true;
  /// Pusher name (as the server names it: GL_USER, REMOTE_USER, ...) -> the committer e-mails that
  /// are that person's. A pusher whose name is itself an e-mail also matches that e-mail.
  std::map<std::string, std::vector<std::string>> emails;
  PolicyAction action = PolicyAction::Block;
  std::string where;  // "file:line" of the table, for messages
};

/// True when commits newly reaching `ref` must have the pusher as committer.
bool committer_must_be_pusher(const PusherPolicy& p, std::string_view ref);

/// True when the push needs to know its pusher: `require_pusher`, or an updated ref that
/// `committer_is_pusher` covers.
bool pusher_needed(const PusherPolicy& p, const std::vector<std::string>& refs);

/// True when `email` (case-insensitively) is one of the pusher's e-mails, or the pusher's name is
/// that e-mail.
bool pusher_owns_email(const PusherPolicy& p, std::string_view pusher, std::string_view email);

/// The e-mails mapped to `pusher`, for messages ("alice@example.org, a@corp.example"), or "".
std::string pusher_emails_text(const PusherPolicy& p, std::string_view pusher);

}  // namespace vigil
