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

/// Cache entries are rebuilt on demand, so the directory is kept bounded: an entry's mtime says
/// when it was last used (refreshed at most daily by mark_cache_entry_used), and after each new
/// entry of a kind is written, entries of that kind (name starts with `prefix`, ends with
/// `suffix`) unused for `max_age_days`, or beyond the `keep` most recently used, are removed.
/// `except` (the entry just written) always stays. Errors are ignored: this is housekeeping.
void prune_cache_entries(const std::string& dir, std::string_view prefix, std::string_view suffix,
                         std::size_t keep, int max_age_days, const std::string& except);

/// Refreshes the mtime of a cache entry that was just used when it is more than a day old (a write
/// a day, not one a run).
void mark_cache_entry_used(const std::string& path);

}  // namespace vigil
