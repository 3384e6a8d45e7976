// MappedFile: a whole regular file mapped read-only, for files that are replaced by rename and
// never rewritten in place (git's index, vigil's cache files). Reading them instead zero-filled
// and copied a buffer of the file's size: for a hook's ~5 MB of such files, page faults and
// copies that cost more than the parse that follows.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

class MappedFile {
 public:
  /// Every page of the file is read: map them all at once (MAP_POPULATE) rather than fault them in.
  enum class Access { OnDemand,
                      Populate };

  MappedFile() = default;
  /// Maps `path`; ok() is false when it cannot be opened, is not a regular file, is empty, or
  /// cannot be mapped.
  explicit MappedFile(const std::string& path, Access access = Access::OnDemand);
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  bool ok() const { return data_ != nullptr; }
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  const void* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace vigil
