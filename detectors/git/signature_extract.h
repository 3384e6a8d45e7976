// Signature extraction: the signature block and the exact signed bytes of a commit or an
// annotated tag, plus who claims to have made it and when. Plain structs, so the verifier
// (detectors/signatures/) never sees libgit2.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detectors/git/repo.h"
#include "detectors/util/result.h"

namespace vigil::git {

enum class SignedKind { Commit,
                        Tag };

/// One commit or annotated tag as a signature verifier needs it.
struct SignedObject {
  SignedKind kind = SignedKind::Commit;
  std::string id;          // object id (hex)
  std::string signature;   // the armored signature block; empty when the object is unsigned
  std::string payload;     // the bytes the signature covers (the object without the signature)
  std::string name;        // committer (commit) or tagger (tag) name
  std::string email;       // committer or tagger email, as written in the object
  std::int64_t time = 0;   // committer / tagger time, seconds since the epoch (0 when absent)
  int offset_minutes = 0;  // its time zone
  std::string summary;     // first line of the message, for reports
  std::string tag_name;    // tags only
  bool is_signed() const { return !signature.empty(); }
};

/// Reads a commit; an unsigned commit is not an error (signature stays empty). Like git, only the
/// "gpgsig" header counts.
Result<SignedObject> extract_commit_signature(const Repo& repo, const std::string& commit_id);

/// Reads an annotated tag object (not a lightweight tag: that has no object to sign). The
/// signature is the last block of the message that starts with a known armor line, exactly as
/// git's parse_signed_buffer finds it.
Result<SignedObject> extract_tag_signature(const Repo& repo, const std::string& tag_id);

/// The offset in `object` where a trailing signature block begins (object.size() when none):
/// the last line starting with a PGP, SSH or X.509 (CMS) armor header.
std::size_t signed_buffer_end(std::string_view object);

/// The files of the tree at `rev` whose paths match any of `globs` (detectors/util/glob.h
/// syntax), as (path, content) in tree order. An unresolvable `rev` yields an empty list — a
/// repository with no history trusts nobody yet. Used to read the trusted keys from the old tip.
Result<std::vector<std::pair<std::string, std::string>>> read_files_matching(
    const Repo& repo, const std::string& rev, const std::vector<std::string>& globs);

}  // namespace vigil::git
