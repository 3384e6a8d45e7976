// NameScan: secrets written in names (file paths, ref names) are findings, and no output repeats them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/finding.h"
#include "detectors/pipeline.h"

namespace vigil {

/// A name a change brings: a path new to a commit, or a ref a push creates or moves.
struct JudgedName {
  std::string name;
  std::string commit;  // the commit that brought the path, or the ref's new tip
  bool is_ref = false;
};

/// Scans each name with the rules (a token pasted into a file or branch name is as public as one in
/// a file) and appends one finding per secret, with the name masked, line 0, and policy applied
/// ([[allow]], waivers and modes as for any secret; no inline allow, a name has no comment).
Result<void> scan_names(const Engine& engine, const std::vector<JudgedName>& names, std::vector<Finding>& out);

/// Masks what the rules find in names (only rule hits: a hash-named file stays readable). Caches
/// each name, so many findings in one file cost one scan.
class NameMasker {
 public:
  static Result<NameMasker> create(const Engine& engine);
  Result<std::string> mask(const std::string& name);

 private:
  NameMasker(const Engine& engine, Scratch scratch) : engine_(&engine), scratch_(std::move(scratch)) {}
  const Engine* engine_;
  Scratch scratch_;
  std::vector<Match> matches_;
  std::map<std::string, std::string, std::less<>> cache_;
};

/// Masks secrets in the paths of every finding and skip (a finding's path is a file or ref name).
Result<void> mask_names(const Engine& engine, std::vector<Finding>& findings, std::vector<Skip>& skips);

}  // namespace vigil
