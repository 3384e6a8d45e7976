// End-to-end: `vigil scan --archives` finds a secret inside zip, tar.gz, nested and single-file
// gzip archives, names it "<archive>!<member>", keeps its bounds (member size, nesting depth) and
// says what it skipped; without the flag an archive is a named skip, not a silent pass.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using vigil::test::fake_github_pat;
using vigil::test::sh;
using vigil::test::TempDir;

namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// Builds the archives with Python's zipfile/tarfile/gzip (independent of libarchive, which reads them).
void make_archives(const TempDir& dir, const std::string& token) {
  dir.write("make.py", R"PY(
import gzip, io, sys, tarfile, zipfile
token = sys.argv[1]
line = "GITHUB_TOKEN=" + token + "\n"
def tar_gz(path, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in members:
            ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    open(path, "wb").write(buf.getvalue())
with zipfile.ZipFile("in/config.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("app/settings.env", "DEBUG=1\n" + line)
    z.writestr("app/README", "no secrets here\n")
zip_bytes = open("in/config.zip", "rb").read()
tar_gz("in/release.tar.gz", [("release/config.zip", zip_bytes), ("release/notes.txt", b"v1\n")])
open("in/token.env.gz", "wb").write(gzip.compress(line.encode()))
# 6 MiB of text then the token: one member over the 5 MiB max_file_size
with zipfile.ZipFile("big/huge.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("huge.txt", "x" * (6 << 20) + line)
    z.writestr("small.env", line)
with zipfile.ZipFile("clean/clean.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.txt", "hello\n")
open("bad/broken.zip", "wb").write(zip_bytes[: len(zip_bytes) // 2])
)PY");
  REQUIRE(sh(dir.path(), "mkdir -p in big clean bad && python3 make.py '" + token + "'").status == 0);
}

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("scan --archives: finds a secret in a zip, a zip inside a tar.gz, and a .gz file") {
    TempDir dir;
    const auto token = fake_github_pat(7);
    make_archives(dir, token);

    const auto plain = sh(dir.path(), "$VIGIL scan in");
    INFO(plain.err);
    CHECK(plain.status == 0);                                                                        // compressed bytes: nothing a rule can read...
    CHECK(has(plain.err, "config.zip: archive or compressed file (--archives scans its members)"));  // ...and said so

    const auto r = sh(dir.path(), "$VIGIL scan --archives --format json in");
    INFO(r.err);
    CHECK(r.status == 1);
    CHECK(has(r.out, "in/config.zip!app/settings.env"));
    CHECK(has(r.out, "in/release.tar.gz!release/config.zip!app/settings.env"));
    CHECK(has(r.out, "in/token.env.gz!(decompressed)"));
    CHECK_FALSE(has(r.out, token));           // redacted, as everywhere
    CHECK_FALSE(has(r.out, "app/README\""));  // a clean member is not a finding

    // One level only: the zip inside the tarball is not opened, and the skip says why.
    const auto shallow = sh(dir.path(), "$VIGIL scan --archives --archive-depth 1 in/release.tar.gz");
    CHECK(shallow.status == 0);
    CHECK(has(shallow.err, "release.tar.gz!release/config.zip: archive nested deeper than --archive-depth"));

    // stdin too.
    const auto piped = sh(dir.path(), "$VIGIL scan --archives - < in/config.zip");
    CHECK(piped.status == 1);
    CHECK(has(piped.err, "<stdin>!app/settings.env"));
  }

  TEST_CASE("scan --archives: bounds and bad archives are reported, not silent") {
    TempDir dir;
    make_archives(dir, fake_github_pat(8));

    // The 6 MiB member is skipped with the limit named; the small member after it is still scanned.
    const auto big = sh(dir.path(), "$VIGIL scan --archives big");
    INFO(big.err);
    CHECK(big.status == 1);
    CHECK(has(big.err, "huge.zip!huge.txt: archive member larger than max_file_size"));
    CHECK(has(big.err, "huge.zip!small.env"));

    const auto clean = sh(dir.path(), "$VIGIL scan --archives clean");
    CHECK(clean.status == 0);

    // A truncated zip: the members before the damage are still read (the secret is found), the
    // skip names the problem, and the bytes are also scanned plainly.
    const auto bad = sh(dir.path(), "$VIGIL scan --archives bad");
    INFO(bad.err);
    CHECK(bad.status == 1);
    CHECK(has(bad.err, "broken.zip!app/settings.env"));
    CHECK(has(bad.err, "broken.zip: corrupt archive"));
    CHECK(has(bad.err, "scanned as plain bytes"));

    // The flag belongs to files on disk.
    const auto hist = sh(dir.path(), "$VIGIL scan --archives --history .");
    CHECK(hist.status == 2);
    CHECK(has(hist.err, "--archives"));
  }
}
