#include "detectors/util/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <memory>

#include "detectors/util/text.h"

namespace vigil {

namespace {

bool starts_with(std::string_view b, std::string_view magic) { return b.substr(0, magic.size()) == magic; }

bool compressed_stream(std::string_view b) {
  using namespace std::string_view_literals;
  return starts_with(b, "\x1f\x8b"sv) || starts_with(b, "BZh"sv) || starts_with(b, "\xfd"
                                                                                   "7zXZ\0"sv) ||
         starts_with(b, "\x28\xb5\x2f\xfd"sv);
}

struct ArchiveFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// Only the formats the flag promises: zip and tar (with any of the common compressions), or one
// compressed file. Fewer parsers, smaller attack surface than archive_read_support_format_all.
ArchivePtr open_reader(std::string_view bytes, bool raw) {
  ArchivePtr a(archive_read_new());
  if (!a) return nullptr;
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  if (raw) {
    archive_read_support_format_raw(a.get());
  } else {
    archive_read_support_format_zip(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
  }
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) return nullptr;
  return a;
}

std::string why(archive* a) {
  const char* e = archive_error_string(a);
  return e && *e ? e : "unknown error";
}

}  // namespace

bool looks_like_archive(std::string_view b) {
  using namespace std::string_view_literals;
  if (starts_with(b, "PK\x03\x04"sv) || starts_with(b, "PK\x05\x06"sv)) return true;  // zip, empty zip
  if (b.size() >= 262 && b.substr(257, 5) == "ustar") return true;                    // tar
  return compressed_stream(b);
}

Result<void> for_each_archive_member(std::string_view bytes, const ArchiveLimits& limits,
                                     const std::function<void(const std::string&, std::string&&)>& member,
                                     const std::function<void(const std::string&, const std::string&, const std::string&)>& skip) {
  ArchivePtr a = open_reader(bytes, false);
  bool raw = false;
  if (!a && compressed_stream(bytes)) {  // one compressed file, not a tar inside it
    a = open_reader(bytes, true);
    raw = true;
  }
  if (!a) return make_error(ErrorCode::Io, "not a readable zip, tar or compressed file");
  std::uint64_t total = 0, members = 0;
  archive_entry* e = nullptr;
  while (true) {
    const int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc == ARCHIVE_FATAL) return make_error(ErrorCode::Io, fmt::format("corrupt archive: {}", why(a.get())));
    const char* p = archive_entry_pathname(e);
    const std::string name = raw ? "(decompressed)" : (p ? p : "(unnamed)");
    if (archive_entry_filetype(e) != AE_IFREG) continue;  // directories, links, devices: no content
    if (++members > limits.max_members) {
      skip(name, fmt::format("archive has more than {} members: the rest were not scanned", limits.max_members), "archive_members");
      break;
    }
    if (archive_entry_is_encrypted(e)) {
      skip(name, "encrypted archive member (cannot be read)", "");
      continue;
    }
    // Skipping a member of a zip or a plain tar is a seek; inside a compressed stream it means
    // decompressing it, which a bomb turns into minutes: there the rest is not read at all.
    const bool cheap_skip = archive_format(a.get()) == ARCHIVE_FORMAT_ZIP || archive_filter_count(a.get()) <= 1;
    auto oversize = [&](const std::string& what) {
      skip(name, what, "max_file_size");
      if (!cheap_skip) skip(name, "the members after it in this compressed archive were not scanned", "max_file_size");
      return !cheap_skip;
    };
    if (archive_entry_size_is_set(e) && static_cast<std::uint64_t>(archive_entry_size(e)) > limits.max_member_bytes) {
      if (oversize(fmt::format("archive member larger than max_file_size {} ({})", human_size(limits.max_member_bytes),
                               human_size(static_cast<std::uint64_t>(archive_entry_size(e)))))) {
        break;
      }
      continue;
    }
    std::string data;
    bool member_too_big = false, over_total = false, failed = false;
    char buf[64 * 1024];
    while (true) {
      const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        if (n == ARCHIVE_RETRY || n == ARCHIVE_WARN) continue;
        failed = true;
        break;
      }
      if (data.size() + static_cast<std::size_t>(n) > limits.max_member_bytes) {
        member_too_big = true;
        break;
      }
      if (total + data.size() + static_cast<std::size_t>(n) > limits.max_total_bytes) {
        over_total = true;
        break;
      }
      data.append(buf, static_cast<std::size_t>(n));
    }
    if (failed) {
      skip(name, fmt::format("unreadable archive member: {}", why(a.get())), "");
      if (!cheap_skip) break;
      continue;
    }
    if (over_total) {
      skip(name, fmt::format("archive expands beyond {}: this member and the rest were not scanned", human_size(limits.max_total_bytes)), "archive_total");
      break;
    }
    if (member_too_big) {
      if (oversize(fmt::format("archive member larger than max_file_size {}", human_size(limits.max_member_bytes)))) break;
      continue;
    }
    total += data.size();
    member(name, std::move(data));
  }
  return {};
}

}  // namespace vigil
