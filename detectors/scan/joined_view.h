// Joined views: a private-key block that source code or data formats split up (string
// concatenation, notebook line arrays, `\n` escapes, wrapping at any width, CRLF, YAML block
// indentation) rebuilt as one canonical PEM block, so the private-key rules see it whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/scan/match.h"
#include "detectors/scan/scanner.h"

namespace vigil {

/// One block found in a buffer, in canonical form: "-----BEGIN <label>-----\n", its header
/// lines, then its body on one line (at most kJoinedBodyMax characters: the rules read the start).
struct JoinedBlock {
  std::size_t begin = 0, end = 0;   // the block's bytes in the buffer ("-----BEGIN" to the last consumed byte)
  std::string text;                 // the canonical form
  std::size_t body_start = 0;       // offset of the body in `text`
  std::vector<std::size_t> origin;  // per body character, its offset in the buffer
};

/// Body characters a joined view keeps: more than any rule reads after a header.
inline constexpr std::size_t kJoinedBodyMax = 4096;
/// Buffer bytes one block may span (separators included): a 16384-bit RSA key with every line
/// quoted and concatenated fits. A block cut there is still joined up to that point.
inline constexpr std::size_t kJoinedSpanMax = 65536;

/// The private-key blocks ("-----BEGIN ... PRIVATE KEY...-----") of `bytes`, joined. Linear:
/// each byte is read at most once per block, and blocks do not overlap.
std::vector<JoinedBlock> find_joined_blocks(std::string_view bytes);

/// Matches the rules find in the joined views of `bytes`, mapped back: offsets are the body's
/// bytes in `bytes`, `encoding` is "joined". Empty when `bytes` holds no block.
Result<std::vector<Match>> join_and_rescan(const Scanner& scanner, std::string_view bytes, Scratch& scratch,
                                           const ScanOptions& opts);

}  // namespace vigil
