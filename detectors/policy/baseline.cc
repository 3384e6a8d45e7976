// Baseline file: parse, build from findings, format, save, and apply to a scan's findings.
#include "detectors/policy/baseline.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "detectors/rules/rule.h"
#include "detectors/util/read_file.h"

namespace vigil {

namespace {

constexpr std::string_view kHeader =
    "# vigil baseline v1: known findings that `vigil scan --baseline` does not report again.\n"
    "# One per line, sorted: <fingerprint> <rule> <path>. Regenerate with `vigil baseline create`.\n";

// Paths may hold any byte but NUL; these escapes keep one entry on one line.
std::string escape_path(std::string_view p) {
  std::string out;
  for (char c : p) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out;
}

bool unescape_path(std::string_view p, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '\\') {
      out += p[i];
      continue;
    }
    if (++i == p.size()) return false;
    switch (p[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      default: return false;
    }
  }
  return true;
}

// "<rule>:<24 lower-case hex digits>", the shape fingerprint() produces.
bool valid_fingerprint(std::string_view fp, std::string_view rule) {
  if (fp.size() != rule.size() + 1 + 24 || fp.substr(0, rule.size()) != rule || fp[rule.size()] != ':') return false;
  for (char c : fp.substr(rule.size() + 1)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool recorded(Disposition d) { return d != Disposition::Allowed && d != Disposition::Waived; }

std::string display(std::string_view path) {
  while (path.size() > 2 && path.substr(0, 2) == "./") path.remove_prefix(2);
  return std::string(path);
}

}  // namespace

void Baseline::add(BaselineEntry e) {
  fingerprints.insert(e.fingerprint);
  entries.insert(std::move(e));
}

Result<Baseline> parse_baseline(std::string_view text, std::string_view path) {
  Baseline b;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // edited on Windows
    if (line.empty() || line[0] == '#') continue;
    const auto bad = [&](std::string_view why) {
      return make_error(ErrorCode::Config,
                        fmt::format("baseline {}:{}: {} — expected '<fingerprint> <rule> <path>'; regenerate it "
                                    "with `vigil baseline create`",
                                    path, line_no, why));
    };
    const auto s1 = line.find(' ');
    const auto s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
    if (s2 == std::string_view::npos || s2 + 1 >= line.size()) return bad("malformed entry");
    BaselineEntry e;
    e.fingerprint = std::string(line.substr(0, s1));
    e.rule_id = std::string(line.substr(s1 + 1, s2 - s1 - 1));
    if (!valid_rule_id(e.rule_id)) return bad(fmt::format("invalid rule id '{}'", e.rule_id));
    if (!valid_fingerprint(e.fingerprint, e.rule_id)) return bad("invalid fingerprint");
    if (!unescape_path(line.substr(s2 + 1), e.path)) return bad("invalid escape in path");
    b.add(std::move(e));
  }
  return b;
}

Result<Baseline> load_baseline(const std::string& path) {
  const auto text = read_whole_file(path);
  if (!text) {
    return make_error(ErrorCode::Usage, fmt::format("cannot read baseline '{}' — create it with `vigil baseline create -o {}`",
                                                    path, path));
  }
  return parse_baseline(*text, path);
}

Baseline baseline_from_findings(const std::vector<Finding>& findings) {
  Baseline b;
  for (const auto& f : findings) {
    if (!recorded(f.disposition) || f.fingerprint.empty()) continue;
    b.add({f.fingerprint, f.rule_id, display(f.path)});
  }
  return b;
}

std::string format_baseline(const Baseline& baseline) {
  std::string out(kHeader);
  for (const auto& e : baseline.entries) {
    out += fmt::format("{} {} {}\n", e.fingerprint, e.rule_id, escape_path(e.path));
  }
  return out;
}

Result<void> save_baseline(const Baseline& baseline, const std::string& path) {
  const auto text = format_baseline(baseline);
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return make_error(ErrorCode::Io, fmt::format("cannot write baseline '{}' — check the directory exists and is writable", path));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return make_error(ErrorCode::Io, fmt::format("cannot write baseline '{}' — check free space and permissions", path));
  }
  return {};
}

std::size_t apply_baseline(const Baseline& baseline, std::vector<Finding>& findings) {
  std::size_t marked = 0;
  for (auto& f : findings) {
    if (!recorded(f.disposition) || f.disposition == Disposition::Baselined) continue;
    if (!baseline.contains(f.fingerprint)) continue;
    f.disposition = Disposition::Baselined;
    f.note = "in the baseline";
    ++marked;
  }
  return marked;
}

}  // namespace vigil
