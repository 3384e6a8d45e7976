// Fuzz target: the scanner on arbitrary bytes, through the same ScanSession::scan_buffer the hooks
// use: binary and size checks, Hyperscan stage 1, PCRE2 confirmation windows, the decoding layers
// (base64, base64url, percent, backslash escapes, two layers deep), line/column mapping,
// excerpts with masked secrets, inline allows and policy. The first byte picks the path
// (ordinary file, lockfile, .env) and whether only "added lines" count, as in a push.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/pipeline.h"
#include "fuzz/fuzz_util.h"

namespace {

std::unique_ptr<vigil::Engine> g_engine;
std::unique_ptr<vigil::ScanSession> g_session;

[[noreturn]] void fail(const char* what, const std::string& why) {
  std::fprintf(stderr, "scan_fuzz: %s: %s\n", what, why.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Compiled databases go to a private cache (bench/fuzz.sh points this at the build dir, so
  // later runs load it instead of compiling the pack again).
  if (!std::getenv("VIGIL_CACHE_DIR")) ::setenv("VIGIL_CACHE_DIR", vigil::fuzz::make_temp_dir("cache").c_str(), 1);
  auto cfg = vigil::default_config();
  if (!cfg) fail("default config", cfg.error().message);
  auto engine = vigil::Engine::create(std::move(*cfg));
  if (!engine) fail("engine", engine.error().message);
  g_engine = std::make_unique<vigil::Engine>(std::move(*engine));
  auto session = vigil::ScanSession::create(*g_engine);
  if (!session) fail("session", session.error().message);
  g_session = std::make_unique<vigil::ScanSession>(std::move(*session));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kPaths[] = {"src/app.py", "package-lock.json", ".env", "config/settings.yaml"};
  const unsigned sel = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  vigil::BufferContext ctx;
  ctx.path = kPaths[sel & 3];
  if (sel & 4) {
    ctx.only_added_lines = true;
    ctx.added_lines = {{1, 2}, {4, 4 + (sel >> 4)}};
  }
  std::vector<vigil::Finding> findings;
  std::vector<vigil::Skip> skips;
  auto r = g_session->scan_buffer(bytes, ctx, findings, skips);
  if (!r) fail("scan_buffer", r.error().message);
  for (const auto& f : findings) {
    // A finding points inside the buffer and never carries a long excerpt.
    if (f.line == 0 || f.column == 0 || f.rule_id.empty() || f.fingerprint.empty()) fail("finding", f.rule_id);
    if (f.excerpt.size() > 200) fail("excerpt too long", f.rule_id);
  }
  return 0;
}
