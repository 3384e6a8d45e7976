// AiPolicy: how vigil recognises AI-assisted commits (trailers and tool identities), where such
// commits must say so, and which paths they may only change with a human's approval. The [ai]
// table of .vigil.toml and its pure checks (no git: the gate passes message and identities in).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "detectors/policy/policy_action.h"

namespace vigil {

inline constexpr std::string_view kAiUndisclosedId = "ai.undisclosed";
inline constexpr std::string_view kAiUnapprovedId = "ai.unapproved";

/// One [[ai.escalate]] entry: AI-assisted commits that change `paths` and land on a ref of `on`
/// need the approval of a human member of signer group `approvers`.
struct AiEscalation {
  std::vector<std::string> paths;  // path globs (detectors/util/glob.h)
  std::vector<std::string> on;     // ref globs; default every branch
  std::string approvers;           // a [signers.<group>] name
  std::string where;               // "file:line" of the entry
};

struct AiPolicy {
  bool configured = false;  // an [ai] table was given
  /// Trailers whose presence discloses AI assistance, whatever the value, except a negative one
  /// ("false", "no", "none", "0").
  std::vector<std::string> disclosure_trailers = {"Assisted-by", "Generated-by", "AI-Assisted"};
  /// Trailers that disclose AI assistance only when their value names an AI identity
  /// ("Co-authored-by: Claude <noreply@anthropic.com>").
  std::vector<std::string> coauthor_trailers = {"Co-authored-by"};
  /// AI tools and bots: a pattern with '@' matches an e-mail, one without matches a name; both
  /// case-insensitively, '*' matching any run. The defaults are addresses the tools commit with.
  std::vector<std::string> identities = {
      "noreply@anthropic.com",                                 // Claude Code
      "*+copilot@users.noreply.github.com",                    // GitHub Copilot coding agent
      "*+devin-ai-integration[bot]@users.noreply.github.com",  // Devin
      "noreply@aider.chat",                                    // aider
      "cursoragent@cursor.com",                                // Cursor background agent
  };
  /// Ref globs where a commit whose author or committer is an AI identity must disclose it.
  std::vector<std::string> require_disclosure;
  std::vector<AiEscalation> escalate;
  PolicyAction action = PolicyAction::Block;
};

/// What the policy makes of one commit.
struct AiSignals {
  bool assisted = false;     // disclosed by a trailer, or made by an AI identity
  bool disclosed = false;    // a trailer says so
  bool ai_identity = false;  // the author or committer is an AI identity
  std::string evidence;      // one line: the trailer or identity that decided it
};

/// `*`-only, case-insensitive match of a name or an e-mail against one identity pattern.
bool identity_pattern_match(std::string_view pattern, std::string_view text);

/// True when the name or e-mail matches one of the policy's identities.
bool is_ai_identity(const AiPolicy& p, std::string_view name, std::string_view email);

/// Splits "Name <email>" (a trailer value or a git identity) into its name and e-mail.
std::pair<std::string, std::string> split_identity(std::string_view value);

/// Judges a commit's message and identities ("Name <email>" each).
AiSignals ai_signals(const AiPolicy& p, std::string_view message, std::string_view author,
                     std::string_view committer);

/// True when commits newly reaching `ref` must disclose AI assistance.
bool disclosure_required(const AiPolicy& p, std::string_view ref);

}  // namespace vigil
