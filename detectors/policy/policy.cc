#include "detectors/policy/policy.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "detectors/util/glob.h"
#include "detectors/util/text.h"

namespace vigil {

InlineAllow parse_inline_allow(std::string_view line, const Config& config) {
  return parse_inline_allow(line, config.rules);
}

InlineAllow parse_inline_allow(std::string_view line, const std::vector<Rule>& rules) {
  InlineAllow a;
  const auto pos = line.find("vigil:allow");
  if (pos == std::string_view::npos) return a;
  a.present = true;
  std::string_view rest = line.substr(pos + 11);
  // Leading words that name known rules scope the allow; the remainder is the reason.
  while (true) {
    rest = trim(rest);
    const auto sp = rest.find_first_of(" \t,");
    const auto word = rest.substr(0, sp);
    if (word.empty()) break;
    const bool known = std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.id == word; });
    if (!known) {
      // "github.pta": a typo of a rule id must not turn into "allow every rule".
      const auto family = rule_family(word);
      if (word.find('.') != std::string_view::npos && valid_rule_id(word) &&
          std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return rule_family(r.id) == family; })) {
        a.unknown_rule = std::string(word);
      }
      break;
    }
    a.rules.emplace_back(word);
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
  }
  // An optional kind after the rule ids: `vigil:allow github.pat false-positive test fixture`.
  {
    rest = trim(rest);
    const auto sp = rest.find_first_of(" \t,:");
    const auto word = rest.substr(0, sp);
    if (valid_exception_kind(word)) {
      a.kind = std::string(word);
      rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    }
  }
  std::string reason(trim(rest));
  // Drop a closing comment marker such as "*/" or "-->".
  for (std::string_view tail : {"*/", "-->", "#}", "%>"}) {
    if (reason.size() >= tail.size() && reason.compare(reason.size() - tail.size(), tail.size(), tail) == 0) {
      reason = std::string(trim(reason.substr(0, reason.size() - tail.size())));
    }
  }
  // Allow "vigil:allow -- reason" and "vigil:allow: reason".
  const auto text_start = reason.find_first_not_of("-: ");
  reason = text_start == std::string::npos ? std::string() : reason.substr(text_start);
  a.reason = reason;
  return a;
}

Mode configured_mode(const Config& config, const Rule& rule) {
  if (rule.mode) return *rule.mode;
  if (!config.family_modes.empty()) {
    const auto it = config.family_modes.find(rule_family(rule.id));
    if (it != config.family_modes.end()) return it->second;
  }
  return config.settings.mode;
}

Mode effective_mode(const Config& config, const Rule& rule) {
  return std::max(configured_mode(config, rule), config.settings.governance.min_mode_for(rule.severity));
}

Disposition mode_disposition(const Config& config, const Rule& rule) {
  switch (effective_mode(config, rule)) {
    case Mode::Observe: return Disposition::Observe;
    case Mode::Warn: return Disposition::Warn;
    case Mode::Enforce:
      if (config.settings.governance.min_mode_for(rule.severity) == Mode::Enforce) return Disposition::Block;
      return rule.severity >= config.settings.fail_on ? Disposition::Block : Disposition::Warn;
  }
  return Disposition::Block;
}

void decide(const Config& config, const Rule& rule, std::string_view secret, std::string_view line,
            Finding& finding, const std::vector<Rule>* known_rules) {
  decide(config, rule, secret, line, finding, today(), known_rules);
}

void decide(const Config& config, const Rule& rule, std::string_view secret, std::string_view line,
            Finding& finding, Date today, const std::vector<Rule>* known_rules) {
  std::string refused;  // why an exception that names this finding does not apply
  if (config.settings.inline_allow) {
    const auto ia = parse_inline_allow(line, known_rules ? *known_rules : config.rules);
    if (ia.present && (ia.rules.empty() || std::find(ia.rules.begin(), ia.rules.end(), rule.id) != ia.rules.end())) {
      const auto& max = config.settings.governance.inline_allow_max_severity;
      if (!ia.unknown_rule.empty()) {
        refused = fmt::format("vigil:allow not honoured: it names '{}', which is no rule (write vigil:allow {} <reason>)",
                              ia.unknown_rule, rule.id);
      } else if (ia.reason.empty()) {
        refused = fmt::format("vigil:allow not honoured: it gives no reason (write vigil:allow {} <reason>)", rule.id);
      } else if (max && rule.severity > *max) {
        refused = fmt::format("vigil:allow not honoured: the policy forbids inline allows for {} findings "
                              "(inline_allow_max_severity = {}); ask for a [[waivers]] entry",
                              to_string(rule.severity), to_string(*max));
      } else if (config.settings.governance.min_mode_for(rule.severity) == Mode::Enforce) {
        // min_mode = { critical = "enforce" } means such a finding blocks: only an owned,
        // expiring waiver (or a reviewed [[allow]] entry) lets it through, not a comment in the change.
        refused = fmt::format("vigil:allow not honoured: min_mode enforces {} findings; ask for a [[waivers]] entry",
                              to_string(rule.severity));
      } else {
        finding.disposition = Disposition::Allowed;
        finding.note = "vigil:allow: " + ia.reason;
        finding.kind = ia.kind;
        return;
      }
    }
  }
  std::string lowered(secret);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& a : config.allows) {
    if (!a.rules.empty() && std::find(a.rules.begin(), a.rules.end(), rule.id) == a.rules.end()) continue;
    if (!a.paths.empty() && std::none_of(a.paths.begin(), a.paths.end(),
                                         [&](const std::string& g) { return glob_match(g, finding.path); })) {
      continue;
    }
    if (!a.regexes.empty() && std::none_of(a.regexes.begin(), a.regexes.end(),
                                           [&](const Regex& re) { return re.search(secret); })) {
      continue;
    }
    if (!a.stopwords.empty() && std::none_of(a.stopwords.begin(), a.stopwords.end(), [&](const std::string& w) {
          return lowered.find(w) != std::string::npos;
        })) {
      continue;
    }
    finding.disposition = Disposition::Allowed;
    finding.note = "allowed by " + a.where + ": " + a.reason;
    return;
  }
  bool expired = false;
  if (const Waiver* w = find_waiver(config.waivers, finding, today, expired)) {
    if (!expired) {
      finding.disposition = Disposition::Waived;
      finding.note = fmt::format("waived by {} (owner {}, expires {}): {}", w->label(), w->owner,
                                 to_string(w->expires), w->reason);
      finding.kind = w->kind;
      return;
    }
    refused = fmt::format("{} (owner {}) expired on {} — renew it or fix the finding", w->label(), w->owner,
                          to_string(w->expires));
  }
  finding.disposition = mode_disposition(config, rule);
  if (finding.disposition == Disposition::Warn && effective_mode(config, rule) == Mode::Enforce) {
    finding.note = std::string("below fail_on = ") + to_string(config.settings.fail_on);
  }
  if (!refused.empty()) finding.note = finding.note.empty() ? refused : refused + "; " + finding.note;
}

}  // namespace vigil
