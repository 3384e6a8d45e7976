// MessagePolicy: rules for commit messages and identities ([messages]): subject pattern and
// length, required trailers, patterns forbidden on protected branches, author and committer email.
// Also git's own message cleanup, so commit-msg judges what git will record.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/finding.h"
#include "detectors/policy/policy_action.h"
#include "detectors/scan/regex.h"

namespace vigil {

/// A required trailer: `Signed-off-by`, or a name whose value must match (a ticket reference).
struct TrailerRule {
  std::string name;            // compared case-insensitively, as git does
  std::optional<Regex> value;  // searched in the value; unset = any value
};

struct MessagePolicy {
  std::optional<Regex> subject;        // searched in the first line
  std::size_t max_subject_length = 0;  // in characters; 0 = no limit
  std::vector<TrailerRule> trailers;
  std::vector<Regex> forbidden;  // searched in the whole message (no multiline: ^ is the start)
  /// Ref globs where `forbidden` applies. Unset in the file: the [refs] protected patterns, or
  /// every branch when there are none.
  std::vector<std::string> forbidden_on;
  std::optional<Regex> author_email;
  std::optional<Regex> committer_email;
  /// Merge commits carry git's generated message, so subject, length, trailer and forbidden rules
  /// skip them unless `merges = "check"`. Email rules always apply.
  bool check_merges = false;
  PolicyAction action = PolicyAction::Block;
  std::string reason;  // shown under each finding; a default explains the rule when unset
  /// A repository's own [messages], merged under the server floor by tighten(): each is judged
  /// on its own, with its own action and reason, so it adds findings and never changes the floor's.
  std::vector<MessagePolicy> added;
  bool configured() const;
};

/// One commit to judge.
struct CommitMessageInfo {
  std::string message;                      // cleaned (clean_commit_message, or a commit's stored message)
  std::optional<std::string> author_email;  // nullopt = unknown, not checked
  std::optional<std::string> committer_email;
  bool merge = false;
  std::string ref;     // where it lands ("refs/heads/main"); empty = unknown
  std::string commit;  // set on findings when known
  std::string label;   // shown as the finding's path ("COMMIT_EDITMSG" or a commit id)
};

/// Judges the policy and every policy in `added`.
std::vector<Finding> check_commit_message(const MessagePolicy& policy, const CommitMessageInfo& info,
                                          Mode mode = Mode::Enforce);

/// git's commit.cleanup modes.
enum class MessageCleanup { Strip,
                            Whitespace,
                            Scissors,
                            Verbatim };
/// commit.cleanup → mode. "default" (or unset) is Strip when an editor was used, else Whitespace,
/// as in builtin/commit.c. Unknown values give nullopt.
std::optional<MessageCleanup> parse_message_cleanup(std::string_view value, bool editor_used);

/// What git records for a raw message file: cuts at the scissors line (scissors mode, or the
/// one `commit -v` writes), drops comment lines
/// (Strip), trims trailing whitespace (CR included), collapses blank lines, drops leading and
/// trailing blank lines. The result ends with "\n" unless empty.
std::string clean_commit_message(std::string_view raw, MessageCleanup mode, char comment_char = '#');

/// The subject: the first line of a cleaned message.
std::string_view message_subject(std::string_view message);

/// The trailers (name, value) of a message's last paragraph, as git interpret-trailers finds them.
std::vector<std::pair<std::string, std::string>> message_trailers(std::string_view message);

}  // namespace vigil
