// Gitleaks path regexes as vigil globs, for the importer's allowlists. Pure string work.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Converts a gitleaks path regex (searched in the repository-relative path) into vigil globs that
/// match the same paths: literals, '.', '.*', classes, '?' and alternation are supported, at most
/// 64 globs. nullopt when there is no faithful glob form (the allow is then left out).
std::optional<std::vector<std::string>> go_path_regex_to_globs(std::string_view go);

}  // namespace vigil
