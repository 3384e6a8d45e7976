// The parsed-rule cache: a round trip keeps every field; damaged bytes are refused, never half-read.
#include "detectors/rules/rule_cache.h"

#include <doctest/doctest.h>

#include "detectors/rules/rule_loader.h"

using namespace vigil;

TEST_CASE("the built-in pack survives a cache round trip field by field") {
  const auto& rules = builtin_rules();
  REQUIRE(rules);
  const auto bytes = serialize_rules(*rules);
  auto back = deserialize_rules(bytes);
  REQUIRE(back);
  REQUIRE(back->size() == rules->size());
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const Rule& a = (*rules)[i];
    const Rule& b = (*back)[i];
    CHECK(a.id == b.id);
    CHECK(a.name == b.name);
    CHECK(a.description == b.description);
    CHECK(a.regex == b.regex);
    CHECK(a.secret_group == b.secret_group);
    CHECK(a.keywords == b.keywords);
    CHECK(a.entropy == b.entropy);
    CHECK(a.severity == b.severity);
    CHECK(a.confidence == b.confidence);
    CHECK(a.validator == b.validator);
    CHECK(a.generic == b.generic);
    CHECK(a.reference == b.reference);
    CHECK(a.tags == b.tags);
    CHECK(a.examples == b.examples);
    CHECK(a.negative_examples == b.negative_examples);
    CHECK(a.window == b.window);
    CHECK(a.mode == b.mode);
    CHECK(a.source == b.source);
    CHECK(a.source_line == b.source_line);
  }
}

TEST_CASE("a per-rule mode round-trips, including its absence") {
  Rule r;
  r.id = "x";
  r.mode = Mode::Observe;
  Rule s;
  s.id = "y";
  auto back = deserialize_rules(serialize_rules({r, s}));
  REQUIRE(back);
  CHECK((*back)[0].mode == Mode::Observe);
  CHECK_FALSE((*back)[1].mode.has_value());
}

TEST_CASE("truncated, flipped or foreign cache bytes are refused") {
  Rule r;
  r.id = "demo.rule";
  r.regex = "demo_[a-z]{8}";
  r.examples = {"demo_abcdefgh"};
  const auto bytes = serialize_rules({r});
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) CHECK_FALSE(deserialize_rules(bytes.substr(0, cut)));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    CHECK_FALSE(deserialize_rules(bad));
  }
  CHECK_FALSE(deserialize_rules("[[rules]]\nid = \"x\"\n"));
}
