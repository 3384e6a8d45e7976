// Whole-file reads: exact bytes (NULs, no trailing newline added), empty files, files past the
// first buffer, missing paths and directories, descriptors of unknown size.
#include "detectors/util/read_file.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "tests/support/temp_repo.h"

using namespace vigil;

TEST_CASE("read_whole_file: the exact bytes, whatever their size") {
  test::TempDir dir;
  const std::string bytes = std::string("a\0b\r\nno newline at the end", 26);
  dir.write("small", bytes);
  CHECK(read_whole_file(dir.path() + "/small") == std::optional<std::string>(bytes));
  dir.write("empty", "");
  CHECK(read_whole_file(dir.path() + "/empty") == std::optional<std::string>(""));
  std::string big(300 * 1024 + 7, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  dir.write("big", big);
  CHECK(read_whole_file(dir.path() + "/big") == std::optional<std::string>(big));
}

TEST_CASE("read_whole_file: nothing for a missing path or a directory, with errno saying why") {
  test::TempDir dir;
  errno = 0;
  CHECK_FALSE(read_whole_file(dir.path() + "/missing"));
  CHECK(errno == ENOENT);
  errno = 0;
  CHECK_FALSE(read_whole_file(dir.path()));
  CHECK(errno == EISDIR);
}

TEST_CASE("read_whole_file: a file whose size stat does not know (procfs) is read to its end") {
  const auto status = read_whole_file("/proc/self/status");
  REQUIRE(status);
  CHECK(status->find("Name:") == 0);
  CHECK(status->back() == '\n');
}

TEST_CASE("read_whole_fd: everything left on a pipe, across many reads") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const std::string sent(50 * 1000, 'p');
  // Less than a pipe's buffer (64 KiB): written whole before reading, no second thread needed.
  REQUIRE(write(fds[1], sent.data(), sent.size()) == static_cast<ssize_t>(sent.size()));
  close(fds[1]);
  CHECK(read_whole_fd(fds[0], 10) == std::optional<std::string>(sent));
  close(fds[0]);
  CHECK_FALSE(read_whole_fd(-1));
}
