#include "core/journal/flat_payload.hpp"

#include <limits>

namespace lontar::journal {
namespace {

// A cursor over the payload; every Take* returns false for "not mine" and leaves the cursor
// wherever it stopped (the caller gives up on the whole payload).
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool AtEnd() const { return i_ == s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Take(char c) {
    if (!Peek(c)) return false;
    ++i_;
    return true;
  }
  bool TakeWord(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  bool TakeText(std::string_view& out) {
    if (!Take('"')) return false;
    const std::size_t start = i_;
    for (; i_ < s_.size(); ++i_) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        out = s_.substr(start, i_ - start);
        ++i_;
        return true;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    return false;
  }

  bool TakeWhole(std::uint64_t& out) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    const std::size_t start = i_;
    std::uint64_t v = 0;
    for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; ++i_) {
      const auto digit = static_cast<std::uint64_t>(s_[i_] - '0');
      if (v > (kMax - digit) / 10) return false;  // past 2^64 - 1 JSON makes it a float
      v = v * 10 + digit;
    }
    const std::size_t digits = i_ - start;
    if (digits == 0 || (digits > 1 && s_[start] == '0')) return false;
    // A fraction or an exponent follows in "1.5" or "1e3": the value is not a whole number here.
    if (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']') return false;
    out = v;
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<FlatPayload> FlatPayload::Parse(std::string_view payload) {
  FlatPayload out;
  out.fields_.reserve(8);
  Cursor c(payload);
  if (!c.Take('{')) return std::nullopt;
  if (!c.Take('}')) {
    do {
      std::string_view key;
      if (!c.TakeText(key) || !c.Take(':')) return std::nullopt;
      if (out.Find(key) != nullptr) return std::nullopt;  // nlohmann keeps the last: not ours
      FlatValue v;
      if (c.Peek('"')) {
        v.kind = FlatValue::Kind::kText;
        if (!c.TakeText(v.text)) return std::nullopt;
      } else if (c.TakeWord("true")) {
        v.kind = FlatValue::Kind::kBool;
        v.truth = true;
      } else if (c.TakeWord("false")) {
        v.kind = FlatValue::Kind::kBool;
      } else if (c.Take('[')) {
        v.kind = FlatValue::Kind::kTextList;
        v.first = out.items_.size();
        if (!c.Take(']')) {
          do {
            std::string_view item;
            if (!c.TakeText(item)) return std::nullopt;
            out.items_.push_back(item);
          } while (c.Take(','));
          if (!c.Take(']')) return std::nullopt;
        }
        v.count = out.items_.size() - v.first;
      } else {
        v.kind = FlatValue::Kind::kWhole;
        if (!c.TakeWhole(v.whole)) return std::nullopt;
      }
      out.fields_.emplace_back(key, v);
    } while (c.Take(','));
    if (!c.Take('}')) return std::nullopt;
  }
  if (!c.AtEnd()) return std::nullopt;
  return out;
}

const FlatValue* FlatPayload::Find(std::string_view key) const {
  for (const auto& [name, value] : fields_) {
    if (name == key) return &value;
  }
  return nullptr;
}

}  // namespace lontar::journal
