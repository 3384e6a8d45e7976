// CacheFile: where vigil keeps what it can rebuild (compiled rule databases, parsed rule packs,
// clean-blob lists), and how it writes there without ever exposing a half-written file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// The default cache directory: $VIGIL_CACHE_DIR, else $XDG_CACHE_HOME/vigil, else ~/.cache/vigil.
std::string default_cache_dir();

/// Writes `bytes` to `path` through a unique temporary file and a rename, creating the directory.
/// Concurrent writers and readers see the old file or the new one, never a partial one.
/// Returns false when it could not write (the caller goes on without a cache).
bool write_file_atomic(const std::string& path, std::string_view bytes);

/// The whole file, or nothing when it does not exist or cannot be read.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace vigil
