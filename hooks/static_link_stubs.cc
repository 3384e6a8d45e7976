// Linked only into the statically linked hook binaries (VIGIL_STATIC_HOOKS, hooks/CMakeLists.txt).
// vigil opens repositories on disk and never fetches, pushes or speaks HTTP or SSH, so the hooks
// leave out what libgit2 sets up for network transports.
//
// git_libgit2_init() seeds mbedTLS's random generator (HAVEGE entropy gathering, then the system CA
// bundle: ~140 certificates to parse) and runs libssh2_init(), which initialises OpenSSL and loads
// its error strings and engines: together ~0.9 ms of a ~10 ms pre-commit run. -Wl,--wrap sends
// libgit2's two calls here; an HTTPS or SSH remote would then fail to connect, and no hook opens one.
extern "C" int __wrap_git_mbedtls_stream_global_init(void) { return 0; }
extern "C" int __wrap_git_transport_ssh_global_init(void) { return 0; }

// libgit2.a's git_libgit2_init() refers to its HTTP transport settings, which pull in HTTP
// "Negotiate" (Kerberos) authentication and with it libgssapi_krb5 and six more shared libraries
// for the loader to map and relocate at every hook start (~0.75 ms). These definitions stand in
// for the GSSAPI calls that code makes:
// each fails with GSS_S_FAILURE, which libgit2 reports as an authentication error, should anything
// ever reach it. The shared-library build of vigil (the CLI, tests, sanitizer builds) links the
// real library instead.
#include <cstdint>

namespace {
using OmUint32 = std::uint32_t;
constexpr OmUint32 kGssFailure = 13u << 16;  // GSS_S_FAILURE (RFC 2744)
}  // namespace

extern "C" {
// gss_OID in the real header: a pointer to {length, elements}. Never dereferenced here.
void* GSS_C_NT_HOSTBASED_SERVICE = nullptr;

OmUint32 gss_indicate_mechs(OmUint32* minor, void** /*mech_set*/) {
  if (minor) *minor = 0;
  return kGssFailure;
}
OmUint32 gss_release_oid_set(OmUint32* minor, void** /*set*/) {
  if (minor) *minor = 0;
  return 0;
}
OmUint32 gss_import_name(OmUint32* minor, const void* /*buffer*/, const void* /*type*/, void** /*name*/) {
  if (minor) *minor = 0;
  return kGssFailure;
}
OmUint32 gss_init_sec_context(OmUint32* minor, void*, void**, void*, const void*, OmUint32, OmUint32, void*,
                              void*, void**, void*, OmUint32*, OmUint32*) {
  if (minor) *minor = 0;
  return kGssFailure;
}
OmUint32 gss_delete_sec_context(OmUint32* minor, void** /*context*/, void* /*token*/) {
  if (minor) *minor = 0;
  return 0;
}
OmUint32 gss_release_name(OmUint32* minor, void** /*name*/) {
  if (minor) *minor = 0;
  return 0;
}
OmUint32 gss_release_buffer(OmUint32* minor, void* /*buffer*/) {
  if (minor) *minor = 0;
  return 0;
}
OmUint32 gss_display_status(OmUint32* minor, OmUint32, int, const void*, OmUint32*, void* /*string*/) {
  if (minor) *minor = 0;
  return kGssFailure;
}
}
