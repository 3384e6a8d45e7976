// Benchmark driver for bench/signatures.sh: verifies the commit ids read from stdin with vigil's
// TrustStore (keys from a directory laid out like a repository's .vigil/) and prints the rate.
// Usage: signatures_bench REPO KEYS_DIR [--ssh-keygen-only] < ids
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "detectors/git/repo.h"
#include "detectors/signatures/verifier.h"

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && std::string(argv[3]) == "--ssh-keygen-only")) {
    std::fprintf(stderr, "usage: %s REPO KEYS_DIR [--ssh-keygen-only] < commit-ids\n", argv[0]);
    return 2;
  }
  vigil::git::LibGit2Session git;
  std::vector<std::string> ids;
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty()) ids.push_back(line);
  }
  auto repo = vigil::git::Repo::discover(argv[1]);
  if (!repo) return std::fprintf(stderr, "vigil: error: %s\n", repo.error().message.c_str()), 2;
  vigil::SignaturePolicy policy;
  const auto t0 = std::chrono::steady_clock::now();
  auto keys = vigil::load_trusted_keys_from_dir(argv[2], policy);
  if (!keys) return std::fprintf(stderr, "vigil: error: %s\n", keys.error().message.c_str()), 2;
  auto store = vigil::TrustStore::build(*keys);
  if (!store) return std::fprintf(stderr, "vigil: error: %s\n", store.error().message.c_str()), 2;
  if (argc == 4) store->set_ssh_fast_path(false);
  const auto t1 = std::chrono::steady_clock::now();
  const auto findings = vigil::verify_commits(*repo, ids, *store, policy);
  const auto t2 = std::chrono::steady_clock::now();
  const double build_s = std::chrono::duration<double>(t1 - t0).count();
  const double verify_s = std::chrono::duration<double>(t2 - t1).count();
  for (std::size_t i = 0; i < findings.size() && i < 3; ++i) {
    std::fprintf(stderr, "  %s %s: %s\n", findings[i].commit.c_str(), findings[i].rule_id.c_str(),
                 findings[i].note.substr(0, 160).c_str());
  }
  std::printf("commits=%zu not_good=%zu trust_store_s=%.3f verify_s=%.3f commits_per_s=%.1f\n", ids.size(),
              findings.size(), build_s, verify_s, verify_s > 0 ? static_cast<double>(ids.size()) / verify_s : 0.0);
  return findings.empty() ? 0 : 1;
}
