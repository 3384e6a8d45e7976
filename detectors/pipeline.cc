#include "detectors/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "detectors/policy/policy.h"
#include "detectors/util/text.h"
#include "detectors/util/wide_text.h"

namespace vigil {

Result<Engine> Engine::create(Config config, CompileStats* stats) {
  CacheOptions cache;
  cache.dir = default_cache_dir();
  std::vector<std::uint8_t> rank;
  rank.reserve(config.rules.size());
  for (const auto& r : config.rules) {
    const auto d = mode_disposition(config, r);
    rank.push_back(d == Disposition::Block ? 2 : d == Disposition::Warn ? 1
                                                                        : 0);
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
/// The excerpt of `line`, given the spans (offsets in the line) of every secret on it.
std::string excerpt(std::string_view line, std::vector<std::pair<std::size_t, std::size_t>> spans) {
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

/// The added line ranges, sorted by first line, with the running maximum of their last lines:
/// whether [first, last] touches one is a binary search (a file with 100,000 added ranges and
/// 20,000 findings took 2 billion comparisons).
class AddedLines {
 public:
  explicit AddedLines(std::vector<std::pair<std::size_t, std::size_t>> ranges) {
    std::sort(ranges.begin(), ranges.end());
    for (const auto& [f, l] : ranges) {
      first_.push_back(f);
      max_last_.push_back(std::max(l, max_last_.empty() ? 0 : max_last_.back()));
    }
  }
  bool touches(std::size_t first, std::size_t last) const {
    const auto n = static_cast<std::size_t>(std::upper_bound(first_.begin(), first_.end(), last) - first_.begin());
    return n > 0 && max_last_[n - 1] >= first;
  }

 private:
  std::vector<std::size_t> first_, max_last_;
};

/// Line numbers of offsets visited in increasing order, counted once: positions of 20,000
/// findings in a 4.8 MB file were counted from the start of the buffer for each (minutes).
class LineCursor {
 public:
  explicit LineCursor(std::string_view bytes) : b_(bytes) {}
  /// Moves to `offset` (never backwards).
  void advance(std::size_t offset) {
    offset = std::min(offset, b_.size());
    while (pos_ < offset) {
      const void* nl = std::memchr(b_.data() + pos_, '\n', offset - pos_);
      if (!nl) {
        pos_ = offset;
        break;
      }
      pos_ = static_cast<std::size_t>(static_cast<const char*>(nl) - b_.data()) + 1;
      ++line_;
      line_start_ = pos_;
    }
  }
  std::size_t line() const { return line_; }              // 1-based line of the current offset
  std::size_t line_start() const { return line_start_; }  // offset of that line's first byte

 private:
  std::string_view b_;
  std::size_t pos_ = 0, line_ = 1, line_start_ = 0;
};

// An inline allow is parsed from the line's text from its marker on, at most this long: the
// reason is free text, and parsing the rest of a 5 MB line for each finding on it was quadratic.
constexpr std::size_t kAllowTextMax = 4096;

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

std::string redact_spans(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>> spans,
                         bool random_runs) {
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
  if (random_runs) mask_random_runs(out);
  return out;
}

Result<void> ScanSession::scan_buffer(std::string_view bytes, const BufferContext& ctx,
                                      std::vector<Finding>& findings, std::vector<Skip>& skips) {
  const auto& cfg = engine_->config;
  if (bytes.size() > cfg.settings.max_file_size) {
    skips.push_back(oversize_skip(ctx.path, ctx.commit, cfg.settings.max_file_size, bytes.size()));
    return {};
  }
  // UTF-16/32 text is scanned as UTF-8: its lines are the same lines, so line numbers, added
  // lines (diffed on the transcoded text too) and inline allows carry over.
  const auto wide = detect_wide_text(bytes);
  if (wide != WideEncoding::None) {
    wide_text_ = wide_to_utf8(bytes, wide);
    bytes = wide_text_;
  } else if (looks_binary(bytes)) {
    skips.push_back({ctx.path, ctx.commit, "binary (NUL byte in the first 8000 bytes)"});
    return {};
  }
  if (ctx.only_added_lines && ctx.added_lines.empty()) return {};
  matches_.clear();
  ScanOptions opts;
  opts.generic = !is_lockfile(ctx.path);
  opts.decode_depth = cfg.settings.decode_depth;
  opts.max_candidates = static_cast<std::size_t>(cfg.settings.max_candidates);
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
  add_limit_skips(limits, ctx, cfg, skips);
  const std::size_t first_new = findings.size();
  append_findings(bytes, ctx, findings);
  if (wide != WideEncoding::None) {
    // The report says the file was read as wide text ("utf-16le", "utf-16le>base64").
    const std::string name = wide_encoding_name(wide);
    for (std::size_t i = first_new; i < findings.size(); ++i) {
      auto& e = findings[i].encoding;
      e = e.empty() ? name : name + ">" + e;
    }
  }
  if (wide_text_.capacity() > (std::size_t{1} << 20)) std::string().swap(wide_text_);
  return {};
}

void ScanSession::add_limit_skips(const ScanLimits& limits, const BufferContext& ctx, const Config& cfg,
                                  std::vector<Skip>& skips) const {
  // What a bound kept from being confirmed may be a secret: a named skip, which the gates treat
  // as not judged (fail closed), never a silent pass.
  if (limits.confirm_limit_hits + limits.abandoned > 0) {
    const auto n = limits.confirm_limit_hits + limits.abandoned;
    skips.push_back({ctx.path, ctx.commit,
                     fmt::format("confirm limit hit: rule '{}' backtracks too much; {} candidate{} not confirmed "
                                 "(PCRE2 match/stack limit) — simplify the rule's regex",
                                 limits.first_rule, n, n == 1 ? "" : "s"),
                     "confirm_limit"});
  }
  if (limits.window_misses > 0) {
    skips.push_back({ctx.path, ctx.commit,
                     fmt::format("match longer than the confirmation window: rule '{}' (window {} bytes); {} "
                                 "candidate{} not confirmed — raise the rule's window (at most 65536)",
                                 limits.window_rule, limits.window, limits.window_misses,
                                 limits.window_misses == 1 ? "" : "s"),
                     "window"});
  }
  if (limits.hits_truncated) {
    skips.push_back({ctx.path, ctx.commit,
                     fmt::format("too many candidates: only the first {} were confirmed, the rest of the file was "
                                 "not — raise [settings] max_candidates",
                                 cfg.settings.max_candidates),
                     "max_candidates"});
  }
  if (limits.depth_exhausted) {
    skips.push_back({ctx.path, ctx.commit,
                     fmt::format("encoded content nested deeper than decode_depth {} was not decoded — raise "
                                 "[settings] decode_depth (at most 4)",
                                 cfg.settings.decode_depth),
                     "decode_depth"});
  }
}

void ScanSession::append_findings(std::string_view bytes, const BufferContext& ctx, std::vector<Finding>& findings) {
  const auto& cfg = engine_->config;
  const auto& rules = engine_->scanner.rules();
  auto by_begin = [](const Match& a, const Match& b) { return a.secret_begin < b.secret_begin; };
  // Each region's matches are in offset order and the regions are too; sort only if not.
  if (!std::is_sorted(matches_.begin(), matches_.end(), by_begin)) {
    std::stable_sort(matches_.begin(), matches_.end(), by_begin);
  }
  // Every cost below is linear in the buffer and in the matches: one pass over the lines.
  std::vector<std::size_t> last_line;  // per match, the line of its last byte (only added lines count)
  std::optional<AddedLines> added;
  if (ctx.only_added_lines) {
    added.emplace(ctx.added_lines);
    std::vector<std::pair<std::size_t, std::size_t>> ends;
    ends.reserve(matches_.size());
    for (std::size_t i = 0; i < matches_.size(); ++i) {
      const auto& m = matches_[i];
      ends.emplace_back(m.secret_end > m.secret_begin ? m.secret_end - 1 : m.secret_begin, i);
    }
    std::sort(ends.begin(), ends.end());
    last_line.resize(matches_.size());
    LineCursor at_end(bytes);
    for (const auto& [off, i] : ends) {
      at_end.advance(off);
      last_line[i] = at_end.line();
    }
  }
  LineCursor cursor(bytes);
  std::size_t line_begin = std::string_view::npos;  // the line whose excerpt is cached
  std::string line_excerpt;
  std::string_view allow_text;
  std::vector<std::size_t> open;  // matches already passed that may reach the cached line
  std::size_t passed = 0;
  for (std::size_t i = 0; i < matches_.size(); ++i) {
    const auto& m = matches_[i];
    cursor.advance(m.secret_begin);
    if (added && !added->touches(cursor.line(), last_line[i])) continue;
    const std::size_t lb = cursor.line_start();
    if (lb != line_begin) {
      // A new line: its text, the spans of every secret on it (masked in the excerpt), and its
      // inline allow, once for all the findings on it.
      line_begin = lb;
      const auto line = line_at(bytes, m.secret_begin);
      const std::size_t le = lb + line.size();
      for (; passed < i; ++passed) open.push_back(passed);
      open.erase(std::remove_if(open.begin(), open.end(), [&](std::size_t j) { return matches_[j].secret_end <= lb; }),
                 open.end());
      std::vector<std::pair<std::size_t, std::size_t>> spans;
      auto add_span = [&](const Match& x) {
        const std::size_t b = std::max(x.secret_begin, lb), e = std::min(x.secret_end, le);
        if (b < e) spans.emplace_back(b - lb, e - lb);
      };
      for (const std::size_t j : open) add_span(matches_[j]);
      for (std::size_t j = i; j < matches_.size() && matches_[j].secret_begin < le; ++j) add_span(matches_[j]);
      line_excerpt = excerpt(line, std::move(spans));
      const auto marker = line.find("vigil:allow");
      allow_text = marker == std::string_view::npos ? std::string_view{} : line.substr(marker, kAllowTextMax);
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
    f.line = cursor.line();
    f.column = m.secret_begin - lb + 1;
    f.commit = ctx.commit;
    f.author = ctx.author;
    f.date = ctx.date;
    f.blob = ctx.blob;
    f.redacted = redact(m.secret);
    f.excerpt = line_excerpt;
    f.fingerprint = fingerprint(rule.id, m.secret);
    f.encoding = m.encoding;
    decide(cfg, rule, m.secret, allow_text, f, &rules);
    findings.push_back(std::move(f));
  }
}

Skip oversize_skip(std::string path, std::string commit, std::uint64_t max_file_size, std::uint64_t size) {
  return {std::move(path), std::move(commit),
          fmt::format("larger than max_file_size {} ({}) — not scanned; raise [settings] max_file_size to scan it",
                      human_size(max_file_size), human_size(size)),
          "max_file_size"};
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
