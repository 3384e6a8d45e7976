#include "detectors/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "detectors/policy/policy.h"
#include "detectors/util/text.h"

namespace vigil {

Result<Engine> Engine::create(Config config, CompileStats* stats) {
  CacheOptions cache;
  cache.dir = default_cache_dir();
  std::vector<std::uint8_t> rank;
  rank.reserve(config.rules.size());
  for (const auto& r : config.rules) {
    const auto d = mode_disposition(config, r);
    rank.push_back(d == Disposition::Block ? 2 : d == Disposition::Warn ? 1 : 0);
  }
  // The scanner keeps the rules (engine.scanner.rules()); moving them saves a copy of the pack.
  auto scanner = Scanner::compile(std::move(config.rules), cache, stats);
  config.rules.clear();
  if (!scanner) return scanner.error();
  Engine e{std::move(config), std::move(*scanner), {}, std::move(rank)};
  e.version = rules_version(e.config);
  return e;
}

Result<ScanSession> ScanSession::create(const Engine& engine) {
  auto scratch = engine.scanner.make_scratch();
  if (!scratch) return scratch.error();
  return ScanSession(engine, std::move(*scratch));
}

bool is_lockfile(std::string_view path) {
  const auto slash = path.rfind('/');
  const auto base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  static const std::vector<std::string_view> kLocks = {
      "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum", "poetry.lock",
      "Pipfile.lock", "composer.lock", "Gemfile.lock", "gradle.lockfile", "packages.lock.json",
      "flake.lock", "mix.lock", "pubspec.lock", "Podfile.lock", "uv.lock", "bun.lock", "SHA256SUMS",
      "MD5SUMS", "sha256sums.txt", "checksums.txt", "npm-shrinkwrap.json"};
  return std::find(kLocks.begin(), kLocks.end(), base) != kLocks.end();
}

namespace {

constexpr std::size_t kExcerptMax = 160;

// Runs of key-material characters (base64, base64url) this long and this random are masked in
// excerpts even where no rule matched them: a secret's capture group can cover only part of it
// (a PEM body in a one-line JSON string goes on past the first 64 characters the rule takes).
// Hex ids (commit hashes, at most 4 bits/char) and paths stay readable.
constexpr std::size_t kMaskRunMin = 32;
constexpr double kMaskRunEntropy = 4.3;

bool key_material_char(unsigned char c) {
  return std::isalnum(c) || c == '+' || c == '/' || c == '_' || c == '-';
}

void mask_random_runs(std::string& s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!key_material_char(static_cast<unsigned char>(s[i]))) {
      out += s[i++];
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && key_material_char(static_cast<unsigned char>(s[j]))) ++j;
    const std::string_view run(s.data() + i, j - i);
    out += run.size() >= kMaskRunMin && shannon_entropy(run) >= kMaskRunEntropy ? redact(run) : std::string(run);
    i = j;
  }
  s = std::move(out);
}

// The line holding `at`, with every match span on it masked, cut to a readable width.
/// `text` with each span (byte offsets; overlaps allowed) redacted, and long random runs masked.
std::string redact_spans(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>> spans) {
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t pos = 0;
  for (const auto& [b, e] : spans) {
    if (e <= pos) continue;
    const std::size_t s = std::max(b, pos);
    out.append(text.substr(pos, s - pos));
    out += redact(text.substr(s, e - s));
    pos = e;
  }
  out.append(text.substr(std::min(pos, text.size())));
  mask_random_runs(out);
  return out;
}

std::string excerpt(std::string_view bytes, std::size_t at, const std::vector<Match>& all) {
  const auto line = line_at(bytes, at);
  const std::size_t lb = static_cast<std::size_t>(line.data() - bytes.data());
  const std::size_t le = lb + line.size();
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& m : all) {
    const std::size_t b = std::max(m.secret_begin, lb), e = std::min(m.secret_end, le);
    if (b < e) spans.emplace_back(b - lb, e - lb);
  }
  std::string out = redact_spans(line, std::move(spans));
  // Replace control characters so a terminal shows one clean line.
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  const auto t = trim(out);
  std::string result(t);
  if (result.size() > kExcerptMax) {
    result.resize(kExcerptMax);
    // Do not cut a UTF-8 sequence in half.
    while (!result.empty() && (static_cast<unsigned char>(result.back()) & 0xC0) == 0x80) result.pop_back();
    if (!result.empty() && static_cast<unsigned char>(result.back()) >= 0xC0) result.pop_back();
    result += "\xE2\x80\xA6";
  }
  return result;
}

bool touches_added(const BufferContext& ctx, std::size_t first, std::size_t last) {
  return std::any_of(ctx.added_lines.begin(), ctx.added_lines.end(),
                     [&](const auto& r) { return r.first <= last && first <= r.second; });
}

/// Byte ranges of `bytes` to scan: all of it, or, when only added lines count and they are a
/// small part of the file, each run of added lines widened by the longest match a rule confirms
/// (so a key whose header sits on an unchanged line is still whole), merged where they overlap.
std::vector<std::pair<std::size_t, std::size_t>> scan_regions(std::string_view bytes, const BufferContext& ctx) {
  constexpr std::size_t kMargin = 4096;
  std::vector<std::pair<std::size_t, std::size_t>> all{{0, bytes.size()}};
  if (!ctx.only_added_lines || bytes.size() < 8 * kMargin) return all;
  std::vector<std::size_t> line_start{0};  // offsets of line starts, up to the last added line
  std::size_t last_line = 0;
  for (const auto& r : ctx.added_lines) last_line = std::max(last_line, r.second);
  for (std::size_t i = 0; i < bytes.size() && line_start.size() <= last_line; ++i) {
    if (bytes[i] == '\n') line_start.push_back(i + 1);
  }
  auto offset_of = [&](std::size_t line) {  // 1-based line -> offset of its first byte
    return line >= 1 && line - 1 < line_start.size() ? line_start[line - 1] : bytes.size();
  };
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t covered = 0;
  auto sorted = ctx.added_lines;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [first, last] : sorted) {
    const std::size_t b = offset_of(first) > kMargin ? offset_of(first) - kMargin : 0;
    const std::size_t e = std::min(bytes.size(), offset_of(last + 1) + kMargin);
    if (!out.empty() && b <= out.back().second) {
      out.back().second = std::max(out.back().second, e);
    } else {
      out.emplace_back(b, e);
    }
  }
  for (const auto& [b, e] : out) covered += e - b;
  return covered * 2 > bytes.size() ? all : out;
}

/// True when a generic match is a fingerprint vigil printed ("stripe.secret-key:3f9a…", 24 hex
/// digits after a rule id and ':'), as [[waivers]] entries and baseline files quote them: the
/// hash of a secret, not one. Provider rules still judge the same bytes.
bool quotes_fingerprint(std::string_view bytes, const Match& m) {
  constexpr std::size_t kHexDigits = 24;  // fingerprint() keeps this many
  if (!m.encoding.empty() || m.secret_end - m.secret_begin != kHexDigits || m.secret_begin < 2 ||
      m.secret_end > bytes.size() || bytes[m.secret_begin - 1] != ':') {
    return false;
  }
  const auto hex = bytes.substr(m.secret_begin, kHexDigits);
  if (!std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return false;
  }
  std::size_t b = m.secret_begin - 1;
  while (b > 0 && (std::islower(static_cast<unsigned char>(bytes[b - 1])) || std::isdigit(static_cast<unsigned char>(bytes[b - 1])) ||
                   bytes[b - 1] == '.' || bytes[b - 1] == '-')) {
    --b;
  }
  const auto id = bytes.substr(b, m.secret_begin - 1 - b);
  return id.find('.') != std::string_view::npos && valid_rule_id(id);
}

}  // namespace

Result<void> ScanSession::scan_buffer(std::string_view bytes, const BufferContext& ctx,
                                      std::vector<Finding>& findings, std::vector<Skip>& skips) {
  const auto& cfg = engine_->config;
  if (bytes.size() > cfg.settings.max_file_size) {
    skips.push_back({ctx.path, ctx.commit,
                     fmt::format("larger than max_file_size {} ({})", human_size(cfg.settings.max_file_size),
                                 human_size(bytes.size()))});
    return {};
  }
  if (looks_binary(bytes)) {
    skips.push_back({ctx.path, ctx.commit, "binary (NUL byte in the first 8000 bytes)"});
    return {};
  }
  if (ctx.only_added_lines && ctx.added_lines.empty()) return {};
  matches_.clear();
  ScanOptions opts;
  opts.generic = !is_lockfile(ctx.path);
  opts.decode_depth = cfg.settings.decode_depth;
  opts.mode_rank = &engine_->mode_rank;
  ScanLimits limits;
  opts.limits = &limits;
  // Only added lines count, so only they (and enough bytes around them for a match that starts
  // or ends on an unchanged line) are scanned: a one-line change to a 10 MB file costs a line.
  for (const auto& [b, e] : scan_regions(bytes, ctx)) {
    const std::size_t before = matches_.size();
    auto r = engine_->scanner.scan(bytes.substr(b, e - b), scratch_, matches_, opts);
    if (!r) return r.error();
    for (std::size_t i = before; i < matches_.size(); ++i) {
      auto& m = matches_[i];
      m.begin += b;
      m.end += b;
      m.secret_begin += b;
      m.secret_end += b;
    }
  }
  // A candidate the confirmation gave up on may be a secret: say so, never pass it silently.
  if (limits.confirm_limit_hits + limits.abandoned > 0) {
    skips.push_back({ctx.path, ctx.commit,
                     fmt::format("confirm limit hit: rule '{}' backtracks too much; {} candidate{} not confirmed "
                                 "(PCRE2 match/stack limit) — simplify the rule's regex",
                                 limits.first_rule, limits.confirm_limit_hits + limits.abandoned,
                                 limits.confirm_limit_hits + limits.abandoned == 1 ? "" : "s")});
  }
  if (limits.hits_truncated) {
    skips.push_back({ctx.path, ctx.commit, fmt::format("too many candidates: only the first {} were confirmed, the rest "
                                                       "of the file was not", kMaxCandidatesPerScan)});
  }
  const auto& rules = engine_->scanner.rules();
  for (const auto& m : matches_) {
    const auto lc = line_col(bytes, m.secret_begin);
    if (ctx.only_added_lines) {
      const auto last = line_col(bytes, m.secret_end > m.secret_begin ? m.secret_end - 1 : m.secret_begin).line;
      if (!touches_added(ctx, lc.line, last)) continue;
    }
    const Rule& rule = rules[m.rule];
    if (rule.generic && quotes_fingerprint(bytes, m)) continue;
    Finding f;
    f.rule_id = rule.id;
    f.rule_name = rule.name.empty() ? rule.id : rule.name;
    f.severity = rule.severity;
    f.confidence = rule.confidence;
    f.tags = rule.tags;
    f.path = ctx.path;
    f.line = lc.line;
    f.column = lc.column;
    f.commit = ctx.commit;
    f.author = ctx.author;
    f.date = ctx.date;
    f.blob = ctx.blob;
    f.redacted = redact(m.secret);
    f.excerpt = excerpt(bytes, m.secret_begin, matches_);
    f.fingerprint = fingerprint(rule.id, m.secret);
    f.encoding = m.encoding;
    decide(cfg, rule, m.secret, line_at(bytes, m.secret_begin), f, &rules);
    findings.push_back(std::move(f));
  }
  return {};
}

Result<std::string> ScanSession::mask_secrets(std::string_view text) {
  matches_.clear();
  ScanOptions opts;
  opts.decode_depth = engine_->config.settings.decode_depth;
  auto r = engine_->scanner.scan(text, scratch_, matches_, opts);
  if (!r) return r.error();
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& m : matches_) {
    if (m.secret_begin < m.secret_end && m.secret_end <= text.size()) spans.emplace_back(m.secret_begin, m.secret_end);
  }
  return redact_spans(text, std::move(spans));
}

Result<void> mask_quoted_input(const Engine& engine, std::vector<Finding>& findings) {
  if (std::all_of(findings.begin(), findings.end(), [](const Finding& f) { return !f.redacted.empty() || f.excerpt.empty(); })) {
    return {};
  }
  auto session = ScanSession::create(engine);
  if (!session) return session.error();
  for (auto& f : findings) {
    if (!f.redacted.empty() || f.excerpt.empty()) continue;  // a secret finding's excerpt is masked already
    auto masked = session->mask_secrets(f.excerpt);
    if (!masked) return masked.error();
    f.excerpt = std::move(*masked);
  }
  return {};
}

}  // namespace vigil
