#include "detectors/gates/name_scan.h"

#include <algorithm>
#include <set>

#include "detectors/policy/policy.h"
#include "detectors/util/text.h"

namespace vigil {

namespace {

// Only what a rule found: a name that merely looks random (a content hash) stays readable.
std::string mask_spans(std::string_view text, const std::vector<Match>& matches) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& m : matches) {
    if (m.secret_begin < m.secret_end && m.secret_end <= text.size()) spans.emplace_back(m.secret_begin, m.secret_end);
  }
  return redact_spans(text, std::move(spans), false);
}

ScanOptions name_scan_options(const Engine& engine) {
  ScanOptions opts;
  opts.decode_depth = engine.config.settings.decode_depth;
  return opts;
}

}  // namespace

Result<void> scan_names(const Engine& engine, const std::vector<JudgedName>& names, std::vector<Finding>& out) {
  if (names.empty()) return {};
  auto scratch = engine.scanner.make_scratch();
  if (!scratch) return scratch.error();
  const auto opts = name_scan_options(engine);
  const auto& rules = engine.scanner.rules();
  std::set<std::pair<std::string, bool>> seen;
  std::vector<Match> matches;
  for (const auto& n : names) {
    if (!seen.emplace(n.name, n.is_ref).second) continue;  // a name is judged once per change set
    matches.clear();
    if (auto r = engine.scanner.scan(n.name, *scratch, matches, opts); !r) return r.error();
    if (matches.empty()) continue;
    const std::string masked = mask_spans(n.name, matches);
    for (const auto& m : matches) {
      const Rule& rule = rules[m.rule];
      Finding f;
      f.rule_id = rule.id;
      f.rule_name = rule.name.empty() ? rule.id : rule.name;
      f.severity = rule.severity;
      f.confidence = rule.confidence;
      f.tags = rule.tags;
      f.path = masked;
      f.commit = n.commit;
      f.redacted = redact(m.secret);
      f.excerpt = std::string(n.is_ref ? "in the ref name " : "in the file name ") + masked;
      f.fingerprint = fingerprint(rule.id, m.secret);
      f.encoding = m.encoding;
      decide(engine.config, rule, m.secret, {}, f);
      out.push_back(std::move(f));
    }
  }
  return {};
}

Result<NameMasker> NameMasker::create(const Engine& engine) {
  auto scratch = engine.scanner.make_scratch();
  if (!scratch) return scratch.error();
  return NameMasker(engine, std::move(*scratch));
}

Result<std::string> NameMasker::mask(const std::string& name) {
  if (name.empty()) return name;
  if (const auto it = cache_.find(name); it != cache_.end()) return it->second;
  matches_.clear();
  if (auto r = engine_->scanner.scan(name, scratch_, matches_, name_scan_options(*engine_)); !r) return r.error();
  auto masked = matches_.empty() ? name : mask_spans(name, matches_);
  cache_.emplace(name, masked);
  return masked;
}

Result<void> mask_names(const Engine& engine, std::vector<Finding>& findings, std::vector<Skip>& skips) {
  if (findings.empty() && skips.empty()) return {};
  auto masker = NameMasker::create(engine);
  if (!masker) return masker.error();
  for (auto& f : findings) {
    auto m = masker->mask(f.path);
    if (!m) return m.error();
    f.path = std::move(*m);
  }
  for (auto& s : skips) {
    auto m = masker->mask(s.path);
    if (!m) return m.error();
    s.path = std::move(*m);
  }
  return {};
}

}  // namespace vigil
