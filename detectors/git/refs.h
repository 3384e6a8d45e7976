// Refs and object facts: every ref's target, fast-forward checks, object types, the zero id.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "detectors/git/repo.h"

namespace vigil::git {

/// Every ref name and its target commit id (tags peeled), for hiding and protection checks.
Result<std::vector<std::pair<std::string, std::string>>> list_refs(const Repo& repo);

/// True when `ancestor` is reachable from `descendant` (fast-forward check). In a shallow clone,
/// only the history the clone has counts.
bool is_ancestor(const Repo& repo, const std::string& ancestor, const std::string& descendant);

/// The type of an object ("commit", "tag", ...), or "" when it is missing.
std::string object_type(const Repo& repo, const std::string& oid);

inline constexpr const char* kZeroOid = "0000000000000000000000000000000000000000";
inline bool is_zero_oid(const std::string& s) { return s.find_first_not_of('0') == std::string::npos; }

}  // namespace vigil::git
