#include "core/util/json_fields.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace lontar {
namespace {

nlohmann::json Parse(const char* text) { return nlohmann::json::parse(text); }

TEST(JsonFields, ReadsEveryKindOfField) {
  // "AAEC" is base64 of the bytes 00 01 02; "0a0b" is hex of 0a 0b.
  const auto j = Parse(
      R"({"s": "text", "i": -3, "u": 7, "b": true, "n": null, "o": 4, "a": [1, 2],
          "obj": {"x": 1}, "b64": "AAEC", "hex": "0a0b"})");
  JsonFields f(j, "test");
  EXPECT_EQ(f.Str("s"), "text");
  EXPECT_EQ(f.Int("i"), -3);
  EXPECT_EQ(f.Unsigned("u", 7), 7u);
  EXPECT_TRUE(f.Bool("b"));
  EXPECT_EQ(f.OptionalInt("n"), std::nullopt);
  EXPECT_EQ(f.OptionalInt("absent"), std::nullopt);
  EXPECT_EQ(f.OptionalInt("o"), std::optional<std::int64_t>(4));
  EXPECT_EQ(f.Array("a").size(), 2u);
  ASSERT_NE(f.Object("obj"), nullptr);
  EXPECT_EQ(f.Base64("b64", 3), (Bytes{0, 1, 2}));
  EXPECT_EQ(f.Hex("hex", 2), (Bytes{0x0a, 0x0b}));
  EXPECT_TRUE(f.ok()) << f.problem();
}

// One case per problem: the field read, what it holds, and the problem told.
TEST(JsonFields, NamesTheFirstProblem) {
  struct Case {
    const char* json;
    std::function<void(JsonFields&)> read;
    const char* says;
  };
  const Case cases[] = {
      {R"({})", [](JsonFields& f) { (void)f.Str("s"); }, "test 's' is missing"},
      {R"({"s": 1})", [](JsonFields& f) { (void)f.Str("s"); }, "test 's' is not text"},
      {R"({"s": "abcd"})", [](JsonFields& f) { (void)f.Str("s", 3); },
       "test 's' is too long (at most 3 bytes)"},
      {R"({"s": ""})", [](JsonFields& f) { (void)f.Str("s", 3, false); }, "test 's' is empty"},
      {R"({"i": 1.5})", [](JsonFields& f) { (void)f.Int("i"); }, "test 'i' is not a whole number"},
      {R"({"u": -1})", [](JsonFields& f) { (void)f.Unsigned("u"); },
       "test 'u' is not a whole number of 0 or more"},
      {R"({"u": 11})", [](JsonFields& f) { (void)f.Unsigned("u", 10); },
       "test 'u' is absurdly large (at most 10)"},
      {R"({"b": "yes"})", [](JsonFields& f) { (void)f.Bool("b"); },
       "test 'b' is not true or false"},
      {R"({"o": "4"})", [](JsonFields& f) { (void)f.OptionalInt("o"); },
       "test 'o' is not a whole number"},
      {R"({"a": {}})", [](JsonFields& f) { (void)f.Array("a"); }, "test 'a' is not a list"},
      {R"({"obj": []})", [](JsonFields& f) { (void)f.Object("obj"); },
       "test 'obj' is not an object"},
      {R"({"b64": "AAECAw=="})", [](JsonFields& f) { (void)f.Base64("b64", 3); },
       "test 'b64' is not base64 of at most 3 bytes"},
      {R"({"hex": "0a"})", [](JsonFields& f) { (void)f.Hex("hex", 2); },
       "test 'hex' is not 4 hex digits"},
      {R"([])", [](JsonFields&) {}, "test is not an object"},
      // The first problem stays: a later one does not replace it.
      {R"({"b": 1})",
       [](JsonFields& f) {
         (void)f.Str("s");
         (void)f.Bool("b");
       },
       "test 's' is missing"},
  };
  for (const Case& c : cases) {
    const auto j = Parse(c.json);
    JsonFields f(j, "test");
    c.read(f);
    EXPECT_FALSE(f.ok()) << c.json;
    EXPECT_EQ(f.problem(), c.says) << c.json;
  }
}

TEST(JsonFields, NestedReadersShareTheFirstProblem) {
  const auto j = Parse(R"({"outer": {"inner": 5}})");
  std::string problem;
  JsonFields f(j, "exam", problem);
  JsonFields inner(*f.Object("outer"), "exam.outer", problem);
  (void)inner.Str("inner");
  (void)f.Str("missing");
  EXPECT_EQ(problem, "exam.outer 'inner' is not text");
  EXPECT_FALSE(f.ok());
}

TEST(JsonFields, ReadsOrderedJsonToo) {
  const auto j = nlohmann::ordered_json::parse(R"({"b": 1, "a": "x"})");
  OrderedJsonFields f(j, "header field");
  EXPECT_EQ(f.Str("a"), "x");
  EXPECT_EQ(f.Unsigned("b", 1), 1u);
  (void)f.Bool("a");
  EXPECT_EQ(f.problem(), "header field 'a' is not true or false");
}

}  // namespace
}  // namespace lontar
