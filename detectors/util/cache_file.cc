#include "detectors/util/cache_file.h"

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace vigil
