// Internal: reads the [[files]], [messages] and [refs] sections of a .vigil.toml document. Only
// config.cc and policy_toml.cc include this (it pulls in toml++).
#pragma once

#include "detectors/util/toml.h"

#include <string_view>

#include "detectors/policy/file_policy.h"
#include "detectors/policy/message_policy.h"
#include "detectors/policy/ref_policy.h"
#include "detectors/util/result.h"

namespace vigil {

/// Parses whichever of the three sections `doc` holds. Errors are "path:line:col: what", and name
/// the rule (its id, or the key) whose glob or regex is malformed.
Result<void> parse_policy_sections(const toml::table& doc, std::string_view path, FilePolicy& files,
                                   MessagePolicy& messages, RefPolicy& refs);

/// A [[files]] entry's id: its `id` key (lower-case words joined by '.' or '-'), else "files.<index>".
Result<std::string> files_entry_id(const toml::table& t, std::string_view path, std::size_t index);

/// A [[files]]-style `glob`/`globs` value: every pattern is checked, then appended to `out`.
/// `owner` names the entry in errors.
Result<void> parse_glob_list(const toml::node& v, std::string_view key, std::string_view path, std::string_view owner,
                             std::vector<std::string>& out);

/// A [[files]]-style `on` value: change types (add, modify, delete, rename, mode) as ChangeType bits.
Result<unsigned> parse_change_types(const toml::node& v, std::string_view path, std::string_view owner);

}  // namespace vigil
