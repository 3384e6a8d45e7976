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

std::optional<std::string> read_whole_file(const std::string& path) {
  // One read into a buffer of the file's size: a stream into an ostringstream copied a hook's
  // cache files several times over.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string out;
  bool ok = fstat(fd, &st) == 0;
  if (ok) out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (ok) {
    if (done == out.size()) out.resize(done + 64 * 1024);  // it grew, or st_size was 0 (procfs)
    const ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  if (!ok) return std::nullopt;
  out.resize(done);
  return out;
}

std::optional<std::string> read_file_head(const std::string& path, std::size_t limit) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out(limit, '\0');
  std::size_t done = 0;
  bool ok = true;
  while (done < limit) {
    const ssize_t n = read(fd, out.data() + done, limit - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  if (!ok) return std::nullopt;
  out.resize(done);
  return out;
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
