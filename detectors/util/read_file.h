// Whole-file reads: the one way vigil reads a file, or all of standard input, into memory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace vigil {

/// The whole file, or nothing when it does not exist or cannot be read (errno then says why).
/// A directory cannot be read (EISDIR).
std::optional<std::string> read_whole_file(const std::string& path);

/// At most the first `limit` bytes of the file, or nothing when it cannot be read.
std::optional<std::string> read_file_head(const std::string& path, std::size_t limit);

/// Everything left to read on descriptor `fd` (0: standard input) until end of file, or nothing on
/// a read error (errno says why). `size_hint` sizes the first buffer.
std::optional<std::string> read_whole_fd(int fd, std::size_t size_hint = 0);

}  // namespace vigil
