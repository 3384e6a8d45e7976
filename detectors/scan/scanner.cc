#include "detectors/util/c_free.h"
#include "detectors/scan/scanner.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <hs.h>
#include <pcre2.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include "detectors/scan/db_cache.h"
#include "detectors/scan/decoder.h"
#include "detectors/scan/joined_view.h"
#include "detectors/scan/filters.h"
#include "detectors/util/cache_file.h"
#include "detectors/util/hash.h"
#include "detectors/util/trace.h"

namespace vigil {

namespace {

using HsDbPtr = std::unique_ptr<hs_database_t, CFree<hs_free_database>>;
using HsScratchPtr = std::unique_ptr<hs_scratch_t, CFree<hs_free_scratch>>;
using HsCompileErrorPtr = std::unique_ptr<hs_compile_error_t, CFree<hs_free_compile_error>>;
using Pcre2CodePtr = std::unique_ptr<pcre2_code, CFree<pcre2_code_free>>;
using Pcre2MatchDataPtr = std::unique_ptr<pcre2_match_data, CFree<pcre2_match_data_free>>;
using Pcre2MatchContextPtr = std::unique_ptr<pcre2_match_context, CFree<pcre2_match_context_free>>;
using Pcre2JitStackPtr = std::unique_ptr<pcre2_jit_stack, CFree<pcre2_jit_stack_free>>;

// Bounds that keep any rule from taking super-linear time on hostile input. The JIT honours the
// match limit and its own stack (kJitStackMax); the interpreter (used when JIT compilation fails)
// honours the match, depth and heap limits.
constexpr uint32_t kPcreMatchLimit = 200000;
constexpr uint32_t kPcreDepthLimit = 5000;
constexpr uint32_t kPcreHeapLimitKib = 64 * 1024;
constexpr std::size_t kJitStackMax = 512 * 1024;
// A rule whose confirmation hit a limit this many times in one buffer is not confirmed again in
// that buffer: every later candidate would cost the full match limit (a 5 MB file of candidates
// for a backtracking rule took minutes). The candidates are counted and reported instead.
constexpr uint32_t kMaxLimitHitsPerRule = 8;
// A run of hits for one rule at consecutive offsets is confirmed at its last offset only, and a
// buffer with more raw hits than ScanOptions::max_candidates is confirmed only up to that cap
// (reported as truncated).
constexpr unsigned kHsFlags = HS_FLAG_MULTILINE;
constexpr uint32_t kPcreFlags = PCRE2_MULTILINE;

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  pcre2_get_error_message(code, buf, sizeof buf);
  return reinterpret_cast<const char*>(buf);
}

struct LazyPattern {
  std::once_flag once;
  Pcre2CodePtr code;
  std::string error;
};

struct Hit {
  uint32_t rule;
  uint32_t run_begin;  // first end offset of a run of consecutive end offsets
  uint64_t end;
};

}  // namespace

struct ScannerImpl {
  std::vector<Rule> rules;
  HsDb db;
  std::unique_ptr<LazyPattern[]> patterns;
  std::string hash;

  const LazyPattern& pattern(std::size_t i) const {
    auto& p = patterns[i];
    std::call_once(p.once, [&] {
      const std::string wrapped = "(?:" + rules[i].regex + ")\\z";
      int err = 0;
      PCRE2_SIZE off = 0;
      p.code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(wrapped.data()), wrapped.size(),
                                 kPcreFlags, &err, &off, nullptr));
      if (!p.code) {
        const auto user_off = off >= 3 ? off - 3 : 0;
        p.error = fmt::format("{}:{}: rule '{}': PCRE2 pattern error at offset {}: {}", rules[i].source,
                              rules[i].source_line, rules[i].id, user_off, pcre2_message(err));
        return;
      }
      pcre2_jit_compile(p.code.get(), PCRE2_JIT_COMPLETE);  // falls back to the interpreter on failure
    });
    return p;
  }
};

struct ScratchImpl {
  HsScratchPtr hs;
  Pcre2MatchDataPtr md;
  Pcre2MatchContextPtr mctx;
  Pcre2JitStackPtr jit_stack;
  std::vector<Hit> hits;
  std::vector<uint32_t> last_hit;    // per rule: index+1 into hits of its latest hit, 0 = none
  std::vector<uint32_t> limit_hits;  // per rule: confirmations that hit a PCRE2 limit in this scan
  std::size_t max_hits = kMaxCandidatesPerScan;
  bool truncated = false;
};

Scratch::Scratch() : impl_(std::make_unique<ScratchImpl>()) {}
Scratch::~Scratch() = default;
Scratch::Scratch(Scratch&&) noexcept = default;
Scratch& Scratch::operator=(Scratch&&) noexcept = default;
Scanner::Scanner(Scanner&&) noexcept = default;
Scanner& Scanner::operator=(Scanner&&) noexcept = default;
Scanner::~Scanner() = default;

namespace {

// Hyperscan could not allocate a scratch (the first one, or a clone of it): memory ran out.
Error scratch_failed() { return make_error(ErrorCode::Engine, "hyperscan: cannot allocate scratch space (out of memory?)"); }

std::string hash_rules(const std::vector<Rule>& rules) {
  Sha256 sha;
  sha.update("vigil-db-v1\n").update(hs_platform_key()).update("\n");
  for (const auto& r : rules) {
    sha.update(r.id).update("\n").update(r.regex).update("\n");
  }
  return sha.hex();
}

Result<HsDbPtr> compile_db(const std::vector<Rule>& rules) {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    exprs.push_back(rules[i].regex.c_str());
    flags.push_back(kHsFlags);
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* cerr = nullptr;
  if (rules.empty()) {
    // Hyperscan cannot compile an empty set: use a pattern that never matches real text.
    static const char* never = "\\x00vigil-never\\x00";
    unsigned f = 0, id = 0;
    if (hs_compile_multi(&never, &f, &id, 1, HS_MODE_BLOCK, nullptr, &db, &cerr) != HS_SUCCESS) {
      HsCompileErrorPtr e(cerr);
      return make_error(ErrorCode::Engine, fmt::format("hyperscan: {}", e ? e->message : "compile failed"));
    }
    return HsDbPtr(db);
  }
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &cerr) != HS_SUCCESS) {
    HsCompileErrorPtr e(cerr);
    if (e && e->expression >= 0 && static_cast<std::size_t>(e->expression) < rules.size()) {
      const auto& r = rules[static_cast<std::size_t>(e->expression)];
      return make_error(ErrorCode::Config,
                        fmt::format("{}:{}: rule '{}': regex rejected by Hyperscan: {} — fix the "
                                    "pattern (no lookaround or backreferences)",
                                    r.source, r.source_line, r.id, e->message));
    }
    return make_error(ErrorCode::Engine, fmt::format("hyperscan: {}", e ? e->message : "compile failed"));
  }
  return HsDbPtr(db);
}

}  // namespace

Result<Scanner> Scanner::compile(std::vector<Rule> rules, const CacheOptions& cache, CompileStats* stats) {
  CompileStats local;
  CompileStats& st = stats ? *stats : local;
  st = {};
  auto impl = std::make_unique<ScannerImpl>();
  impl->hash = hash_rules(rules);
  trace("engine: rules hashed");
  impl->rules = std::move(rules);
  impl->patterns = std::make_unique<LazyPattern[]>(impl->rules.size());

  const auto t0 = std::chrono::steady_clock::now();
  if (!cache.dir.empty()) {
    st.cache_file = fmt::format("{}/{}.hsdb", cache.dir, impl->hash.substr(0, 32));
    impl->db = load_db_cache(st.cache_file, st.cache_note);
    trace("engine: database mapped");
    if (impl->db) {
      st.cache_hit = true;
      st.load_ms = ms_since(t0);
    }
  }
  if (!impl->db) {
    if (!cache.allow_compile) return make_error(ErrorCode::Engine, "no cached rules database");
    const auto t1 = std::chrono::steady_clock::now();
    auto db = compile_db(impl->rules);
    if (!db) return db.error();
    impl->db = HsDb::owned(db->release());
    if (!impl->db.prepare_scratch()) return scratch_failed();
    st.compile_ms = ms_since(t1);
    if (!cache.dir.empty()) store_db_cache(st.cache_file, impl->db.get(), st.cache_note);
  }
  size_t size = 0;
  hs_database_size(impl->db.get(), &size);
  st.db_bytes = size;
  Scanner s;
  s.impl_ = std::move(impl);
  return s;
}

const std::vector<Rule>& Scanner::rules() const { return impl_->rules; }
const std::string& Scanner::rules_hash() const { return impl_->hash; }

Result<void> Scanner::check_all_patterns() const {
  for (std::size_t i = 0; i < impl_->rules.size(); ++i) {
    const auto& p = impl_->pattern(i);
    if (!p.code) return make_error(ErrorCode::Config, p.error);
    uint32_t groups = 0;
    pcre2_pattern_info(p.code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
    const auto& r = impl_->rules[i];
    if (static_cast<uint32_t>(r.secret_group) > groups) {
      return make_error(ErrorCode::Config,
                        fmt::format("{}:{}: rule '{}': secret_group {} but the regex has {} group(s)",
                                    r.source, r.source_line, r.id, r.secret_group, groups));
    }
  }
  return {};
}

Result<Scratch> Scanner::make_scratch() const {
  Scratch s;
  auto& im = s.impl();
  hs_scratch_t* raw = nullptr;
  // A clone of the database's first scratch: allocating anew would check the database again.
  if (hs_clone_scratch(impl_->db.prototype(), &raw) != HS_SUCCESS) return scratch_failed();
  im.hs.reset(raw);
  im.md.reset(pcre2_match_data_create(100, nullptr));
  im.mctx.reset(pcre2_match_context_create(nullptr));
  im.jit_stack.reset(pcre2_jit_stack_create(32 * 1024, kJitStackMax, nullptr));
  pcre2_set_match_limit(im.mctx.get(), kPcreMatchLimit);
  pcre2_set_depth_limit(im.mctx.get(), kPcreDepthLimit);
  pcre2_set_heap_limit(im.mctx.get(), kPcreHeapLimitKib);
  pcre2_jit_stack_assign(im.mctx.get(), nullptr, im.jit_stack.get());
  im.last_hit.assign(impl_->rules.size(), 0);
  im.limit_hits.assign(impl_->rules.size(), 0);
  return s;
}

namespace {

int on_hs_match(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int,
                void* ctx) {
  auto& sc = *static_cast<ScratchImpl*>(ctx);
  auto& last = sc.last_hit[id];
  if (last != 0) {
    auto& prev = sc.hits[last - 1];
    if (prev.end + 1 == to) {  // extends a run: confirm only at the run's end
      prev.end = to;
      return 0;
    }
  }
  if (sc.hits.size() >= sc.max_hits) {
    sc.truncated = true;
    return 1;  // stop: the caller reports the truncation
  }
  sc.hits.push_back(Hit{id, static_cast<uint32_t>(std::min<unsigned long long>(to, UINT32_MAX)), to});
  last = static_cast<uint32_t>(sc.hits.size());
  return 0;
}

}  // namespace

Result<std::size_t> Scanner::scan_raw(std::string_view bytes, Scratch& scratch) const {
  return scan_raw(bytes, scratch, kMaxCandidatesPerScan);
}

Result<std::size_t> Scanner::scan_raw(std::string_view bytes, Scratch& scratch, std::size_t max_hits) const {
  auto& sc = scratch.impl();
  sc.hits.clear();
  sc.max_hits = std::max<std::size_t>(max_hits, 1);
  sc.truncated = false;
  std::fill(sc.last_hit.begin(), sc.last_hit.end(), 0);
  if (bytes.size() > UINT32_MAX) return make_error(ErrorCode::Io, "buffer larger than 4 GiB");
  const auto rc = hs_scan(impl_->db.get(), bytes.data(), static_cast<unsigned>(bytes.size()), 0,
                          sc.hs.get(), on_hs_match, &sc);
  if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
    return make_error(ErrorCode::Engine, fmt::format("hyperscan scan failed (code {})", rc));
  }
  return sc.hits.size();
}

Result<void> Scanner::scan(std::string_view bytes, Scratch& scratch, std::vector<Match>& out,
                           const ScanOptions& opts) const {
  auto raw = scan_raw(bytes, scratch, opts.max_candidates);
  if (!raw) return raw.error();
  auto& sc = scratch.impl();
  ScanLimits unused;
  ScanLimits& limits = opts.limits ? *opts.limits : unused;
  if (sc.truncated) limits.hits_truncated = true;
  std::fill(sc.limit_hits.begin(), sc.limit_hits.end(), 0);
  const std::size_t first_out = out.size();
  const auto subject = reinterpret_cast<PCRE2_SPTR>(bytes.data());
  for (const Hit& h : sc.hits) {
    const Rule& rule = impl_->rules[h.rule];
    if (rule.generic && !opts.generic) continue;
    if (sc.limit_hits[h.rule] >= kMaxLimitHitsPerRule) {
      ++limits.abandoned;
      continue;
    }
    const auto& pat = impl_->pattern(h.rule);
    if (!pat.code) return make_error(ErrorCode::Config, pat.error);
    const std::size_t end = static_cast<std::size_t>(h.end);
    const std::size_t start = end > rule.window ? end - rule.window : 0;
    const int rc = pcre2_match(pat.code.get(), subject, end, start, 0, sc.md.get(), sc.mctx.get());
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
        rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      // Not confirmed, and not refuted either: count it so the caller reports it.
      ++sc.limit_hits[h.rule];
      ++limits.confirm_limit_hits;
      if (limits.first_rule.empty()) {
        limits.first_rule = rule.id;
        limits.first_offset = end;
      }
      continue;
    }
    if (rc == PCRE2_ERROR_NOMATCH && start > 0) {
      // Hyperscan saw a match end here and the window holds no match that ends here: the match
      // starts before the window. Counted, so the caller reports it: padding a secret past the
      // window must not hide it.
      ++limits.window_misses;
      if (limits.window_rule.empty()) {
        limits.window_rule = rule.id;
        limits.window = rule.window;
      }
      continue;
    }
    if (rc < 0) continue;  // no match: stage 1 over-approximated
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(sc.md.get());
    const std::size_t g = static_cast<std::size_t>(rule.secret_group);
    if (g >= static_cast<std::size_t>(rc) || ov[2 * g] == PCRE2_UNSET) continue;
    Match m;
    m.rule = h.rule;
    m.begin = ov[0];
    m.end = ov[1];
    m.secret_begin = ov[2 * g];
    m.secret_end = ov[2 * g + 1];
    const auto whole = bytes.substr(m.begin, m.end - m.begin);
    const auto secret = bytes.substr(m.secret_begin, m.secret_end - m.secret_begin);
    // The name a generic value is assigned to may begin before the match ("STRIPE_PUBLISHABLE_KEY"
    // matches from "KEY"): up to 48 bytes of the same line before it.
    std::size_t lead = m.begin;
    while (lead > 0 && m.begin - lead < 48 && bytes[lead - 1] != '\n') --lead;
    if (!accept_match(rule, whole, secret, bytes.substr(lead, m.begin - lead))) continue;
    m.secret = std::string(secret);
    out.push_back(std::move(m));
  }
  std::vector<Match> decoded;
  if (opts.decode_depth > 0) {
    auto d = decode_and_rescan(*this, bytes, scratch, opts);
    if (!d) return d.error();
    decoded = std::move(*d);
  } else if (opts.note_deeper && opts.limits && !opts.limits->depth_exhausted && has_encoded_span(bytes)) {
    opts.limits->depth_exhausted = true;
  }
  if (opts.join_views) {
    auto j = join_and_rescan(*this, bytes, scratch, opts);
    if (!j) return j.error();
    decoded.insert(decoded.end(), std::make_move_iterator(j->begin()), std::make_move_iterator(j->end()));
  }
  if (!decoded.empty()) {
    // A secret the plain scan already found (e.g. a URL with %40 in its password) is reported once.
    // The plain matches, by start: those overlapping [b, e) start in [b - longest, e), found by
    // binary search (plain matches are at most a window long), so this is not quadratic.
    const std::size_t plain_end = out.size();
    std::vector<std::size_t> plain(plain_end - first_out);
    std::size_t longest = 0;
    for (std::size_t i = 0; i < plain.size(); ++i) {
      plain[i] = first_out + i;
      longest = std::max(longest, out[first_out + i].end - out[first_out + i].begin);
    }
    std::sort(plain.begin(), plain.end(), [&](std::size_t a, std::size_t b) { return out[a].begin < out[b].begin; });
    for (auto& m : decoded) {
      const std::size_t from = m.begin > longest ? m.begin - longest : 0;
      auto it = std::lower_bound(plain.begin(), plain.end(), from,
                                 [&](std::size_t i, std::size_t v) { return out[i].begin < v; });
      bool dup = false;
      for (; it != plain.end() && out[*it].begin < m.end && !dup; ++it) {
        const Match& p = out[*it];
        dup = p.rule == m.rule && m.begin < p.end;
      }
      if (!dup) out.push_back(std::move(m));
    }
  }
  // One finding per (rule, secret span), in offset order.
  auto first = out.begin() + static_cast<std::ptrdiff_t>(first_out);
  std::sort(first, out.end(), [](const Match& a, const Match& b) {
    return std::tie(a.secret_begin, a.rule, a.secret_end) < std::tie(b.secret_begin, b.rule, b.secret_end);
  });
  out.erase(std::unique(first, out.end(),
                        [](const Match& a, const Match& b) {
                          return a.rule == b.rule && a.secret_begin == b.secret_begin &&
                                 a.secret_end == b.secret_end;
                        }),
            out.end());
  // Overlapping matches of one rule (e.g. a value with and without its "=" padding): keep the
  // longest, so a secret is reported once.
  // Two generic detectors that read the same value through different syntaxes (an auth header's
  // name is also a secret-like name) report it once too.
  for (auto it = first; it != out.end(); ++it) {
    for (auto jt = std::next(it); jt != out.end() && jt->secret_begin < it->secret_end; ++jt) {
      if (jt->rule != it->rule && !(impl_->rules[jt->rule].generic && impl_->rules[it->rule].generic)) continue;
      if (jt->secret_end - jt->secret_begin > it->secret_end - it->secret_begin) {
        it->secret_end = it->secret_begin;  // mark the shorter one empty
        break;
      }
      jt->secret_end = jt->secret_begin;
    }
  }
  out.erase(std::remove_if(first, out.end(), [](const Match& m) { return m.secret_end == m.secret_begin; }), out.end());
  // A provider rule is more specific than a generic detector: report the secret once, as that. A
  // rule a repository added under a server floor does so only where it is at least as strict
  // (severity, and the policy's mode rank when given): an info or observe rule of the repository
  // never hides what the floor's generic detector reports.
  // Not quadratic: the spans of the other specific rules are in start order, and with the running
  // maximum of their ends, whether one overlaps [b, e) is one binary search. Rules under a floor
  // are checked one by one, but only those starting within their longest span before b.
  const auto& rules = impl_->rules;
  const auto* rank = opts.mode_rank && opts.mode_rank->size() == rules.size() ? opts.mode_rank : nullptr;
  auto outranks = [&](std::size_t s, std::size_t g) {
    if (!rules[s].under_floor) return true;
    return rules[s].severity >= rules[g].severity && (!rank || (*rank)[s] >= (*rank)[g]);
  };
  std::vector<std::size_t> always_begin, always_max_end;
  std::vector<std::size_t> conditional;  // offsets from `first` of specific matches under a floor
  std::size_t conditional_longest = 0;
  for (auto it = first; it != out.end(); ++it) {
    const Rule& r = rules[it->rule];
    if (r.generic) continue;
    if (!r.under_floor) {
      always_begin.push_back(it->secret_begin);
      always_max_end.push_back(std::max(it->secret_end, always_max_end.empty() ? 0 : always_max_end.back()));
    } else {
      conditional.push_back(static_cast<std::size_t>(it - first));
      conditional_longest = std::max(conditional_longest, it->secret_end - it->secret_begin);
    }
  }
  if (!always_begin.empty() || !conditional.empty()) {
    auto hidden = [&](const Match& m) {
      const auto n = static_cast<std::size_t>(std::lower_bound(always_begin.begin(), always_begin.end(), m.secret_end) -
                                              always_begin.begin());
      if (n > 0 && always_max_end[n - 1] > m.secret_begin) return true;
      const std::size_t from = m.secret_begin > conditional_longest ? m.secret_begin - conditional_longest : 0;
      auto c = std::lower_bound(conditional.begin(), conditional.end(), from,
                                [&](std::size_t k, std::size_t v) { return first[static_cast<std::ptrdiff_t>(k)].secret_begin < v; });
      for (; c != conditional.end(); ++c) {
        const Match& sp = first[static_cast<std::ptrdiff_t>(*c)];
        if (sp.secret_begin >= m.secret_end) break;
        if (m.secret_begin < sp.secret_end && outranks(sp.rule, m.rule)) return true;
      }
      return false;
    };
    std::vector<bool> drop(static_cast<std::size_t>(out.end() - first), false);
    for (auto it = first; it != out.end(); ++it) {
      if (rules[it->rule].generic) drop[static_cast<std::size_t>(it - first)] = hidden(*it);
    }
    auto kept = first;
    for (auto it = first; it != out.end(); ++it) {
      if (drop[static_cast<std::size_t>(it - first)]) continue;
      if (kept != it) *kept = std::move(*it);
      ++kept;
    }
    out.erase(kept, out.end());
  }
  return {};
}

}  // namespace vigil
