// Fuzz target: commit and tag signature extraction and SSH signature parsing. The input is
// "<raw object>\n---\n<allowed_signers text>". The object is written both as a commit and as a
// tag object into a scratch repository (loose objects, deleted after each run: libgit2's
// in-memory mempack backend does not NUL-terminate what it returns, and libgit2's commit parser
// relies on that, so it would report overflows that real repositories cannot have) and read back
// through
// extract_commit_signature / extract_tag_signature (libgit2's header parsing, then vigil's armor
// search, gpgsig handling and summary); signature_format sees each signature block; the
// allowed_signers text goes through simple_signers; and every signature found is checked with
// the in-process SSHSIG verifier (armor, base64, wire format, key blobs, openssl) against those
// signers, as the gate does.
#include <git2.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/git/repo.h"
#include "detectors/git/signature_extract.h"
#include "detectors/signatures/sshsig.h"
#include "detectors/signatures/verifier.h"
#include "fuzz/fuzz_util.h"

namespace {

std::unique_ptr<vigil::git::Repo> g_repo;
std::string g_dir;

[[noreturn]] void fail(const char* what) {
  const git_error* e = git_error_last();
  std::fprintf(stderr, "signature_fuzz: %s: %s\n", what, e && e->message ? e->message : "?");
  std::abort();
}

void verify(const std::vector<vigil::sshsig::Signer>& signers, const vigil::git::SignedObject& o) {
  (void)vigil::signature_format(o.signature);
  (void)vigil::sshsig::verify_fast(signers, o.signature, o.payload, o.email);
  std::size_t tried = 0;  // the first few listed principals (the check is per principal)
  for (const auto& s : signers) {
    for (const auto& p : s.principals) {
      if (++tried > 4) return;
      (void)vigil::sshsig::verify_fast(signers, o.signature, o.payload, p);
    }
  }
}

void check_object(const std::vector<vigil::sshsig::Signer>& signers, std::string_view object, git_object_t type) {
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, g_repo->raw()) != 0) fail("odb");
  git_oid oid;
  const int rc = git_odb_write(&oid, odb, object.data(), object.size(), type);
  git_odb_free(odb);
  if (rc != 0) fail("write object");
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  struct Unlink {  // the scratch repository stays empty between runs
    std::string path;
    ~Unlink() { ::unlink(path.c_str()); }
  } remove_after{g_dir + "/objects/" + std::string(hex, 2) + "/" + std::string(hex + 2)};
  auto o = type == GIT_OBJECT_COMMIT ? vigil::git::extract_commit_signature(*g_repo, hex)
                                     : vigil::git::extract_tag_signature(*g_repo, hex);
  git_error_clear();
  if (!o) return;
  if (o->id != hex) std::abort();
  if (o->kind == vigil::git::SignedKind::Tag && o->payload.size() + o->signature.size() < object.size()) std::abort();
  verify(signers, *o);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::unsetenv("GIT_DIR");
  git_libgit2_init();
  // No object cache: every input is parsed from its bytes, and memory stays flat.
  git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
  g_dir = vigil::fuzz::make_temp_dir("repo");
  git_repository* raw = nullptr;
  if (git_repository_init(&raw, g_dir.c_str(), 1) != 0) fail("init");
  git_repository_free(raw);
  auto repo = vigil::git::Repo::discover(g_dir);
  if (!repo) fail("open");
  g_repo = std::make_unique<vigil::git::Repo>(std::move(*repo));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = vigil::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  const std::string_view object = parts[0];

  const auto signers = vigil::sshsig::simple_signers(parts[1]);
  for (const auto& s : signers) {
    if (s.principals.empty() || s.key_blob.empty()) std::abort();
    (void)vigil::sshsig::fingerprint(s.key_blob);
  }

  // The armor search on its own (what extract_tag_signature does with a tag's bytes).
  const std::size_t end = vigil::git::signed_buffer_end(object);
  if (end > object.size()) std::abort();
  vigil::git::SignedObject raw;
  raw.payload = std::string(object.substr(0, end));
  raw.signature = std::string(object.substr(end));
  verify(signers, raw);

  check_object(signers, object, GIT_OBJECT_COMMIT);
  check_object(signers, object, GIT_OBJECT_TAG);
  return 0;
}
