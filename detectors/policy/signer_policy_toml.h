// Internal: reads [signers.<group>] tables and the [[files]] entries that name `signers`. Only
// config.cc and signer_policy_toml.cc include this (it pulls in toml++).
#pragma once

#include "detectors/util/toml.h"

#include <string_view>

#include "detectors/policy/signer_policy.h"
#include "detectors/util/result.h"

namespace vigil {

/// Fills `out` from `doc`: the [signers] table and every [[files]] entry that has a `signers` key
/// (the other [[files]] entries are parse_policy_sections' business). Errors name file:line:col.
Result<void> parse_signer_sections(const toml::table& doc, std::string_view path, SignerPolicy& out);

/// True when a [[files]] entry is a signer rule (it names `signers`).
bool is_signer_file_entry(const toml::table& entry);

}  // namespace vigil
