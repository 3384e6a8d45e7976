// Loading trusted key material (allowed_signers, OpenPGP keys, CA certificates) from a tree of the
// repository (the old tip, on a server) or from a directory on disk.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "detectors/signatures/verifier.h"
#include "detectors/util/glob.h"

namespace fs = std::filesystem;

namespace vigil {

Result<TrustedKeys> load_trusted_keys(const git::Repo& repo, const std::string& rev, const SignaturePolicy& policy) {
  TrustedKeys keys;
  const std::pair<const std::vector<std::string>*, std::vector<KeyFile>*> kinds[] = {
      {&policy.allowed_signers, &keys.allowed_signers},
      {&policy.openpgp_keys, &keys.openpgp_keys},
      {&policy.x509_cas, &keys.x509_cas}};
  for (const auto& [globs, out] : kinds) {
    if (globs->empty()) continue;
    auto files = git::read_files_matching(repo, rev, *globs);
    if (!files) return files.error();
    for (auto& [path, text] : *files) out->push_back(KeyFile{rev + ":" + path, std::move(text)});
  }
  return keys;
}

Result<TrustedKeys> load_trusted_keys_from_dir(const std::string& dir, const SignaturePolicy& policy) {
  TrustedKeys keys;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error(ErrorCode::Config, fmt::format("trusted keys directory '{}' does not exist — check the path", dir));
  }
  std::vector<std::string> rels;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) rels.push_back(fs::relative(it->path(), dir, ec).generic_string());
  }
  std::sort(rels.begin(), rels.end());
  const std::pair<const std::vector<std::string>*, std::vector<KeyFile>*> kinds[] = {
      {&policy.allowed_signers, &keys.allowed_signers},
      {&policy.openpgp_keys, &keys.openpgp_keys},
      {&policy.x509_cas, &keys.x509_cas}};
  for (const auto& rel : rels) {
    for (const auto& [globs, out] : kinds) {
      if (std::any_of(globs->begin(), globs->end(), [&](const std::string& g) { return glob_match(g, rel); })) {
        std::ifstream in(fs::path(dir) / rel, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!in) return make_error(ErrorCode::Io, fmt::format("cannot read {}/{}", dir, rel));
        out->push_back(KeyFile{dir + "/" + rel, ss.str()});
        break;
      }
    }
  }
  return keys;
}

}  // namespace vigil
