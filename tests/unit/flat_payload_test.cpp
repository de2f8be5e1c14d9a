// The replay's flat payload reader (core/journal/flat_payload.hpp) and the sitting decoder over
// it (FromFlatJson): whatever it accepts reads as nlohmann::json reads it, and it gives up,
// rather than guess, on everything outside its subset of JSON.
#include "core/journal/flat_payload.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/exam/sitting.hpp"

namespace lontar::journal {
namespace {

using Json = nlohmann::json;

// The fields the reader found, as the JSON document they stand for.
Json AsJson(const FlatPayload& p) {
  Json j = Json::object();
  for (const auto& [key, v] : p.fields()) {
    const std::string k(key);
    switch (v.kind) {
      case FlatValue::Kind::kText:
        j[k] = std::string(v.text);
        break;
      case FlatValue::Kind::kWhole:
        j[k] = v.whole;
        break;
      case FlatValue::Kind::kBool:
        j[k] = v.truth;
        break;
      case FlatValue::Kind::kTextList:
        j[k] = Json::array();
        for (std::string_view item : p.List(v)) j[k].push_back(std::string(item));
        break;
    }
  }
  return j;
}

TEST(FlatPayload, ReadsTheEnginesAnswerRecord) {
  const std::string payload =
      R"({"item":"tiu-01","keys":["A","C"],"participant":"TEST-0001","pack_id":"ab12"})";
  auto p = FlatPayload::Parse(payload);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->fields().size(), 4u);
  const FlatValue* keys = p->Find("keys");
  ASSERT_NE(keys, nullptr);
  ASSERT_EQ(keys->kind, FlatValue::Kind::kTextList);
  ASSERT_EQ(p->List(*keys).size(), 2u);
  EXPECT_EQ(p->List(*keys)[1], "C");
  EXPECT_EQ(p->Find("pack_id")->text, "ab12");
  EXPECT_EQ(p->Find("missing"), nullptr);
}

// Accepted: each reads as nlohmann reads it. 18446744073709551615 is 2^64 - 1, the largest
// whole number JSON keeps as an unsigned integer.
TEST(FlatPayload, WhatItAcceptsReadsAsAFullParseReadsIt) {
  const char* accepted[] = {
      "{}",
      R"({"ns":0})",
      R"({"ns":5000000000,"reason":"power cut"})",
      R"({"n":18446744073709551615})",
      R"({"flagged":true,"room":false})",
      R"({"keys":[]})",
      R"({"keys":["A"],"":"empty key"})",
      R"({"item":"~ !#$%&'()*+,-./:;<=>?@[]^_`{|}"})",
  };
  for (const char* text : accepted) {
    auto p = FlatPayload::Parse(text);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(AsJson(*p), Json::parse(text)) << text;
  }
}

// Not its call: each is either JSON that only a full parse reads right, or not JSON at all.
TEST(FlatPayload, GivesUpOutsideItsSubset) {
  const char* refused[] = {
      R"({"a":"x\"y"})",  // an escape
      R"({"a":"caf)"
      "\xc3\xa9"
      R"("})",                          // non-ASCII text
      "{\"a\":\"tab\there\"}",          // a control character (not JSON)
      R"({"a": 1})",                    // whitespace
      R"( {"a":1})",                    // whitespace before
      R"({"a":1} )",                    // whitespace after
      R"({"a":null})",                  // null
      R"({"a":-1})",                    // negative
      R"({"a":1.5})",                   // a fraction
      R"({"a":1e3})",                   // an exponent
      R"({"a":01})",                    // a leading zero (not JSON)
      R"({"a":18446744073709551616})",  // 2^64: JSON makes it a float
      R"({"a":{"b":1}})",               // nested object
      R"({"a":[1]})",                   // a list of numbers
      R"({"a":["x",["y"]]})",           // a nested list
      R"({"a":1,"a":2})",               // a key twice (nlohmann keeps the last)
      R"({"a":1}{})",                   // bytes after the object
      R"({"a":1,})",                    // a trailing comma (not JSON)
      R"({"a":tru})",                   // a cut word
      R"({"a":truex})",                 // a longer word
      R"({"a":"x)",                     // cut text
      R"({"a":["x")",                   // cut list
      R"(["a"])",                       // not an object
      "",                               // nothing
  };
  for (const char* text : refused) EXPECT_FALSE(FlatPayload::Parse(text)) << text;
}

// The decoder over a flat payload gives the event the full decoder gives, for every flat event
// the engine writes, and gives up on the nested ones and on anything the full decoder refuses.
TEST(FlatPayload, SittingEventsDecodeAsFromTheParsedDocument) {
  const std::pair<const char*, const char*> flat[] = {
      {"sitting.started", R"({"participant":"TEST-0001","seed":42,"pack_id":"ab"})"},
      {"sitting.navigated", R"({"item":"tiu-02"})"},
      {"sitting.answered", R"({"item":"tiu-01","keys":["A","C"],"participant":"P"})"},
      {"sitting.flagged", R"({"item":"tiu-02","flagged":true})"},
      {"sitting.time", R"({"ns":5000000000})"},
      {"sitting.section", R"({"section":1})"},
      {"sitting.submitted", R"({"reason":"time-up"})"},
      {"sitting.paused", R"({"reason":"fire drill","room":true})"},
      {"sitting.resumed", R"({"reason":"drill over"})"},
      {"sitting.time_added", R"({"ns":300000000000,"reason":"power cut"})"},
      {"sitting.voided", R"({"reason":"left the room"})"},
      {"sitting.handed_off", R"({"handoff_id":"0123abcd","reason":"screen failed"})"},
  };
  for (const auto& [type, payload] : flat) {
    auto p = FlatPayload::Parse(payload);
    ASSERT_TRUE(p) << payload;
    auto fast = exam::FromFlatJson(type, *p);
    auto full = exam::FromJson(type, payload);
    ASSERT_TRUE(fast) << type << ": " << fast.error().message();
    ASSERT_TRUE(full) << type;
    EXPECT_EQ(exam::ToJson(*fast).payload, exam::ToJson(*full).payload) << type;
  }
  const std::pair<const char*, const char*> not_here[] = {
      {"sitting.time", R"({"ns":9223372036854775808})"},  // 2^63: past int64, refused
      {"sitting.answered", R"({"item":1,"keys":[]})"},    // mistyped
      {"sitting.flagged", R"({"item":"x"})"},             // missing
      {"sitting.submitted", R"({"reason":"bored"})"},     // refused by value
      {"sitting.unknown", "{}"},
      {"sitting.restored", R"({"handoff_id":"h"})"},  // nested fields missing
  };
  for (const auto& [type, payload] : not_here) {
    auto p = FlatPayload::Parse(payload);
    ASSERT_TRUE(p) << payload;
    EXPECT_FALSE(exam::FromFlatJson(type, *p)) << type;
    EXPECT_FALSE(exam::FromJson(type, payload)) << type;
  }
  // Accommodations are an object: the flat reader leaves the record to the full parse.
  EXPECT_FALSE(FlatPayload::Parse(
      R"({"accommodations":{"text_size":"large"},"source":"roster.csv","reason":""})"));
}

}  // namespace
}  // namespace lontar::journal
