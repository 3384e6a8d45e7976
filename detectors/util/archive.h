// Archive: the members of zip, tar (plain, gzip, bzip2, xz, zstd) and single-file gzip/bzip2/xz
// buffers, read in memory through libarchive, for `vigil scan --archives`. A secret committed
// inside a release tarball or a zipped config is invisible to a scanner that sees only the
// compressed bytes.
//
// Everything is bounded: member size, total bytes expanded from one archive, member count. What a
// bound stops is reported to the caller as a skip with its reason, never dropped silently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "detectors/util/result.h"

namespace vigil {

struct ArchiveLimits {
  std::uint64_t max_member_bytes = 5u << 20;   // a bigger member is skipped (and said so)
  std::uint64_t max_total_bytes = 256u << 20;  // expanded from one archive, all members
  std::uint64_t max_members = 100000;
};

/// True when the bytes start like an archive or compressed file this module reads.
bool looks_like_archive(std::string_view bytes);

/// Calls `member(name, bytes)` for each regular member, in archive order, and `skip(name, reason,
/// bound)` for each member it does not hand over: `bound` names the limit reached ("max_file_size",
/// "archive_members", "archive_total"), or is empty when the member cannot be read at all. Fails when
/// the archive itself cannot be read (corrupt, truncated, encrypted headers).
Result<void> for_each_archive_member(std::string_view bytes, const ArchiveLimits& limits,
                                     const std::function<void(const std::string&, std::string&&)>& member,
                                     const std::function<void(const std::string&, const std::string&, const std::string&)>& skip);

}  // namespace vigil
