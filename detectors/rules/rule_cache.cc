#include "detectors/rules/rule_cache.h"

#include <cstdint>
#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace vigil {

namespace {

constexpr std::string_view kMagic = "vigil-rules-cache 3\n";  // 3: Validator gained UriPassword, Credential, Password, HttpAuth
constexpr std::uint32_t kMaxCount = 1u << 20;

struct Writer {
  std::string out;
  void u32(std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void f64(double v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out.append(s);
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
};

struct Reader {
  std::string_view in;
  bool ok = true;
  bool take(void* dst, std::size_t n) {
    if (!ok || in.size() < n) return ok = false;
    std::memcpy(dst, in.data(), n);
    in.remove_prefix(n);
    return true;
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    take(&v, sizeof v);
    return v;
  }
  double f64() {
    double v = 0;
    take(&v, sizeof v);
    return v;
  }
  std::string str() {
    const auto n = u32();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  std::vector<std::string> strs() {
    const auto n = u32();
    std::vector<std::string> v;
    if (!ok || n > in.size()) {  // every string takes at least 4 bytes: a bigger count is corrupt
      ok = false;
      return v;
    }
    v.reserve(n);
    for (std::uint32_t i = 0; i < n && ok; ++i) v.push_back(str());
    return v;
  }
  // Steps over a string list without building it.
  void skip_strs() {
    const auto n = u32();
    for (std::uint32_t i = 0; i < n && ok; ++i) {
      const auto len = u32();
      if (!ok || in.size() < len) {
        ok = false;
        return;
      }
      in.remove_prefix(len);
    }
  }
  template <typename E>
  E enum_in(std::uint32_t max) {
    const auto v = u32();
    if (v > max) ok = false;
    return static_cast<E>(ok ? v : 0);
  }
};

}  // namespace

std::string serialize_rules(const std::vector<Rule>& rules) {
  Writer w;
  w.out.append(kMagic);
  w.u32(static_cast<std::uint32_t>(rules.size()));
  for (const auto& r : rules) {
    w.str(r.id);
    w.str(r.name);
    w.str(r.description);
    w.str(r.regex);
    w.u32(static_cast<std::uint32_t>(r.secret_group));
    w.strs(r.keywords);
    w.f64(r.entropy);
    w.u32(static_cast<std::uint32_t>(r.severity));
    w.u32(static_cast<std::uint32_t>(r.confidence));
    w.u32(static_cast<std::uint32_t>(r.validator));
    w.u32(r.generic ? 1 : 0);
    w.str(r.reference);
    w.strs(r.tags);
    w.strs(r.examples);
    w.strs(r.negative_examples);
    w.u32(static_cast<std::uint32_t>(r.window));
    w.u32(r.mode ? 1 + static_cast<std::uint32_t>(*r.mode) : 0);
    w.str(r.source);
    w.u32(static_cast<std::uint32_t>(r.source_line));
  }
  const std::uint64_t sum = XXH3_64bits(w.out.data(), w.out.size());
  w.out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return std::move(w.out);
}

std::optional<std::vector<Rule>> deserialize_rules(std::string_view bytes, RuleDetail detail) {
  if (bytes.size() < kMagic.size() + 12 || bytes.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - sizeof stored, sizeof stored);
  const auto body = bytes.substr(0, bytes.size() - sizeof stored);
  if (XXH3_64bits(body.data(), body.size()) != stored) return std::nullopt;
  Reader r{body.substr(kMagic.size())};
  const auto n = r.u32();
  if (n > kMaxCount) return std::nullopt;
  std::vector<Rule> out;
  out.reserve(n);
  for (std::uint32_t i = 0; i < n && r.ok; ++i) {
    Rule x;
    x.id = r.str();
    x.name = r.str();
    x.description = r.str();
    x.regex = r.str();
    x.secret_group = static_cast<int>(r.u32());
    x.keywords = r.strs();
    x.entropy = r.f64();
    x.severity = r.enum_in<Severity>(static_cast<std::uint32_t>(Severity::Critical));
    x.confidence = r.enum_in<Confidence>(static_cast<std::uint32_t>(Confidence::High));
    x.validator = r.enum_in<Validator>(static_cast<std::uint32_t>(Validator::HttpAuth));
    x.generic = r.u32() != 0;
    x.reference = r.str();
    x.tags = r.strs();
    if (detail == RuleDetail::Full) {
      x.examples = r.strs();
      x.negative_examples = r.strs();
    } else {
      r.skip_strs();
      r.skip_strs();
    }
    x.window = r.u32();
    if (const auto m = r.u32(); m > 0) {
      if (m > 1 + static_cast<std::uint32_t>(Mode::Enforce)) return std::nullopt;
      x.mode = static_cast<Mode>(m - 1);
    }
    x.source = r.str();
    x.source_line = static_cast<int>(r.u32());
    out.push_back(std::move(x));
  }
  if (!r.ok || !r.in.empty()) return std::nullopt;
  return out;
}

}  // namespace vigil
