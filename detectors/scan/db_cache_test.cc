// The compiled-database cache: a second compile of the same rules maps the cached file instead of
// compiling, the mapped database scans like the compiled one, and a damaged, truncated or foreign
// file is never used: the scanner compiles again and rewrites it.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "detectors/scan/scanner.h"
#include "tests/support/temp_repo.h"

using namespace vigil;
namespace fs = std::filesystem;

namespace {

std::vector<Rule> demo_rules() {
  Rule r;
  r.id = "demo.token";
  r.regex = R"(demo_([A-Za-z0-9]{24}))";
  r.secret_group = 1;
  r.source = "db_cache_test";
  Rule r2 = r;
  r2.id = "demo.key";
  r2.regex = R"(KEY-([0-9A-F]{16}))";
  return {r, r2};
}

struct Run {
  CompileStats stats;
  std::vector<Match> matches;
};

Run compile_and_scan(const std::string& dir, std::string_view text) {
  Run run;
  CacheOptions cache;
  cache.dir = dir;
  auto s = Scanner::compile(demo_rules(), cache, &run.stats);
  REQUIRE(s);
  auto scratch = s->make_scratch();
  REQUIRE(scratch);
  REQUIRE(s->scan(text, *scratch, run.matches));
  return run;
}

std::string cache_file_in(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".hsdb") return e.path().string();
  }
  return {};
}

void rewrite(const std::string& file, const std::function<void(std::string&)>& edit) {
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  edit(bytes);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

const std::string kText = "x = demo_abcdefghijklmnopqrstuvwx\ny = KEY-0123456789ABCDEF\n";

}  // namespace

TEST_CASE("db cache: the second compile maps the cached database and finds the same matches") {
  test::TempDir dir;
  const auto first = compile_and_scan(dir.path(), kText);
  CHECK_FALSE(first.stats.cache_hit);
  REQUIRE(first.matches.size() == 2);
  const auto file = cache_file_in(dir.path());
  REQUIRE_FALSE(file.empty());

  const auto second = compile_and_scan(dir.path(), kText);
  CHECK(second.stats.cache_hit);
  REQUIRE(second.matches.size() == first.matches.size());
  for (std::size_t i = 0; i < first.matches.size(); ++i) {
    CHECK(second.matches[i].rule == first.matches[i].rule);
    CHECK(second.matches[i].begin == first.matches[i].begin);
    CHECK(second.matches[i].end == first.matches[i].end);
  }
}

TEST_CASE("db cache: a damaged, truncated or foreign cache file is rebuilt, never used") {
  const std::vector<std::pair<const char*, std::function<void(std::string&)>>> damages = {
      {"one flipped byte in the database", [](std::string& b) { b[b.size() / 2] ^= 0x40; }},
      {"one flipped byte in the trailer", [](std::string& b) { b[b.size() - 10] ^= 0x01; }},
      // Our checksum covers the first 4 KB (Hyperscan's header: where the bytecode starts, its
      // length); Hyperscan's CRC covers the bytecode after it. One byte in each.
      {"one flipped byte in Hyperscan's header", [](std::string& b) { b[40] ^= 0x08; }},
      {"one flipped byte of bytecode after the first 4 KB",
       [](std::string& b) {
         REQUIRE(b.size() > 4096 + 64 + 32);
         b[b.size() - 32 - 64] ^= 0x10;
       }},
      {"truncated", [](std::string& b) { b.resize(b.size() / 3); }},
      {"empty", [](std::string& b) { b.clear(); }},
      {"not a database", [](std::string& b) { b.assign(b.size(), 'A'); }},
  };
  for (const auto& [what, damage] : damages) {
    CAPTURE(what);
    test::TempDir dir;
    compile_and_scan(dir.path(), kText);
    const auto file = cache_file_in(dir.path());
    REQUIRE_FALSE(file.empty());
    rewrite(file, damage);

    const auto rebuilt = compile_and_scan(dir.path(), kText);
    CHECK_FALSE(rebuilt.stats.cache_hit);
    CHECK(rebuilt.stats.cache_note.find("corrupt") != std::string::npos);
    CHECK(rebuilt.matches.size() == 2);
    // ...and the rewritten file is good again.
    const auto again = compile_and_scan(dir.path(), kText);
    CHECK(again.stats.cache_hit);
    CHECK(again.matches.size() == 2);
  }
}

TEST_CASE("db cache: writing a database prunes entries unused for long, and keeps at most 32") {
  test::TempDir dir;
  const auto now = fs::file_time_type::clock::now();
  // 40 other databases used over the last 40 hours, and one last used 90 days ago.
  for (int i = 0; i < 40; ++i) {
    const auto p = dir.path() + "/" + std::string(31, 'a') + std::to_string(i % 10) + std::to_string(i) + ".hsdb";
    std::ofstream(p) << "x";
    fs::last_write_time(p, now - std::chrono::hours(i + 1));
  }
  const auto ancient = dir.path() + "/ancient.hsdb";
  std::ofstream(ancient) << "x";
  fs::last_write_time(ancient, now - std::chrono::hours(24 * 90));
  const auto unrelated = dir.path() + "/notes.txt";
  std::ofstream(unrelated) << "kept";

  compile_and_scan(dir.path(), kText);  // a miss: compiles and writes its entry
  std::size_t hsdb = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) hsdb += e.path().extension() == ".hsdb";
  CHECK(hsdb == 32);
  CHECK_FALSE(fs::exists(ancient));
  CHECK(fs::exists(unrelated));
  // The most recently used ones stayed, and the new entry is used on the next run.
  CHECK(fs::exists(dir.path() + "/" + std::string(31, 'a') + "00.hsdb"));
  CHECK(compile_and_scan(dir.path(), kText).stats.cache_hit);
}
