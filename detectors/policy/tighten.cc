// tighten(): the server floor merged with a repository's .vigil.toml, every field in the stricter
// direction, following the table in merge_table.h.
#include <fmt/format.h>

#include <algorithm>

#include "detectors/policy/config.h"
#include "detectors/policy/merge_table.h"
#include "detectors/policy/policy.h"
#include "detectors/policy/server_policy.h"

namespace vigil {

// A field added to one of these structs without a row in kMergeTable (and a merge below) fails
// the build here.
static_assert(field_count<Config>() == merge_rows("Config"), "Config: add the new field to kMergeTable and tighten()");
static_assert(field_count<Settings>() == merge_rows("Settings"), "Settings: add the field to kMergeTable and tighten()");
static_assert(field_count<GovernanceSettings>() == merge_rows("GovernanceSettings"),
              "GovernanceSettings: add the field to kMergeTable and tighten()");
static_assert(field_count<SignaturePolicy>() == merge_rows("SignaturePolicy"),
              "SignaturePolicy: add the field to kMergeTable and tighten()");
static_assert(field_count<FilePolicy>() == merge_rows("FilePolicy"), "FilePolicy: add the field to kMergeTable and tighten()");
static_assert(field_count<PathCheck>() == merge_rows("PathCheck"), "PathCheck: add the field to kMergeTable and tighten()");
static_assert(field_count<MessagePolicy>() == merge_rows("MessagePolicy"),
              "MessagePolicy: add the field to kMergeTable and tighten()");
static_assert(field_count<RefPolicy>() == merge_rows("RefPolicy"), "RefPolicy: add the field to kMergeTable and tighten()");
static_assert(field_count<Rule>() == merge_rows("Rule"), "Rule: add the field to kMergeTable and tighten()");
static_assert(field_count<AllowEntry>() == merge_rows("AllowEntry"), "AllowEntry: add the field to kMergeTable");
static_assert(field_count<Waiver>() == merge_rows("Waiver"), "Waiver: add the field to kMergeTable");
static_assert(field_count<FileRule>() == merge_rows("FileRule"), "FileRule: add the field to kMergeTable");
static_assert(field_count<ProtectedRef>() == merge_rows("ProtectedRef"), "ProtectedRef: add the field to kMergeTable");
static_assert(field_count<TrailerRule>() == merge_rows("TrailerRule"), "TrailerRule: add the field to kMergeTable");
static_assert(field_count<SignerPolicy>() == merge_rows("SignerPolicy"), "SignerPolicy: add the field to kMergeTable and tighten()");
static_assert(field_count<SignerGroup>() == merge_rows("SignerGroup"), "SignerGroup: add the field to kMergeTable and tighten()");
static_assert(field_count<SignerRule>() == merge_rows("SignerRule"), "SignerRule: add the field to kMergeTable");
static_assert(field_count<PusherPolicy>() == merge_rows("PusherPolicy"), "PusherPolicy: add the field to kMergeTable and tighten()");
static_assert(field_count<AiPolicy>() == merge_rows("AiPolicy"), "AiPolicy: add the field to kMergeTable and tighten()");
static_assert(field_count<AiEscalation>() == merge_rows("AiEscalation"), "AiEscalation: add the field to kMergeTable");
static_assert(field_count<ReportSettings>() == merge_rows("ReportSettings"), "ReportSettings: add the field to kMergeTable and merge_report_settings()");
static_assert(field_count<ServerSettings>() == merge_rows("ServerSettings"),
              "ServerSettings: add the field to kMergeTable");

namespace {

using Notes = std::vector<std::string>;

void note(Notes& notes, std::string text) { notes.push_back("ignored: the repository " + std::move(text)); }

const char* action_name(PolicyAction a) {
  switch (a) {
    case PolicyAction::Off: return "off";
    case PolicyAction::Warn: return "warn";
    case PolicyAction::Block: return "block";
  }
  return "block";
}

void merge_settings(Settings& out, const Settings& floor, const Settings& repo, Notes& notes) {
  const Settings def;
  // A repository that never names a mode inherits the floor's (a server rolled out in "observe"
  // stays there until the repository itself asks for more).
  if (repo.governance.mode_explicit) {
    if (repo.mode > floor.mode) out.mode = repo.mode;
    if (repo.mode < floor.mode) note(notes, fmt::format("lowers [settings] mode to {} (the server applies {})", to_string(repo.mode), to_string(floor.mode)));
  }
  out.fail_on = std::min(floor.fail_on, repo.fail_on);
  if (repo.fail_on > floor.fail_on && repo.fail_on != def.fail_on) {
    note(notes, fmt::format("raises fail_on to {} (the server blocks from {})", to_string(repo.fail_on), to_string(floor.fail_on)));
  }
  out.max_file_size = std::max(floor.max_file_size, repo.max_file_size);
  if (repo.max_file_size < floor.max_file_size && repo.max_file_size != def.max_file_size) {
    note(notes, fmt::format("lowers max_file_size to {} bytes (the server scans up to {})", repo.max_file_size, floor.max_file_size));
  }
  out.builtin_rules = floor.builtin_rules;
  if (!repo.builtin_rules && floor.builtin_rules) note(notes, "sets builtin_rules = false (the server keeps the built-in rules)");
  out.decode_depth = std::max(floor.decode_depth, repo.decode_depth);
  if (repo.decode_depth < floor.decode_depth && repo.decode_depth != def.decode_depth) {
    note(notes, fmt::format("lowers decode_depth to {} (the server peels {})", repo.decode_depth, floor.decode_depth));
  }
  out.max_candidates = std::max(floor.max_candidates, repo.max_candidates);
  if (repo.max_candidates < floor.max_candidates && repo.max_candidates != def.max_candidates) {
    note(notes, fmt::format("lowers max_candidates to {} (the server confirms up to {})", repo.max_candidates, floor.max_candidates));
  }
  out.inline_allow = floor.inline_allow && repo.inline_allow;
  out.disabled_rules = floor.disabled_rules;
  // Disabled rules are checked against the floor's rules in merge_rules.

  auto& g = out.governance;
  const auto& fg = floor.governance;
  const auto& rg = repo.governance;
  for (std::size_t i = 0; i < g.min_mode.size(); ++i) {
    if (rg.min_mode[i] && (!fg.min_mode[i] || *rg.min_mode[i] > *fg.min_mode[i])) g.min_mode[i] = rg.min_mode[i];
    if (rg.min_mode[i] && fg.min_mode[i] && *rg.min_mode[i] < *fg.min_mode[i]) {
      note(notes, fmt::format("lowers min_mode for {} findings", to_string(static_cast<Severity>(i))));
    }
  }
  if (rg.waiver_max_days && (!fg.waiver_max_days || *rg.waiver_max_days < *fg.waiver_max_days)) g.waiver_max_days = rg.waiver_max_days;
  if (rg.waiver_max_days && fg.waiver_max_days && *rg.waiver_max_days > *fg.waiver_max_days) {
    note(notes, fmt::format("raises waiver_max_days to {} (the server allows {})", *rg.waiver_max_days, *fg.waiver_max_days));
  }
  g.waiver_reason_regexes.insert(g.waiver_reason_regexes.end(), rg.waiver_reason_regexes.begin(), rg.waiver_reason_regexes.end());
  if (rg.inline_allow_max_severity && (!fg.inline_allow_max_severity || *rg.inline_allow_max_severity < *fg.inline_allow_max_severity)) {
    g.inline_allow_max_severity = rg.inline_allow_max_severity;
  }
  if (rg.inline_allow_max_severity && fg.inline_allow_max_severity && *rg.inline_allow_max_severity > *fg.inline_allow_max_severity) {
    note(notes, fmt::format("raises inline_allow_max_severity to {}", to_string(*rg.inline_allow_max_severity)));
  }
  g.allow_skip = fg.allow_skip && rg.allow_skip;
  g.mode_explicit = fg.mode_explicit || rg.mode_explicit;
}

// The fields that decide what a rule detects: a repository cannot redefine them for a floor rule.
bool same_detection(const Rule& a, const Rule& b) {
  return a.regex == b.regex && a.secret_group == b.secret_group && a.keywords == b.keywords && a.entropy == b.entropy &&
         a.validator == b.validator && a.generic == b.generic && a.window == b.window;
}

// Each rule ends with an explicit mode: the higher of what each side would apply to it (rule,
// then family, then default), so no repository entry of any kind lowers what the floor applies.
void merge_rules(Config& out, const Config& floor, const Config& repo, Notes& notes) {
  for (const auto& d : repo.settings.disabled_rules) {
    if (std::any_of(floor.rules.begin(), floor.rules.end(), [&](const Rule& r) { return r.id == d; })) {
      note(notes, fmt::format("disables rule '{}', which the server policy enables", d));
    }
  }
  auto repo_rule = [&](const std::string& id) -> const Rule* {
    const auto it = std::find_if(repo.rules.begin(), repo.rules.end(), [&](const Rule& r) { return r.id == id; });
    return it == repo.rules.end() ? nullptr : &*it;
  };
  std::vector<std::string> families_noted;
  for (auto& rule : out.rules) {
    const Mode floor_mode = configured_mode(floor, rule);
    rule.mode = floor_mode;
    const Rule* rr = repo_rule(rule.id);
    // The repository's opinion: its rule's mode, its family's, or its [settings] mode.
    Rule probe = rr ? *rr : rule;
    if (!rr) probe.mode.reset();
    const bool rule_named = rr && rr->mode;
    const bool family_named = repo.family_modes.count(rule_family(rule.id)) > 0;
    if (rule_named || family_named || repo.settings.governance.mode_explicit) {
      const Mode repo_mode = configured_mode(repo, probe);
      if (repo_mode > floor_mode) rule.mode = repo_mode;
      // A lower [settings] mode is noted once, in merge_settings; a lower family mode once per family.
      if (repo_mode < floor_mode && rule_named) {
        note(notes, fmt::format("lowers the mode of rule '{}' to {}", rule.id, to_string(repo_mode)));
      } else if (repo_mode < floor_mode && family_named) {
        const auto fam = rule_family(rule.id);
        if (std::find(families_noted.begin(), families_noted.end(), fam) == families_noted.end()) {
          families_noted.push_back(fam);
          note(notes, fmt::format("lowers the mode of family '{}' to {}", fam, to_string(repo_mode)));
        }
      }
    }
    if (!rr) continue;
    if (rr->severity > rule.severity) rule.severity = rr->severity;
    if (rr->severity < rule.severity) {
      note(notes, fmt::format("lowers the severity of rule '{}' to {}", rule.id, to_string(rr->severity)));
    }
    if (!same_detection(rule, *rr)) {
      note(notes, fmt::format("redefines what rule '{}' matches (the server's definition applies; give the "
                              "repository's rule a new id to add it)",
                              rule.id));
    }
  }
  for (const auto& rr : repo.rules) {
    if (std::any_of(floor.rules.begin(), floor.rules.end(), [&](const Rule& r) { return r.id == rr.id; })) continue;
    // A new rule only adds detection: the repository may roll it out in any mode it names (it hides
    // nothing of the floor's, see ScanOptions::mode_rank); naming none, it gets the floor's default.
    Rule added = rr;
    Rule bare = rr;
    bare.mode.reset();
    const bool named = rr.mode || repo.family_modes.count(rule_family(rr.id)) || repo.settings.governance.mode_explicit;
    added.mode = named ? configured_mode(repo, rr) : configured_mode(floor, bare);
    added.under_floor = true;
    out.rules.push_back(std::move(added));
  }
  for (const auto& [family, mode] : repo.family_modes) {
    auto it = out.family_modes.find(family);
    const Mode floor_mode = it != out.family_modes.end() ? it->second : floor.settings.mode;
    if (mode > floor_mode) out.family_modes[family] = mode;
  }
}

void merge_signatures(SignaturePolicy& out, const SignaturePolicy& floor, const SignaturePolicy& repo, Notes& notes) {
  out.configured = floor.configured || repo.configured;
  for (const auto& g : repo.require) {
    if (std::find(out.require.begin(), out.require.end(), g) == out.require.end()) out.require.push_back(g);
  }
  out.require_tags = floor.require_tags || repo.require_tags;
  // The floor's identity rule counts only where the floor requires signatures at all.
  out.identity_must_match = floor.configured ? floor.identity_must_match || repo.identity_must_match
                                             : repo.identity_must_match;
  if (floor.configured && repo.configured && !repo.identity_must_match && floor.identity_must_match) {
    note(notes, "sets [signatures] identity_must_match = false (the signer must still be the committer)");
  }
  // Where trusted keys live: the server's choice when it makes one, else the repository's (the
  // files themselves are read from the old tip either way, never from the push).
  if (floor.configured) {
    if (repo.configured && (repo.allowed_signers != floor.allowed_signers || repo.openpgp_keys != floor.openpgp_keys ||
                            repo.x509_cas != floor.x509_cas)) {
      note(notes, "names other trusted key files in [signatures] (the server policy's apply)");
    }
  } else {
    out.allowed_signers = repo.allowed_signers;
    out.openpgp_keys = repo.openpgp_keys;
    out.x509_cas = repo.x509_cas;
  }
}

void merge_check(PathCheck& out, const PathCheck& floor, const PathCheck& repo, std::string_view id, Notes& notes) {
  if (!repo.named) return;  // the repository says nothing: the floor's stands
  out.named = true;
  if (repo.action > floor.action) {
    out.action = repo.action;
    out.reason = repo.reason;
  } else if (repo.action < floor.action) {
    note(notes, fmt::format("sets {} to action = \"{}\" (the server applies \"{}\")", id, action_name(repo.action),
                            action_name(floor.action)));
  }
}

// Signer groups: a floor group stays as the floor wrote it (a repository cannot add members to it,
// which would let more people approve, nor remove any); the repository's own groups are added. Rules
// only add requirements, so both sides' apply.
void merge_signers(SignerPolicy& out, const SignerPolicy& floor, const SignerPolicy& repo, Notes& notes) {
  for (const auto& g : repo.groups) {
    const SignerGroup* f = find_group(floor, g.name);
    if (!f) {
      out.groups.push_back(g);
    } else if (f->members != g.members) {
      note(notes, fmt::format("defines signer group '{}' with other members (the server policy's apply)", g.name));
    }
  }
  out.rules.insert(out.rules.end(), repo.rules.begin(), repo.rules.end());
}

template <class T>
void add_unique(std::vector<T>& out, const std::vector<T>& more) {
  for (const auto& x : more) {
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
}

void merge_pushers(PusherPolicy& out, const PusherPolicy& floor, const PusherPolicy& repo, Notes& notes) {
  if (!repo.configured) return;
  out.configured = true;
  add_unique(out.committer_is_pusher, repo.committer_is_pusher);
  out.require_pusher = floor.require_pusher || repo.require_pusher;
  out.allow_signed_forward = floor.allow_signed_forward && repo.allow_signed_forward;
  if (repo.allow_signed_forward && !floor.allow_signed_forward && floor.configured) {
    note(notes, "sets [pushers] allow_signed_forward = true (the server does not accept forwarded work)");
  }
  // Who is whom is identity data, like the trusted keys: the server's when it keeps any.
  if (floor.emails.empty()) {
    out.emails = repo.emails;
  } else if (!repo.emails.empty() && repo.emails != floor.emails) {
    note(notes, "maps pushers to e-mails in [pushers.emails] (the server policy's mapping applies)");
  }
  if (!floor.configured) out.where = repo.where;
  if (repo.action > floor.action || !floor.configured) {
    out.action = std::max(repo.action, floor.configured ? floor.action : PolicyAction::Off);
  }
  if (floor.configured && repo.action < floor.action) {
    note(notes, fmt::format("sets [pushers] action = \"{}\" (the server applies \"{}\")", action_name(repo.action),
                            action_name(floor.action)));
  }
}

void merge_ai(AiPolicy& out, const AiPolicy& floor, const AiPolicy& repo, Notes& notes) {
  if (!repo.configured) return;
  out.configured = true;
  add_unique(out.disclosure_trailers, repo.disclosure_trailers);
  add_unique(out.coauthor_trailers, repo.coauthor_trailers);
  add_unique(out.identities, repo.identities);
  add_unique(out.require_disclosure, repo.require_disclosure);
  out.escalate.insert(out.escalate.end(), repo.escalate.begin(), repo.escalate.end());
  if (repo.action > floor.action || !floor.configured) {
    out.action = std::max(repo.action, floor.configured ? floor.action : PolicyAction::Off);
  }
  if (floor.configured && repo.action < floor.action) {
    note(notes, fmt::format("sets [ai] action = \"{}\" (the server applies \"{}\")", action_name(repo.action),
                            action_name(floor.action)));
  }
}

bool refs_configured(const RefPolicy& p) {
  return p.branch_name || p.tag_name || !p.protected_refs.empty() ||
         std::any_of(p.added.begin(), p.added.end(), refs_configured);
}

}  // namespace

Config tighten(const Config& floor, const Config& repo, std::vector<std::string>& notes) {
  Config out = floor;
  merge_settings(out.settings, floor.settings, repo.settings, notes);
  merge_rules(out, floor, repo, notes);
  // Waivers are owned, expiring exceptions: the repository's count when they meet the floor's limits.
  for (const auto& w : repo.waivers) {
    const auto problems = waiver_policy_problems(w, out.settings.governance);
    if (problems.empty()) {
      out.waivers.push_back(w);
    } else {
      notes.push_back(fmt::format("ignored: {} of the repository: {}", w.label(), problems.front()));
    }
  }
  // Allows loosen the gate: they count only where the server policy trusts the repository's.
  if (floor.server.repo_allows) {
    out.allows.insert(out.allows.end(), repo.allows.begin(), repo.allows.end());
  } else if (!repo.allows.empty()) {
    notes.push_back(fmt::format("ignored: {} [[allow]] entr{} of the repository (server.repo_allows = false)",
                                repo.allows.size(), repo.allows.size() == 1 ? "y" : "ies"));
  }
  merge_signatures(out.signatures, floor.signatures, repo.signatures, notes);
  merge_signers(out.signers, floor.signers, repo.signers, notes);
  out.files.rules.insert(out.files.rules.end(), repo.files.rules.begin(), repo.files.rules.end());
  merge_check(out.files.case_collision, floor.files.case_collision, repo.files.case_collision, kCaseCollisionId, notes);
  merge_check(out.files.unsafe_name, floor.files.unsafe_name, repo.files.unsafe_name, kUnsafeNameId, notes);
  merge_check(out.files.path_traversal, floor.files.path_traversal, repo.files.path_traversal, kPathTraversalId, notes);
  merge_pushers(out.pushers, floor.pushers, repo.pushers, notes);
  merge_ai(out.ai, floor.ai, repo.ai, notes);
  if (repo.messages.configured()) out.messages.added.push_back(repo.messages);
  if (refs_configured(repo.refs)) out.refs.added.push_back(repo.refs);
  if (repo.server.configured) {
    note(notes, "has a [server] section (only the server's own policy file sets it; its min_mode still raises the floor)");
  }
  merge_report_settings(out.report, floor.report, repo.report, notes);
  out.hash = floor.hash + "+" + repo.hash;
  return out;
}

}  // namespace vigil
