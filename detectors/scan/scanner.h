// Scanner: every rule compiled into one Hyperscan block database, confirmed by PCRE2-JIT.
//
// Stage 1 runs Hyperscan over the whole buffer without start-of-match (SOM costs 4-9x in speed).
// It reports (rule, end offset). Stage 2 runs the rule's PCRE2 pattern, anchored with \z, on a
// window that ends at that offset, which yields exact bounds and the secret group. PCRE2 therefore
// never scans a whole file, and its cost does not grow with the buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/rules/rule.h"
#include "detectors/scan/match.h"
#include "detectors/util/cache_file.h"  // default_cache_dir(), for callers that build CacheOptions
#include "detectors/util/result.h"

namespace vigil {

struct ScannerImpl;
struct ScratchImpl;

/// Per-thread scratch space. Not thread-safe: make one per worker with Scanner::make_scratch().
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(Scratch&&) noexcept;
  Scratch& operator=(Scratch&&) noexcept;
  ScratchImpl& impl() { return *impl_; }

 private:
  std::unique_ptr<ScratchImpl> impl_;
};

/// What a scan could not confirm. Callers report it (as a skip), so a resource limit is never a
/// silent pass: a candidate that PCRE2 gave up on may have been a real secret.
struct ScanLimits {
  std::size_t confirm_limit_hits = 0;  // candidates whose PCRE2 confirmation hit a match, depth, heap or JIT-stack limit
  std::size_t abandoned = 0;           // later candidates of such a rule, not confirmed at all (bounded time)
  std::string first_rule;              // id of the first rule that hit a limit
  std::size_t first_offset = 0;        // end offset of that candidate in the scanned buffer
  bool hits_truncated = false;         // more raw candidates than one scan confirms (the rest were not)
  // Candidates whose match may start before the rule's confirmation window: PCRE2 found no match
  // inside the window although Hyperscan found one ending there (e.g. a key header followed by
  // 5,000 spaces). Not confirmed, not refuted.
  std::size_t window_misses = 0;
  std::string window_rule;       // id of the first such rule
  std::size_t window = 0;        // its window, in bytes
  bool depth_exhausted = false;  // the deepest decoded layer still holds an encoded span
  bool any() const {
    return confirm_limit_hits > 0 || abandoned > 0 || hits_truncated || window_misses > 0 || depth_exhausted;
  }
};

/// Raw candidates one scan confirms at most, by default ([settings] max_candidates); beyond it the
/// scan reports ScanLimits::hits_truncated.
inline constexpr std::size_t kMaxCandidatesPerScan = 200000;

struct ScanOptions {
  bool generic = true;                                 // run generic (name = high-entropy value) detectors
  int decode_depth = 2;                                // how many encoding layers to peel (0 = none)
  ScanLimits* limits = nullptr;                        // where to add what could not be confirmed (also for decoded layers)
  std::size_t max_candidates = kMaxCandidatesPerScan;  // raw candidates confirmed per buffer and layer
  /// Set on the last decoded layer: report (ScanLimits::depth_exhausted) an encoded span that
  /// decode_depth leaves undecoded. Off at the top, where decode_depth = 0 means "do not decode".
  bool note_deeper = false;
  /// Per rule (index into rules()): how strictly policy treats its findings (observe 0, warn 1,
  /// block 2). A rule marked Rule::under_floor hides an overlapping generic match only when it
  /// ranks at least as high and its severity is at least as high. Null = by severity alone.
  const std::vector<std::uint8_t>* mode_rank = nullptr;
  /// Rebuild private-key blocks that code splits up (joined_view.h) and scan them too. Off inside
  /// a joined view. Not a decoding layer: it runs at decode_depth 0 as well.
  bool join_views = true;
};

/// Where compiled databases are cached. Empty dir = no cache.
struct CacheOptions {
  std::string dir;
  bool allow_compile = true;
};

/// Statistics of the last compile() call, for `vigil rules` and benchmarks.
struct CompileStats {
  bool cache_hit = false;
  double load_ms = 0;     // deserialize time on a hit
  double compile_ms = 0;  // Hyperscan compile time on a miss
  std::size_t db_bytes = 0;
  std::string cache_file;
  std::string cache_note;  // why the cache was not used, if it was not
};

/// Immutable after compile(); share across threads.
class Scanner {
 public:
  /// Compiles (or loads from the cache) a database for `rules`. Invalid regexes name their rule.
  static Result<Scanner> compile(std::vector<Rule> rules, const CacheOptions& cache = {},
                                 CompileStats* stats = nullptr);
  Scanner(Scanner&&) noexcept;
  Scanner& operator=(Scanner&&) noexcept;
  ~Scanner();

  Result<Scratch> make_scratch() const;
  /// Appends confirmed matches to `out`, sorted by offset, one per (rule, span).
  Result<void> scan(std::string_view bytes, Scratch& scratch, std::vector<Match>& out,
                    const ScanOptions& opts = {}) const;
  /// Stage 1 only (no confirmation): the number of raw hits. For benchmarks.
  Result<std::size_t> scan_raw(std::string_view bytes, Scratch& scratch) const;
  /// The same, stopping after `max_hits` raw hits (then the scratch notes the truncation).
  Result<std::size_t> scan_raw(std::string_view bytes, Scratch& scratch, std::size_t max_hits) const;

  const std::vector<Rule>& rules() const;
  /// Hash over everything that affects matching: rules, engine version, platform.
  const std::string& rules_hash() const;
  /// Compiles each rule's PCRE2 pattern now (normally lazy), reporting the first error.
  Result<void> check_all_patterns() const;

 private:
  Scanner() = default;
  std::unique_ptr<ScannerImpl> impl_;
};

}  // namespace vigil
