// File policy: glob and change-type matching, limits, and the repository-wide path checks,
// without git (blob contents come from a map).
#include "detectors/policy/file_policy.h"

#include <doctest/doctest.h>

#include <map>

#include "detectors/policy/config.h"

using namespace vigil;
using git::ChangeKind;
using git::FileChange;

namespace {

FileChange change(ChangeKind kind, std::string path, std::uint32_t mode = 0100644, std::string blob = "b1",
                  std::uint64_t size = 10) {
  FileChange c;
  c.kind = kind;
  c.path = std::move(path);
  c.mode = mode;
  c.blob = kind == ChangeKind::Deleted ? "" : blob;
  c.old_blob = kind == ChangeKind::Added ? "" : "b0";
  c.old_mode = kind == ChangeKind::Added ? 0 : 0100644;
  c.size = size;
  return c;
}

struct Run {
  std::map<std::string, std::string> blobs;
  std::vector<std::string> tree;
  bool with_tree = false;
  std::vector<Finding> operator()(const FilePolicy& p, const std::vector<FileChange>& changes) const {
    FileCheckInput in;
    in.changes = &changes;
    if (with_tree) in.tree_paths = &tree;
    in.read_blob = [this](const std::string& id) -> Result<std::string> {
      auto it = blobs.find(id);
      if (it == blobs.end()) return make_error(ErrorCode::Git, "no blob " + id);
      return it->second;
    };
    auto r = check_file_changes(p, in);
    REQUIRE(r.ok());
    return *r;
  }
};

FilePolicy policy(const std::string& toml) {
  auto c = parse_config("version = 1\n" + toml, ".vigil.toml");
  if (!c) FAIL(c.error().message);
  return c->files;
}

std::vector<std::string> ids(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.rule_id);
  return out;
}

const std::string kLfsPointer =
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 12345678\n";

}  // namespace

TEST_CASE("a rule without limits forbids the matching change itself, with its reason") {
  const auto p = policy("[[files]]\nglob = \".env\"\non = [\"add\"]\nreason = \"credentials\"\n");
  Run run;
  const auto fs = run(p, {change(ChangeKind::Added, "config/.env")});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule_id == "files.1");
  CHECK(fs[0].path == "config/.env");
  CHECK(fs[0].note == "credentials");
  CHECK(fs[0].excerpt == "adds config/.env");
  CHECK(fs[0].disposition == Disposition::Block);
  CHECK(run(p, {change(ChangeKind::Modified, ".env")}).empty());  // 'on' says add only
  CHECK(run(p, {change(ChangeKind::Added, "env.txt")}).empty());
}

TEST_CASE("renaming a protected file away from its glob is caught by the old path") {
  const auto p = policy("[[files]]\nid = \"ci-workflows\"\nglob = \".github/workflows/**\"\nreason = \"CI\"\n");
  auto c = change(ChangeKind::Renamed, "old/ci.yml");
  c.old_path = ".github/workflows/ci.yml";
  c.blob = c.old_blob;
  Run run;
  const auto fs = run(p, {c});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule_id == "ci-workflows");
  CHECK(fs[0].excerpt == "renames .github/workflows/ci.yml to old/ci.yml");
}

TEST_CASE("a mode-only change is 'mode', not 'modify'") {
  auto c = change(ChangeKind::Modified, "run.sh", 0100755);
  c.blob = c.old_blob;
  CHECK(change_types(c) == kOnMode);
  const auto mode_rule = policy("[[files]]\nglob = \"*.sh\"\non = [\"mode\"]\nreason = \"r\"\n");
  const auto modify_rule = policy("[[files]]\nglob = \"*.sh\"\non = [\"modify\"]\nreason = \"r\"\n");
  Run run;
  const auto fs = run(mode_rule, {c});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].excerpt == "changes the mode of run.sh from 100644 to 100755");
  CHECK(run(modify_rule, {c}).empty());
}

TEST_CASE("limits report only the changes that break them") {
  const auto p = policy(
      "[[files]]\nmax_size = \"1KB\"\nbinary = false\nreason = \"keep the repo small\"\n");
  Run run;
  auto big = change(ChangeKind::Added, "a.txt", 0100644, "b1", 4096);
  auto bin = change(ChangeKind::Added, "a.png");
  bin.binary = true;
  auto fine = change(ChangeKind::Added, "b.txt");
  const auto fs = run(p, {big, bin, fine, change(ChangeKind::Deleted, "huge.bin", 0, "", 1u << 30)});
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].path == "a.txt");
  CHECK(fs[0].excerpt == "4.0 KiB is larger than max_size 1.0 KiB");
  CHECK(fs[1].excerpt == "binary file");
}

TEST_CASE("symlinks: deny names the target, inside allows only targets in the repository") {
  const auto deny = policy("[[files]]\nsymlink = \"deny\"\nreason = \"no links\"\n");
  const auto inside = policy("[[files]]\nsymlink = \"inside\"\nreason = \"no escapes\"\n");
  Run run;
  run.blobs = {{"l1", "/etc/shadow"}, {"l2", "../docs/README.md"}, {"l3", "../../x"}};
  auto abs = change(ChangeKind::Added, "shadow", 0120000, "l1");
  auto rel = change(ChangeKind::Added, "sub/readme", 0120000, "l2");
  auto escape = change(ChangeKind::Added, "sub/x", 0120000, "l3");
  auto fs = run(deny, {abs});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].excerpt == "symlink to '/etc/shadow'");
  fs = run(inside, {abs, rel, escape});
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].path == "shadow");
  CHECK(fs[1].path == "sub/x");
  CHECK(fs[1].excerpt == "symlink to '../../x' points outside the repository");
}

TEST_CASE("symlink targets are resolved lexically against the link's directory") {
  CHECK(symlink_stays_inside("a/b/link", "../c"));
  CHECK(symlink_stays_inside("a/link", "./b/../c"));
  CHECK_FALSE(symlink_stays_inside("link", ".."));
  CHECK_FALSE(symlink_stays_inside("a/link", "../../etc/passwd"));
  CHECK_FALSE(symlink_stays_inside("link", "/etc/passwd"));
  CHECK_FALSE(symlink_stays_inside("link", ".git/config"));
  CHECK_FALSE(symlink_stays_inside("link", ".GIT/hooks/pre-commit"));
  CHECK_FALSE(symlink_stays_inside("link", ""));
}

TEST_CASE("symlink targets resolve through the tree's own symlinked directories, with a bound") {
  // A tree as a map: path -> (mode, id); a link's id is its target text.
  std::map<std::string, TreeEntry> tree = {
      {"a", {040000, "t1"}},
      {"a/b", {040000, "t2"}},
      {"a/b/up", {0120000, "../.."}},
      {"sub", {040000, "t3"}},
      {"d", {0120000, "sub/.."}},
      {"x", {0120000, "y"}},
      {"y", {0120000, "x"}},
      {"deep", {0120000, "a/b/up"}},
      {"README", {0100644, "r"}},
  };
  const TreeLookup lookup = [&](const std::string& p) -> Result<std::optional<TreeEntry>> {
    const auto it = tree.find(p);
    if (it == tree.end()) return std::optional<TreeEntry>{};
    return std::optional<TreeEntry>(it->second);
  };
  const BlobReader read = [](const std::string& id) -> Result<std::string> { return id; };
  auto inside = [&](std::string_view link, std::string_view target) {
    auto r = symlink_resolves_inside(link, target, lookup, read);
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(symlink_stays_inside("a/b/esc", "up/.."));  // lexically a/b: the old check passed it
  CHECK_FALSE(inside("a/b/esc", "up/.."));          // up is the root, so up/.. is above it
  CHECK(inside("a/b/readme", "up/README"));
  CHECK_FALSE(inside("e", "d/../.."));  // d -> sub/.. is the root
  CHECK(inside("e", "d/sub"));
  CHECK_FALSE(inside("z", "deep/.."));  // two links deep
  CHECK(inside("z", "deep/a/b"));
  CHECK_FALSE(inside("loop", "x"));                // x -> y -> x: never resolves
  CHECK_FALSE(inside("f", "a/b/up/.git/config"));  // through a link into .git
  // Without a tree to look in, the lexical answer stands.
  auto lexical = symlink_resolves_inside("a/b/esc", "up/..", TreeLookup{}, read);
  REQUIRE(lexical.ok());
  CHECK(*lexical);
}

TEST_CASE("submodule = false blocks adding and updating a gitlink, not removing it") {
  const auto p = policy("[[files]]\nsubmodule = false\nreason = \"vendor code instead\"\n");
  Run run;
  auto add = change(ChangeKind::Added, "vendor/lib", 0160000, "0123456789abcdef0123");
  auto update = change(ChangeKind::Modified, "vendor/lib", 0160000, "1111111111112222");
  update.old_mode = 0160000;
  auto del = change(ChangeKind::Deleted, "vendor/lib", 0);
  const auto fs = run(p, {add, update, del});
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].excerpt == "adds submodule vendor/lib (commit 0123456789ab)");
  CHECK(fs[1].excerpt == "updates submodule vendor/lib (commit 111111111111)");
}

TEST_CASE("lfs_over accepts a pointer and rejects the real large file") {
  const auto p = policy("[[files]]\nglob = \"*.psd\"\nlfs_over = 100\nreason = \"use Git LFS\"\n");
  Run run;
  run.blobs = {{"ptr", kLfsPointer}, {"small", std::string(150, 'x')}};
  CHECK(is_lfs_pointer(kLfsPointer));
  CHECK_FALSE(is_lfs_pointer("version https://git-lfs.github.com/spec/v1\nsize 12\n"));
  auto pointer = change(ChangeKind::Added, "art/logo.psd", 0100644, "ptr", kLfsPointer.size());
  auto real = change(ChangeKind::Added, "art/big.psd", 0100644, "big", 5u << 20);
  auto notptr = change(ChangeKind::Added, "art/small.psd", 0100644, "small", 150);
  const auto fs = run(p, {pointer, real, notptr});
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].path == "art/big.psd");
  CHECK(fs[0].excerpt == "5.0 MiB and not a Git LFS pointer (files over 100 B must be stored with Git LFS)");
  CHECK(fs[1].path == "art/small.psd");
}

TEST_CASE("warn rules warn, and settings.mode = warn turns blocks into warnings") {
  Run run;
  const auto warn = policy("[[files]]\nglob = \"*.log\"\naction = \"warn\"\nreason = \"r\"\n");
  auto fs = run(warn, {change(ChangeKind::Added, "a.log")});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].disposition == Disposition::Warn);
  auto c = parse_config("version = 1\n[settings]\nmode = \"warn\"\n[[files]]\nglob = \"*.log\"\nreason = \"r\"\n", "t");
  REQUIRE(c.ok());
  std::vector<FileChange> changes = {change(ChangeKind::Added, "a.log")};
  FileCheckInput in;
  in.changes = &changes;
  in.mode = c->settings.mode;
  auto r = check_file_changes(c->files, in);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].disposition == Disposition::Warn);
}

TEST_CASE("case and Unicode normalization collisions, within the change and with the tree") {
  CHECK(collision_key("README.md") == collision_key("readme.MD"));
  CHECK(collision_key("caf\xc3\xa9.txt") == collision_key("cafe\xcc\x81.txt"));  // NFC vs NFD
  CHECK(collision_key("CAF\xc3\x89.txt") == collision_key("cafe\xcc\x81.txt"));  // and case
  CHECK(collision_key("a.txt") != collision_key("b.txt"));
  FilePolicy p;
  Run run;
  auto fs = run(p, {change(ChangeKind::Added, "Docs/A.md"), change(ChangeKind::Added, "docs/a.md")});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule_id == "files.case-collision");
  CHECK(fs[0].excerpt == "collides with 'docs/a.md' when case or Unicode normalization is ignored");
  run.with_tree = true;
  run.tree = {"README.md", "readme.md", "src/main.c"};
  fs = run(p, {change(ChangeKind::Added, "readme.md")});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].path == "readme.md");
  // An old collision already in the tree does not block unrelated commits.
  run.tree = {"README.md", "readme.md", "src/main.c", "src/util.c"};
  CHECK(run(p, {change(ChangeKind::Added, "src/util.c")}).empty());
  // Renaming a file to a new case of its own name is no collision.
  auto ren = change(ChangeKind::Renamed, "readme.txt");
  ren.old_path = "README.txt";
  run.tree = {"readme.txt"};
  CHECK(run(p, {ren}).empty());
}

TEST_CASE("unsafe names: control characters, trailing dot or space, Windows devices, bad UTF-8") {
  CHECK(unsafe_name_problem("src/main.c") == std::nullopt);
  CHECK(unsafe_name_problem("docs/caf\xc3\xa9.md") == std::nullopt);
  CHECK(unsafe_name_problem("auxiliary.c") == std::nullopt);
  CHECK(unsafe_name_problem("com10.txt") == std::nullopt);
  CHECK(unsafe_name_problem("a\tb") == "control character 0x09 in the name");
  CHECK(unsafe_name_problem("notes.") == "'notes.' ends with a dot, which Windows drops");
  CHECK(unsafe_name_problem("dir /x") == "'dir ' ends with a space, which Windows drops");
  CHECK(unsafe_name_problem("src/aux.txt") == "'aux.txt' is a reserved device name on Windows");
  CHECK(unsafe_name_problem("CON") == "'CON' is a reserved device name on Windows");
  CHECK(unsafe_name_problem("lpt9.log") == "'lpt9.log' is a reserved device name on Windows");
  CHECK(unsafe_name_problem("nul .txt") == "'nul .txt' is a reserved device name on Windows");
  CHECK(unsafe_name_problem("bad\xff.txt") == "the name is not valid UTF-8");
  CHECK(unsafe_name_problem("over\xc0\xaflong") == "the name is not valid UTF-8");
  CHECK(unsafe_name_problem("cut\xe2\x82") == "the name is not valid UTF-8");
}

TEST_CASE("path traversal: '..', '.git' in any case and its NTFS spellings, absolute paths") {
  CHECK(traversal_problem("src/.gitignore") == std::nullopt);
  CHECK(traversal_problem(".github/workflows/ci.yml") == std::nullopt);
  CHECK(traversal_problem("a/../b") == "the path has a '..' component");
  CHECK(traversal_problem(".GIT/hooks/post-checkout") == "the path has a '.GIT' component");
  CHECK(traversal_problem("sub/.git/config") == "the path has a '.git' component");
  CHECK(traversal_problem(".git./config") == "the path has a '.git.' component");
  CHECK(traversal_problem("GIT~1/config") == "the path has a 'GIT~1' component");
  CHECK(traversal_problem("..\\..\\evil") == "the path has a '..' component");
  CHECK(traversal_problem("/etc/passwd") == "the path is absolute");
}

TEST_CASE("path checks judge new names only, and can be tuned or turned off by id") {
  Run run;
  FilePolicy p;
  auto fs = run(p, {change(ChangeKind::Added, "aux.txt"), change(ChangeKind::Modified, "con.c")});
  CHECK(ids(fs) == std::vector<std::string>{"files.unsafe-name"});
  const auto off = policy("[[files]]\nid = \"files.unsafe-name\"\naction = \"off\"\nreason = \"linux only\"\n");
  CHECK(run(off, {change(ChangeKind::Added, "aux.txt")}).empty());
  const auto warn = policy("[[files]]\nid = \"files.case-collision\"\naction = \"warn\"\n");
  fs = run(warn, {change(ChangeKind::Added, "A"), change(ChangeKind::Added, "a")});
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].disposition == Disposition::Warn);
}

TEST_CASE("[[files]] config errors name the rule and file:line") {
  auto err = [](const std::string& toml) {
    auto c = parse_config("version = 1\n" + toml, ".vigil.toml");
    REQUIRE_FALSE(c.ok());
    return c.error().message;
  };
  CHECK(err("[[files]]\nid = \"no-keys\"\nglob = \"keys/[a-z\"\nreason = \"r\"\n") ==
        ".vigil.toml:4:8: [[files]] rule 'no-keys': unclosed '[' in glob 'keys/[a-z'");
  CHECK(err("[[files]]\nglob = \"a\"\nreason = \"r\"\n[[files]]\nglob = \"b\"\non = [\"edit\"]\nreason = \"r\"\n") ==
        ".vigil.toml:7:6: [[files]] rule 'files.2': unknown change type 'edit' in 'on' (use add, modify, delete, "
        "rename, mode)");
  CHECK(err("[[files]]\nglob = \"*.pem\"\n") == ".vigil.toml:2:1: [[files]] rule 'files.1' needs a 'reason' (it is "
                                                "shown to whoever the rule stops)");
  CHECK(err("[[files]]\nreason = \"r\"\n").find("would forbid every change") != std::string::npos);
  CHECK(err("[[files]]\nglob = \"x\"\nreason = \"r\"\nmax_sise = 1\n") ==
        ".vigil.toml:5:12: unknown key 'max_sise' in [[files]] rule 'files.1' (did you mean 'max_size'?)");
  // A signer rule must name a group the file defines; 'protected' alone names nobody who may sign.
  CHECK(err("[[files]]\nglob = \".github/**\"\nprotected = [\".github/**\"]\nsigners = \"maintainers\"\nreason = \"r\"\n")
            .find("names signer group 'maintainers', which no [signers.maintainers] table defines") != std::string::npos);
  CHECK(err("[[files]]\nglob = \".github/**\"\nprotected = [\".github/**\"]\nreason = \"r\"\n")
            .find("'protected' needs signers = \"<group>\"") != std::string::npos);
  CHECK(err("[signers.maintainers]\nmembers = [\"a@x\"]\n[[files]]\nglob = \"a\"\nsigners = \"maintainers\"\nmax_size = 1\n"
            "reason = \"r\"\n")
            .find("'max_size' does not go with 'signers'") != std::string::npos);
  CHECK(err("[signers.maintainers]\nmembers = []\n").find("has no members") != std::string::npos);
  CHECK(err("[signers.maintainers]\nmembers = [\"a@x\"]\n[[files]]\nglob = \"a\"\nsigners = \"maintainers\"\n"
            "approval = \"later\"\nreason = \"r\"\n")
            .find("approval must be \"signed\"") != std::string::npos);
  CHECK(err("[[files]]\nid = \"files.unsafe-name\"\nglob = \"x\"\n").find("unknown key 'glob'") != std::string::npos);
}
