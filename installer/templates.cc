#include "installer/templates.h"

namespace vigil {

namespace {

// The sections a repository config and a server policy share. Examples are commented out with a
// bare "#", so deleting that character enables one (see the header).
constexpr const char* kSections = R"(
# --- [[rules]]: add a rule, or override a built-in one by id (`vigil rules list` shows them). ---
# regex: group 1 (or secret_group) is the secret; keywords make Hyperscan skip most files fast;
# entropy is Shannon bits per character of the secret. Every rule carries examples that
# `vigil rules test` proves. See docs/rules.md.
#[[rules]]
#id = "acme.api-key"
#description = "ACME API key"
#regex = '''\b(acme_[a-z0-9]{24})\b'''
#keywords = ["acme_"]
#entropy = 3.0
#severity = "high"
#examples = ["acme_q8zr2lmt7vxk9pwn4syb6hcj"]
#negative_examples = ["acme_short"]

# --- [[allow]]: a finding is allowed when every criterion given matches; each needs a reason. ---
# paths are gitignore-style globs; regexes and stopwords are searched in the secret; rules
# limits the entry to some rule ids. A line containing `vigil:allow <reason>` is allowed too.
#[[allow]]
#paths = ["tests/fixtures/**"]
#rules = ["github.pat"]
#reason = "fake credentials used by the parser tests"

# --- [signatures]: commits reaching these refs must be signed by a trusted key. ---
# Trusted keys are read from the repository at the old tip (never from the push itself).
# Client side, `vigil doctor` checks that signing is set up (commit.gpgsign, user.signingkey).
#[signatures]
#require = ["refs/heads/main", "refs/heads/release/*"]
#require_tags = true
#identity_must_match = true
#allowed_signers = [".vigil/allowed_signers"]
#openpgp_keys = [".vigil/keys/*.asc"]
#x509_cas = [".vigil/certs/*.pem"]

# --- [[files]]: forbid changes to paths, or limit what new content may be. See docs/policy.md. ---
# on: add, modify, delete, rename, mode (default: all). A rule with limits (max_size, binary,
# symlink, submodule, lfs_over) reports only content that breaks one.
#[[files]]
#id = "no-env"
#glob = [".env", "*.pem", "id_rsa*"]
#on = ["add"]
#reason = "credentials belong in the secret store"
#[[files]]
#id = "small-files"
#glob = "**"
#max_size = "10MB"
#binary = false
#symlink = "inside"
#submodule = false
#reason = "keep the repository small and portable"

# --- [messages]: commit message rules (commit-msg hook, and every pushed commit). ---
#[messages]
#subject = '^(feat|fix|docs|chore|refactor|test)(\([a-z0-9-]+\))?!?: \S'
#max_subject_length = 72
#trailers = ["Signed-off-by"]
#forbidden = ['^(WIP|fixup!|squash!)']
#author_email = '@example\.com$'
#merges = "skip"
#action = "block"

# --- [refs]: branch and tag names; protected refs cannot be deleted or force-pushed. ---
#[refs]
#branch_name = '^(main|release/\d+\.\d+|(feature|fix)/[a-z0-9._-]+)$'
#tag_name = '^v\d+\.\d+\.\d+$'
#protected = ["refs/heads/main", "refs/heads/release/*"]
#no_delete = true
#no_force_push = true
)";

constexpr const char* kSettings = R"(# --- [settings]: how findings turn into a verdict. ---
[settings]
# mode: "enforce" blocks, "warn" reports and lets the change through, "observe" only records.
mode = "enforce"
# fail_on: findings below this severity (critical, high, medium, low, info) warn instead of block.
fail_on = "low"
# max_file_size: larger files are skipped, and every skip is reported.
max_file_size = "5MB"
# builtin_rules: start from vigil's built-in rule pack (`vigil rules list`).
builtin_rules = true
# decode_depth: how many encoding layers (base64, URL, ...) to peel before matching.
decode_depth = 2
# inline_allow: honour `vigil:allow <reason>` comments on the line of a finding.
inline_allow = true
# disable: built-in rule ids to switch off.
#disable = ["generic.assignment"]
)";

}  // namespace

std::string starter_config_text() {
  std::string t = R"(# .vigil.toml — the policy vigil's hooks apply to this repository (written by `vigil init`).
# Every section is optional; the commented examples below show each one. Delete the leading '#'
# of an example line to use it. Check the file with `vigil doctor` or `vigil rules check`.
# Exit status of every hook: 0 allowed, 1 blocked by policy, 2 vigil could not do its job.
version = 1

)";
  t += kSettings;
  t += kSections;
  return t;
}

std::string server_policy_text() {
  std::string t = R"(# vigil server policy — the floor every push into this server is judged by (pre-receive/update).
# Written by `vigil install --server`; the repository's `git config vigil.policy` names this file.
# A repository's own .vigil.toml (read from the OLD tip of HEAD, never from the push) may only
# tighten this floor. Check the file with `vigil rules check` after editing; `vigil uninstall
# --server` removes it again while it is unchanged.
version = 1

# --- [server]: only read from this file, never from a repository. ---
[server]
# deadline_ms: the whole judgement of a push must finish within this many milliseconds.
deadline_ms = 4000
# on_timeout: "reject" (fail closed) or "accept" (fail open, recorded in the audit trail).
on_timeout = "reject"
# on_error: the same choice when vigil cannot do its job (bad config, internal error).
on_error = "reject"
# bypass: allow `git push -o vigil.bypass="<reason>"`; every bypass is recorded with its pusher.
bypass = false
# bypass_max_severity: findings above this severity can never be bypassed.
bypass_max_severity = "high"
# bypass_users: who may bypass; an empty list means any pusher.
bypass_users = []
# pusher_env: environment variables naming the pusher, first one set wins (GitLab, Gitea, gitolite,
# smart HTTP REMOTE_USER, VIGIL_PUSHER from a forced command in authorized_keys; docs/server.md).
pusher_env = ["GL_USERNAME", "GITEA_PUSHER_NAME", "GL_USER", "REMOTE_USER", "VIGIL_PUSHER"]
# audit_log: the hash-chained audit trail (`vigil audit verify`); default <git dir>/vigil-audit.jsonl.
#audit_log = "/var/log/vigil/audit.jsonl"
# audit_key: the HMAC-SHA256 key every audit record is signed with (made 0600 on first use and by
# `vigil install --server`); default vigil-audit.key beside the log. Keep a copy off the server:
# `vigil audit verify --key FILE` then finds a rewrite even when every hash was recomputed.
#audit_key = "/etc/vigil/audit.key"
# repo_config: let a repository's .vigil.toml (at the old tip) tighten this floor.
repo_config = true
# repo_allows: honour the repository's [[allow]] entries (off: only this file can allow).
repo_allows = false
# jobs: worker threads per push.
jobs = 2

)";
  t += kSettings;
  t += kSections;
  return t;
}

}  // namespace vigil
