// The process runner: no shell, both pipes drained together, environment and directory of the
// child, exit status and signals, and a program that cannot start.
#include "detectors/util/process.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_repo.h"

using namespace vigil;

TEST_CASE("run_process: arguments reach the program as they are, without a shell") {
  const auto r = run_process({"printf", "%s|", "a b", "$HOME", "*", "'q'"});
  CHECK(r.status == 0);
  CHECK(r.out == "a b|$HOME|*|'q'|");
  CHECK(r.err.empty());
}

TEST_CASE("run_process: large stdout and stderr together do not deadlock") {
  // 1 MB to each pipe, interleaved: a runner that drains one pipe first would block the child.
  const auto r = run_process({"sh", "-c", "i=0; while [ $i -lt 64 ]; do head -c 16384 /dev/zero | tr '\\0' o; "
                                          "head -c 16384 /dev/zero | tr '\\0' e >&2; i=$((i+1)); done"});
  CHECK(r.status == 0);
  CHECK(r.out.size() == 64 * 16384);
  CHECK(r.err.size() == 64 * 16384);
  CHECK(r.out.find_first_not_of('o') == std::string::npos);
}

TEST_CASE("run_process: stdin from a file or /dev/null, the environment set and unset, a directory") {
  test::TempDir dir;
  dir.write("in.txt", "from the file\n");
  ProcOptions o;
  o.stdin_path = dir.path() + "/in.txt";
  o.set_env = {{"VIGIL_PROCESS_TEST", "set"}};
  o.unset_env = {"HOME"};
  o.cwd = dir.path();
  const auto r = run_process({"sh", "-c", "cat; echo \"$VIGIL_PROCESS_TEST ${HOME-unset}\"; pwd; ls"}, o);
  CHECK(r.status == 0);
  CHECK(r.out == "from the file\nset unset\n" + dir.path() + "\nin.txt\n");
  CHECK(run_process({"cat"}).out.empty());  // stdin is /dev/null by default: cat ends at once
}

TEST_CASE("run_process: exit status, 128+signal when killed, -1 with a reason when it cannot start") {
  CHECK(run_process({"sh", "-c", "exit 3"}).status == 3);
  CHECK(run_process({"sh", "-c", "kill -TERM $$"}).status == 128 + 15);
  const auto missing = run_process({"vigil-no-such-program-anywhere"});
  CHECK(missing.status == -1);
  CHECK(missing.err.find("cannot run vigil-no-such-program-anywhere") == 0);
  ProcOptions o;
  o.cwd = "/nonexistent/directory/for/vigil";
  CHECK(run_process({"true"}, o).status == -1);
  CHECK(run_process({}).status == -1);
}
