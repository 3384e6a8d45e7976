#include "detectors/git/repo.h"

#include <fmt/format.h>
#include <git2.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

// SHA-1 of the work tree file, to prove it is the staged blob (the low-level function: no EVP
// provider initialisation in a hook run).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "detectors/git/handles.h"

// Debian's libgit2 is built with mbedTLS, and git_libgit2_init() parses the whole system CA bundle
// (~140 certificates, ~53M instructions: more than everything else a pre-commit run does). vigil
// never opens a network connection, so these definitions take the place of mbedTLS's for libgit2
// and load nothing: an HTTPS remote would fail certificate checks instead of silently trusting
// anything. Linked dynamically, the executable's symbol wins at load time. They are weak so that
// the statically linked hooks, which skip libgit2's TLS set-up altogether
// (hooks/static_link_stubs.cc), keep mbedTLS's own definitions without a clash.
extern "C" __attribute__((weak)) int mbedtls_x509_crt_parse_file(void* /*chain*/, const char* /*path*/) { return 0; }
extern "C" __attribute__((weak)) int mbedtls_x509_crt_parse_path(void* /*chain*/, const char* /*path*/) { return 0; }

namespace vigil::git {

LibGit2Session::LibGit2Session() {
  git_libgit2_init();
  // Objects that reach us came through git itself (index-pack or the index); re-hashing every
  // object on read doubles the cost of reading history (docs/performance.md).
  git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
}
LibGit2Session::~LibGit2Session() { git_libgit2_shutdown(); }

Error git_error(std::string_view what) {
  const ::git_error* e = git_error_last();
  return make_error(ErrorCode::Git, fmt::format("{}: {}", what, e && e->message ? e->message : "unknown libgit2 error"));
}

void Repo::Free::operator()(git_repository* r) const noexcept { git_repository_free(r); }
Repo::Repo(Repo&&) noexcept = default;
Repo& Repo::operator=(Repo&&) noexcept = default;
Repo::~Repo() = default;

Result<Repo> Repo::discover(const std::string& start) {
  git_repository* r = nullptr;
  const char* gd = std::getenv("GIT_DIR");
  int rc = 0;
  if (gd && *gd) {
    rc = git_repository_open_ext(&r, gd, GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
    if (rc == 0 && !git_repository_is_bare(r)) {
      // GIT_DIR points at the .git of a work tree; git runs hooks from the top of that tree.
      if (const char* wt = std::getenv("GIT_WORK_TREE"); wt && *wt) git_repository_set_workdir(r, wt, 0);
    }
  } else {
    rc = git_repository_open_ext(&r, start.c_str(), 0, nullptr);
  }
  if (rc != 0) {
    if (rc == GIT_ENOTFOUND) {
      return make_error(ErrorCode::Git, fmt::format("not a git repository: '{}' — run this inside a git work tree", start));
    }
    return git_error("cannot open the git repository");
  }
  return Repo(r);
}

Result<Repo> Repo::open_from_env() {
  git_repository* r = nullptr;
  if (git_repository_open_ext(&r, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr) != 0) {
    return git_error("cannot open the repository from the hook environment (GIT_DIR)");
  }
  return Repo(r);
}

std::string Repo::workdir() const {
  const char* w = git_repository_workdir(repo_.get());
  std::string s = w ? w : "";
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string Repo::git_dir() const {
  std::string s = git_repository_path(repo_.get());
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool Repo::is_bare() const { return git_repository_is_bare(repo_.get()) != 0; }

Result<std::string> Repo::read_blob(const std::string& oid_hex) const {
  git_oid oid;
  if (git_oid_fromstr(&oid, oid_hex.c_str()) != 0) {
    return make_error(ErrorCode::Git, fmt::format("invalid object id '{}'", oid_hex));
  }
  git_blob* b = nullptr;
  if (const int rc = git_blob_lookup(&b, repo_.get(), &oid); rc != 0) return unreadable_object(repo_.get(), rc, "blob", oid_hex);
  BlobPtr blob(b);
  const auto* data = static_cast<const char*>(git_blob_rawcontent(b));
  return std::string(data, static_cast<std::size_t>(git_blob_rawsize(b)));
}

namespace {

// The work tree copy of a staged file, when it is byte for byte the blob `oid_hex`. A clean or
// smudge filter, CRLF conversion, a later edit or a symlink all make the hash differ, and the
// caller then reads the object store: the shortcut can only ever return the staged bytes.
std::optional<std::string> worktree_copy(const std::string& workdir, const std::string& path,
                                         const std::string& oid_hex, std::uint64_t size) {
  if (workdir.empty() || path.empty() || oid_hex.size() != 40 || size == 0) return std::nullopt;
  // O_NONBLOCK: a FIFO in the work tree must not block the hook; O_NOFOLLOW: never leave the tree.
  const int fd = open((workdir + "/" + path).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  struct stat st {};
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) == size;
  if (ok) out.resize(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (ok && done < out.size()) {
    const ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else done += static_cast<std::size_t>(n);
  }
  close(fd);
  if (!ok) return std::nullopt;
  const std::string header = fmt::format("blob {}", size);
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, header.c_str(), header.size() + 1);  // with its NUL
  SHA1_Update(&ctx, out.data(), out.size());
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1_Final(md, &ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) {
    if (oid_hex[2 * i] != kHex[md[i] >> 4] || oid_hex[2 * i + 1] != kHex[md[i] & 15]) return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<std::string> Repo::worktree_blob(const std::string& oid_hex, const std::string& path,
                                               std::uint64_t size) const {
  return worktree_copy(workdir(), path, oid_hex, size);  // workdir(): a read of a field, no lock needed
}

std::optional<std::string> Repo::resolve(const std::string& rev) const {
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo_.get(), (rev + "^{commit}").c_str()) != 0) return std::nullopt;
  ObjectPtr obj(o);
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, git_object_id(o));
  return std::string(buf);
}

Result<std::optional<std::string>> Repo::read_file_at(const std::string& rev, const std::string& path) const {
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo_.get(), (rev + "^{tree}").c_str()) != 0) return std::optional<std::string>{};
  ObjectPtr tree_obj(o);
  git_tree_entry* e = nullptr;
  if (git_tree_entry_bypath(&e, reinterpret_cast<git_tree*>(o), path.c_str()) != 0) {
    return std::optional<std::string>{};
  }
  TreeEntryPtr entry(e);
  if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) return std::optional<std::string>{};
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, git_tree_entry_id(e));
  auto bytes = read_blob(buf);
  if (!bytes) return bytes.error();
  return std::optional<std::string>(std::move(*bytes));
}

std::optional<std::pair<std::uint32_t, std::string>> Repo::entry_at(const std::string& rev, const std::string& path) const {
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo_.get(), (rev + "^{tree}").c_str()) != 0) return std::nullopt;
  ObjectPtr tree_obj(o);
  git_tree_entry* e = nullptr;
  if (path.empty() || git_tree_entry_bypath(&e, reinterpret_cast<git_tree*>(o), path.c_str()) != 0) return std::nullopt;
  TreeEntryPtr entry(e);
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, git_tree_entry_id(e));
  return std::make_pair(static_cast<std::uint32_t>(git_tree_entry_filemode(e)), std::string(buf));
}

bool Repo::is_ignored(const std::string& path) const {
  int ignored = 0;
  return git_ignore_path_is_ignored(&ignored, repo_.get(), path.c_str()) == 0 && ignored != 0;
}

std::optional<std::string> Repo::config_string(const std::string& key) const {
  git_config* c = nullptr;
  if (git_repository_config_snapshot(&c, repo_.get()) != 0) return std::nullopt;
  ConfigPtr cfg(c);
  const char* v = nullptr;
  if (git_config_get_string(&v, c, key.c_str()) != 0 || !v) return std::nullopt;
  return std::string(v);
}

}  // namespace vigil::git
