#include "detectors/util/cache_file.h"

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

namespace vigil {

std::string default_cache_dir() {
  if (const char* d = std::getenv("VIGIL_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/vigil";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/vigil";
  return {};
}

bool write_file_atomic(const std::string& path, std::string_view bytes) {
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = fmt::format("{}.tmp.{}.{}", path, static_cast<long>(getpid()), counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

void prune_cache_entries(const std::string& dir, std::string_view prefix, std::string_view suffix,
                         std::size_t keep, int max_age_days, const std::string& except) {
  namespace fs = std::filesystem;
  std::error_code ec;
  struct Entry {
    fs::path path;
    fs::file_time_type mtime;
  };
  std::vector<Entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.size() < prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    if (it->path().string() == except || fs::path(except).filename() == it->path().filename()) continue;
    std::error_code e2;
    const auto t = fs::last_write_time(it->path(), e2);
    if (!e2) entries.push_back({it->path(), t});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.mtime > b.mtime; });
  const auto horizon = fs::file_time_type::clock::now() - std::chrono::hours(24) * max_age_days;
  // `keep` counts the entry just written.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 >= keep || entries[i].mtime < horizon) fs::remove(entries[i].path, ec);
  }
}

void mark_cache_entry_used(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return;
  if (std::time(nullptr) - st.st_mtime > 24 * 3600) utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
}

}  // namespace vigil
