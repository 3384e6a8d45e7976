// Doctor: says what vigil does in a repository and why, and what stops it, each problem with the
// command that fixes it (`vigil doctor`).
#pragma once

#include <string>
#include <vector>

#include "detectors/util/result.h"

namespace vigil {

struct DoctorCheck {
  std::string area;  // "hooks", "rules", "cache", "signing"
  bool ok = true;
  std::string detail;  // what is active and why, or what is wrong
  std::string fix;     // the command that fixes it (problems only)
};

struct DoctorReport {
  std::string repo;       // work tree (or git dir of a bare repository)
  std::string hooks_dir;  // the directory git runs hooks from
  std::string hooks_why;  // why that directory ("core.hooksPath set in file:...", "default")
  std::vector<DoctorCheck> checks;
  bool healthy() const {
    for (const auto& c : checks) {
      if (!c.ok) return false;
    }
    return true;
  }
};

/// Runs every check for the repository containing `repo_path`. Errors only when it is not a
/// repository; everything else is a check.
Result<DoctorReport> run_doctor(const std::string& repo_path);

}  // namespace vigil
