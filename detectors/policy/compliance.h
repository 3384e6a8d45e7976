// Compliance: control tags (ISO/IEC 27001:2022 Annex A, SOC 2 trust services criteria) for
// findings and gate runs, so reports can group evidence by control.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Title of a control tag ("iso27001:A.8.28" → "Secure coding"), or "" when unknown.
std::string control_title(std::string_view tag);

/// True for tags of the form "iso27001:..." or "soc2:..." (or another "framework:control").
bool is_control_tag(std::string_view tag);

/// The controls a finding evidences: its rule's control tags plus what every secret (or file /
/// message policy) finding shows. Sorted, unique.
std::vector<std::string> finding_controls(const std::vector<std::string>& tags);

/// The controls a gate run evidences, by hook ("pre-commit", "pre-receive", "scan", ...).
std::vector<std::string> gate_controls(std::string_view hook);

}  // namespace vigil
