// Decoding layer: finds base64, base64url, percent-encoded and backslash-escaped spans, decodes
// them and scans the result again, to a bounded depth.
#pragma once

#include <string_view>
#include <vector>

#include "detectors/scan/match.h"
#include "detectors/scan/scanner.h"

namespace vigil {

/// Matches found inside encoded spans of `bytes`. Each match's offsets are the encoded span in
/// `bytes`; its `secret` is the decoded secret; `encoding` names the layers ("base64>percent").
Result<std::vector<Match>> decode_and_rescan(const Scanner& scanner, std::string_view bytes,
                                             Scratch& scratch, const ScanOptions& opts);

}  // namespace vigil
