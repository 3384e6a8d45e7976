// Shared pieces of the gates (hooks) and the CLI: error exit, engine loading, report output.
#pragma once

#include <functional>
#include <string>

#include "detectors/pipeline.h"
#include "detectors/report/report.h"
#include "detectors/util/result.h"

namespace vigil {

/// Exit codes, stable for scripts: 0 allowed, 1 blocked by policy, 2 vigil could not do its job.
inline constexpr int kExitAllowed = 0;
inline constexpr int kExitBlocked = 1;
inline constexpr int kExitError = 2;

/// Flushes every output stream and ends the process with `code`, without running destructors: a
/// hook that is done leaves its memory to the kernel (freeing the rules, libgit2's caches and
/// the mapped database piece by piece cost ~1M instructions, ~4 % of a pre-commit run). In a
/// sanitizer build it returns `code`, so that the leak checker still sees every allocation freed.
int exit_now(int code);

/// Prints "vigil: error: <message>" on stderr and returns kExitError.
int die(const Error& e);

/// Makes every later die() line end with "; bypass once: <command>". Laptop hooks set it, so an
/// error that stops a commit or push still names git's documented escape (`--no-verify`).
void set_bypass_hint(std::string command);

/// A change to the config between reading and compiling it (`--fail-on`, `--rules`, ...).
using ConfigAdjust = std::function<Result<void>(Config&)>;

/// Loads `<root>/.vigil.toml` (or `config_path` when given), applies `adjust` and compiles the engine.
Result<Engine> load_engine(const std::string& root, const std::string& config_path = {},
                           CompileStats* stats = nullptr, const ConfigAdjust& adjust = {});

/// Writes the report in `format` ("text", "json", ...) to stderr or `output`.
Result<void> emit_report(const ScanReport& report, const std::string& format, Audience audience,
                         const std::string& output = {});

/// The bounds reached in `report` (skips with Skip::bound set), as one phrase naming each bound and
/// how many inputs it stopped: "max_file_size (1 file), max_candidates (2 files)"; "" when none.
std::string bound_hits_summary(const ScanReport& report);

/// Laptop hooks: when a bound was reached, part of the change was not judged, so the hook blocks
/// (fail closed). Prints why on stderr, after the report ("commit" or "push"; `escape` is git's
/// documented bypass). Returns true when it blocks.
bool block_on_bound_hits(const ScanReport& report, const char* what, const char* escape);

/// `vigil scan` (files and history): the exit status for `report`. A bound reached means part of the
/// input was not judged: it blocks (exit 1) with a line naming the bounds, unless `accept_on_limit`
/// (`--on-limit accept`), which accepts and says so. Never silent either way.
int scan_exit_status(const ScanReport& report, bool accept_on_limit, bool quiet);

/// VIGIL_FORMAT from the environment, or "text".
std::string hook_format();

}  // namespace vigil
