// Pipeline: the one place where buffers, the scanner and policy meet. Git-agnostic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/finding.h"
#include "detectors/policy/config.h"
#include "detectors/scan/scanner.h"
#include "detectors/util/text.h"  // human_size, used with skip reasons

namespace vigil {

/// Config plus its compiled scanner. Immutable; share across threads.
struct Engine {
  Config config;  // its rules are moved into the scanner: use scanner.rules()
  Scanner scanner;
  std::string version;  // rules version shown in reports
  /// Per rule: how strictly the config treats its findings (ScanOptions::mode_rank), so a weaker
  /// rule never hides a stricter rule's finding of the same secret.
  std::vector<std::uint8_t> mode_rank;
  /// Compiles the config's rules, using the database cache (never recompiles on a hit).
  static Result<Engine> create(Config config, CompileStats* stats = nullptr);
};

/// Where a buffer came from, and which of its lines count (empty = all of them).
struct BufferContext {
  std::string path;
  std::string commit;
  std::string author;
  std::string date;
  std::string blob;
  /// 1-based, inclusive line ranges that were added; a finding counts when it touches one.
  std::vector<std::pair<std::size_t, std::size_t>> added_lines;
  bool only_added_lines = false;
};

/// Per-thread state: scratch space and reusable buffers.
class ScanSession {
 public:
  static Result<ScanSession> create(const Engine& engine);
  /// Scans one buffer: skips binary and oversized input (adding a Skip), then appends findings
  /// with their dispositions.
  Result<void> scan_buffer(std::string_view bytes, const BufferContext& ctx, std::vector<Finding>& findings,
                           std::vector<Skip>& skips);
  /// `text` with every secret the rules find in it, and every long random run, masked as
  /// excerpts are: for messages that quote user input (a commit subject, a path, a ref name).
  Result<std::string> mask_secrets(std::string_view text);

 private:
  explicit ScanSession(const Engine& engine, Scratch scratch) : engine_(&engine), scratch_(std::move(scratch)) {}
  void add_limit_skips(const ScanLimits& limits, const BufferContext& ctx, const Config& cfg,
                       std::vector<Skip>& skips) const;
  /// Turns matches_ into findings: one pass over the buffer's lines.
  void append_findings(std::string_view bytes, const BufferContext& ctx, std::vector<Finding>& findings);
  const Engine* engine_;
  Scratch scratch_;
  std::vector<Match> matches_;
  std::string wide_text_;  // a UTF-16/32 buffer transcoded to UTF-8
};

/// `text` with each span (byte offsets; overlaps allowed) redacted, and, with `random_runs`, long
/// random runs masked too.
std::string redact_spans(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>> spans,
                         bool random_runs = true);

/// Masks secrets in the excerpts of findings that quote user input instead of a matched secret
/// (file, message, ref and signature policy), so no report or audit record repeats a secret.
Result<void> mask_quoted_input(const Engine& engine, std::vector<Finding>& findings);

/// The skip of a blob or file over max_file_size (a bound: it was not read, so not judged).
Skip oversize_skip(std::string path, std::string commit, std::uint64_t max_file_size, std::uint64_t size);

/// True for files whose hashes and ids make generic detectors noisy (lockfiles, checksums).
bool is_lockfile(std::string_view path);

}  // namespace vigil
