// Decoding layer: finds base64, base64url, percent-encoded and backslash-escaped spans, decodes
// them and scans the result again, to a bounded depth.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "detectors/scan/match.h"
#include "detectors/scan/scanner.h"

namespace vigil {

/// Matches found inside encoded spans of `bytes`. Each match's offsets are the encoded span in
/// `bytes`; its `secret` is the decoded secret; `encoding` names the layers ("base64>percent").
Result<std::vector<Match>> decode_and_rescan(const Scanner& scanner, std::string_view bytes,
                                             Scratch& scratch, const ScanOptions& opts);

/// True when `bytes` holds a span decode_and_rescan would decode (a layer left undecoded).
bool has_encoded_span(std::string_view bytes);

/// The maximal runs of base64/base64url alphabet bytes ([A-Za-z0-9+/_-]) at least 20 bytes long,
/// as [begin, end) offsets in order: the decoder's base64 candidates (exposed for tests).
/// `portable`: use the baseline (SSE2 or plain) classifier even where AVX2 is available.
std::vector<std::pair<std::size_t, std::size_t>> find_base64_runs(std::string_view bytes, bool portable = false);

}  // namespace vigil
