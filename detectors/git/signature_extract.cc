// Signature extraction for commits and annotated tags (libgit2 side of signature verification).
#include "detectors/git/signature_extract.h"

#include <fmt/format.h>
#include <git2.h>

#include <array>
#include <string_view>

#include "detectors/git/handles.h"
#include "detectors/util/glob.h"

namespace vigil::git {

namespace {

struct BufFree {
  void operator()(git_buf* b) const noexcept { git_buf_dispose(b); }
};

Result<git_oid> parse_oid(const std::string& hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) != 0) {
    return make_error(ErrorCode::Git, fmt::format("invalid object id '{}'", hex));
  }
  return oid;
}

std::string first_line(const char* message) {
  if (!message) return {};
  std::string_view m(message);
  while (!m.empty() && m.front() == '\n') m.remove_prefix(1);
  return std::string(m.substr(0, m.find('\n')));
}

void fill_person(SignedObject& o, const git_signature* who) {
  if (!who) return;
  o.name = who->name ? who->name : "";
  o.email = who->email ? who->email : "";
  o.time = static_cast<std::int64_t>(who->when.time);
  o.offset_minutes = who->when.offset;
}

}  // namespace

std::size_t signed_buffer_end(std::string_view object) {
  // The armor lines git recognises (gpg-interface.c: sigs for openpgp, x509 and ssh).
  static constexpr std::array<std::string_view, 4> kStarts = {
      "-----BEGIN PGP SIGNATURE-----", "-----BEGIN PGP MESSAGE-----", "-----BEGIN SIGNED MESSAGE-----",
      "-----BEGIN SSH SIGNATURE-----"};
  std::size_t match = object.size();
  std::size_t pos = 0;
  while (pos < object.size()) {
    const std::string_view line = object.substr(pos);
    for (const auto s : kStarts) {
      if (line.substr(0, s.size()) == s) match = pos;
    }
    const auto eol = object.find('\n', pos);
    pos = eol == std::string_view::npos ? object.size() : eol + 1;
  }
  return match;
}

Result<SignedObject> extract_commit_signature(const Repo& repo, const std::string& commit_id) {
  auto oid = parse_oid(commit_id);
  if (!oid) return oid.error();
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, repo.raw(), &*oid) != 0) {
    return git_error(fmt::format("cannot read commit {}", commit_id));
  }
  CommitPtr commit(c);
  SignedObject o;
  o.kind = SignedKind::Commit;
  o.id = commit_id;
  fill_person(o, git_commit_committer(c));
  o.summary = first_line(git_commit_message(c));

  git_buf sig = GIT_BUF_INIT;
  git_buf data = GIT_BUF_INIT;
  std::unique_ptr<git_buf, BufFree> sig_owner(&sig), data_owner(&data);
  const int rc = git_commit_extract_signature(&sig, &data, repo.raw(), &*oid, "gpgsig");
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    return o;  // unsigned
  }
  if (rc != 0) return git_error(fmt::format("cannot read the signature of commit {}", commit_id));
  o.signature.assign(sig.ptr, sig.size);
  o.payload.assign(data.ptr, data.size);
  // libgit2 strips the header's continuation spaces but not always the final newline that
  // ssh-keygen/gpg expect after the armor footer.
  if (!o.signature.empty() && o.signature.back() != '\n') o.signature.push_back('\n');
  return o;
}

Result<SignedObject> extract_tag_signature(const Repo& repo, const std::string& tag_id) {
  auto oid = parse_oid(tag_id);
  if (!oid) return oid.error();
  git_tag* t = nullptr;
  if (git_tag_lookup(&t, repo.raw(), &*oid) != 0) {
    return git_error(fmt::format("cannot read tag object {} (a lightweight tag has no object to sign)", tag_id));
  }
  TagPtr tag(t);
  SignedObject o;
  o.kind = SignedKind::Tag;
  o.id = tag_id;
  o.tag_name = git_tag_name(t) ? git_tag_name(t) : "";
  fill_person(o, git_tag_tagger(t));
  o.summary = first_line(git_tag_message(t));

  git_odb* db = nullptr;
  if (git_repository_odb(&db, repo.raw()) != 0) return git_error("cannot open the object database");
  OdbPtr odb(db);
  git_odb_object* raw = nullptr;
  if (git_odb_read(&raw, db, &*oid) != 0) return git_error(fmt::format("cannot read tag object {}", tag_id));
  OdbObjectPtr obj(raw);
  const std::string_view bytes(static_cast<const char*>(git_odb_object_data(raw)), git_odb_object_size(raw));
  const std::size_t end = signed_buffer_end(bytes);
  o.payload = std::string(bytes.substr(0, end));
  o.signature = std::string(bytes.substr(end));
  if (!o.signature.empty() && o.signature.back() != '\n') o.signature.push_back('\n');
  if (end < bytes.size()) {
    // The summary must not be the armor line when the message is only a signature.
    const auto nl = o.summary.find("-----BEGIN");
    if (nl == 0) o.summary.clear();
  }
  return o;
}

Result<std::vector<std::pair<std::string, std::string>>> read_files_matching(
    const Repo& repo, const std::string& rev, const std::vector<std::string>& globs) {
  std::vector<std::pair<std::string, std::string>> out;
  git_object* o = nullptr;
  if (git_revparse_single(&o, repo.raw(), (rev + "^{tree}").c_str()) != 0) {
    git_error_clear();
    return out;
  }
  ObjectPtr tree(o);
  struct Walk {
    const std::vector<std::string>* globs;
    std::vector<std::string> paths;
    std::vector<git_oid> ids;
  } walk{&globs, {}, {}};
  const auto cb = [](const char* root, const git_tree_entry* e, void* payload) -> int {
    auto* w = static_cast<Walk*>(payload);
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) return 0;
    const std::string path = std::string(root) + git_tree_entry_name(e);
    for (const auto& g : *w->globs) {
      if (glob_match(g, path)) {
        w->paths.push_back(path);
        w->ids.push_back(*git_tree_entry_id(e));
        break;
      }
    }
    return 0;
  };
  if (git_tree_walk(reinterpret_cast<git_tree*>(o), GIT_TREEWALK_PRE, cb, &walk) != 0) {
    return git_error(fmt::format("cannot list the tree of {}", rev));
  }
  for (std::size_t i = 0; i < walk.paths.size(); ++i) {
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &walk.ids[i]);
    auto bytes = repo.read_blob(hex);
    if (!bytes) return bytes.error();
    out.emplace_back(walk.paths[i], std::move(*bytes));
  }
  return out;
}

}  // namespace vigil::git
