// Whole-file reads: one read into a buffer of the file's size where the size is known.
#include "detectors/util/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace vigil {

std::optional<std::string> read_whole_fd(int fd, std::size_t size_hint) {
  // Streaming into an ostringstream copied a hook's cache files several times over.
  std::string out(size_hint, '\0');
  std::size_t done = 0;
  char more[16 * 1024];  // past the hint (a file that grew, procfs, a pipe): no resize to find EOF
  while (true) {
    const bool direct = done < out.size();
    const ssize_t n = direct ? read(fd, out.data() + done, out.size() - done) : read(fd, more, sizeof more);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    if (!direct) out.append(more, static_cast<std::size_t>(n));
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

std::optional<std::string> read_whole_file(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  auto out = fstat(fd, &st) == 0 ? read_whole_fd(fd, static_cast<std::size_t>(st.st_size)) : std::nullopt;
  const int err = errno;
  close(fd);
  errno = err;  // the caller's message may name the read's error, not close's
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
  const int err = errno;
  close(fd);
  errno = err;
  if (!ok) return std::nullopt;
  out.resize(done);
  return out;
}

}  // namespace vigil
