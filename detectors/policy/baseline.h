// Baseline: the fingerprints of findings a team has accepted as known, so that `vigil scan
// --baseline FILE` reports only new ones.
//
// The file is line-oriented and sorted, one `<fingerprint> <rule> <path>` per line, with no line
// numbers, timestamps or secrets, so reruns are byte-identical and two branches that both add
// entries merge line by line (`.vigil-baseline merge=union` in .gitattributes makes git keep both
// sides' lines without a conflict). Matching is by fingerprint alone (rule + secret), so a
// finding stays baselined when unrelated edits move its line or the file is renamed.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "detectors/finding.h"
#include "detectors/util/result.h"

namespace vigil {

struct BaselineEntry {
  std::string fingerprint;  // "<rule>:<24 hex digits>", as fingerprint() makes it
  std::string rule_id;
  std::string path;  // where it was first recorded; for people, not for matching
  friend bool operator<(const BaselineEntry& a, const BaselineEntry& b) {
    return std::tie(a.fingerprint, a.rule_id, a.path) < std::tie(b.fingerprint, b.rule_id, b.path);
  }
  friend bool operator==(const BaselineEntry& a, const BaselineEntry& b) {
    return a.fingerprint == b.fingerprint && a.rule_id == b.rule_id && a.path == b.path;
  }
};

struct Baseline {
  std::set<BaselineEntry> entries;  // sorted and unique by construction
  std::set<std::string, std::less<>> fingerprints;
  void add(BaselineEntry e);
  bool contains(std::string_view fingerprint) const { return fingerprints.find(fingerprint) != fingerprints.end(); }
};

/// Default file name, at the repository root.
inline constexpr const char* kDefaultBaselineFile = ".vigil-baseline";

/// Parses a baseline file. Comments (#) and blank lines are ignored, entries may come in any
/// order (a union merge leaves them unsorted). A malformed line is an error naming `path:line`.
Result<Baseline> parse_baseline(std::string_view text, std::string_view path);
Result<Baseline> load_baseline(const std::string& path);

/// The entries for today's findings that policy did not already allow or waive.
Baseline baseline_from_findings(const std::vector<Finding>& findings);

/// The file's text: a fixed header, then the sorted entries.
std::string format_baseline(const Baseline& baseline);

/// Writes the file atomically (temporary file + rename), so a failed run never leaves half a file.
Result<void> save_baseline(const Baseline& baseline, const std::string& path);

/// Marks every finding whose fingerprint is in the baseline as Disposition::Baselined, unless
/// policy already allowed or waived it. Returns how many it marked.
std::size_t apply_baseline(const Baseline& baseline, std::vector<Finding>& findings);

}  // namespace vigil
