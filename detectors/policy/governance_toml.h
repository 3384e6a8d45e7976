// Internal: parses the governance parts of .vigil.toml ([[waivers]], [families], the governance
// keys of [settings] and [server] min_mode). Only config.cc and server_policy.cc include this.
#pragma once

#include "detectors/util/toml.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/policy/waiver.h"
#include "detectors/util/result.h"

namespace vigil {

struct Config;

/// The [settings] keys parse_governance_setting() understands.
const std::vector<std::string>& governance_settings_keys();

/// Parses one governance key of [settings] into `g`.
Result<void> parse_governance_setting(std::string_view key, const toml::node& value, std::string_view path,
                                      GovernanceSettings& g);

/// `{ critical = "enforce", high = "warn" }` → min_mode by severity (merged into `g`, stricter wins).
Result<void> parse_min_mode(const toml::node& value, std::string_view path, GovernanceSettings& g);

/// `[[waivers]]`: every entry needs owner (e-mail), reason and expires, and a fingerprint or a
/// rule with a path. Errors name file:line.
Result<std::vector<Waiver>> parse_waivers(const toml::node& node, std::string_view path);

/// One [[waivers]] entry as written, with what is wrong with it (for `vigil waivers`, which lists
/// every broken entry instead of stopping at the first).
struct WaiverEntry {
  Waiver waiver;
  std::string problem;  // "" when the entry parses
};
/// Reads every [[waivers]] entry of a .vigil.toml text; a TOML syntax error is still an error.
Result<std::vector<WaiverEntry>> read_waiver_entries(std::string_view text, std::string_view path);

/// `[families.<family>] mode = "warn"`.
Result<void> parse_families(const toml::node& node, std::string_view path, std::map<std::string, Mode>& out);

/// Checks that need the whole config: families and waiver rules exist, waivers fit the policy.
Result<void> check_governance(const Config& config);

}  // namespace vigil
