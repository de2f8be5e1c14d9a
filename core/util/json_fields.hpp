// Reading the fields of one JSON object that someone else wrote (an exam, a pack header, a bundle
// header, a journal event), without exceptions and without asserting on its bytes.
//
// Each reader returns a neutral value ("", 0, false, an empty list, nullptr) when the field is
// missing or of the wrong kind, and remembers the first problem, naming the object and the
// field; the caller reads every field it needs and then checks problem() once. Readers of nested
// objects may share their parent's problem, so that the first problem anywhere is the one told.
// Problems read "<where> '<name>' <what is wrong>", e.g. "exam 'duration_minutes' is not a
// whole number", "header field 'items' is absurdly large (at most 1000000)".
//
// Works over nlohmann::json and nlohmann::ordered_json (JsonFields, OrderedJsonFields). The
// object must outlive the reader; nothing here touches disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/util/bytes.hpp"

namespace lontar {

template <class JsonT>
class BasicJsonFields {
 public:
  static constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

  // Reads `object`; `where` starts every problem ("exam", "header field", "option of q1").
  // A value that is not an object is itself a problem ("<where> is not an object").
  BasicJsonFields(const JsonT& object, std::string where);
  // As above, recording into `shared` (when it is still empty) instead of a problem of its own.
  BasicJsonFields(const JsonT& object, std::string where, std::string& shared);
  BasicJsonFields(const BasicJsonFields&) = delete;
  BasicJsonFields& operator=(const BasicJsonFields&) = delete;

  // The field, or nullptr: "is missing" when it is absent.
  const JsonT* Get(const char* name);
  // The field, or nullptr without a problem when it is absent.
  const JsonT* Find(const char* name) const;
  bool Has(const char* name) const { return Find(name) != nullptr; }

  // Text of at most `max` bytes; "" is a problem unless `allow_empty`.
  std::string Str(const char* name, std::size_t max = kNoLimit, bool allow_empty = true);
  std::int64_t Int(const char* name);
  // A whole number from 0 to `max`.
  std::uint64_t Unsigned(const char* name,
                         std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
  bool Bool(const char* name);
  // Absent or null: nullopt, no problem; anything else must be a whole number.
  std::optional<std::int64_t> OptionalInt(const char* name);
  // The list, or an empty list (and a problem) when the field is not one.
  const JsonT& Array(const char* name);
  // The object, or nullptr (and a problem) when the field is not one.
  const JsonT* Object(const char* name);
  // Base64 of at most `max` bytes once decoded.
  Bytes Base64(const char* name, std::size_t max);
  // Exactly `size` bytes written as 2 * size lower- or upper-case hex digits.
  Bytes Hex(const char* name, std::size_t size);

  // Records `problem` as it is (no prefix) if none is recorded yet: for the caller's own checks.
  void Fail(const std::string& problem);
  // Records "<where> '<name>' <what>" if no problem is recorded yet.
  void FailField(const char* name, const std::string& what);

  bool ok() const { return problem_->empty(); }
  const std::string& problem() const { return *problem_; }
  const std::string& where() const { return where_; }

 private:
  const JsonT& j_;
  std::string where_;
  std::string own_;
  std::string* problem_;
};

using JsonFields = BasicJsonFields<nlohmann::json>;
using OrderedJsonFields = BasicJsonFields<nlohmann::ordered_json>;

extern template class BasicJsonFields<nlohmann::json>;
extern template class BasicJsonFields<nlohmann::ordered_json>;

}  // namespace lontar
