#include "core/util/json_fields.hpp"

#include <utility>

namespace lontar {

template <class JsonT>
BasicJsonFields<JsonT>::BasicJsonFields(const JsonT& object, std::string where)
    : j_(object), where_(std::move(where)), problem_(&own_) {
  if (!j_.is_object()) Fail(where_ + " is not an object");
}

template <class JsonT>
BasicJsonFields<JsonT>::BasicJsonFields(const JsonT& object, std::string where, std::string& shared)
    : j_(object), where_(std::move(where)), problem_(&shared) {
  if (!j_.is_object()) Fail(where_ + " is not an object");
}

template <class JsonT>
const JsonT* BasicJsonFields<JsonT>::Find(const char* name) const {
  if (!j_.is_object()) return nullptr;
  auto it = j_.find(name);
  return it == j_.end() ? nullptr : &*it;
}

template <class JsonT>
const JsonT* BasicJsonFields<JsonT>::Get(const char* name) {
  const JsonT* f = Find(name);
  if (f == nullptr && j_.is_object()) FailField(name, "is missing");
  return f;
}

template <class JsonT>
std::string BasicJsonFields<JsonT>::Str(const char* name, std::size_t max, bool allow_empty) {
  const JsonT* f = Get(name);
  if (f == nullptr) return "";
  if (!f->is_string()) return FailField(name, "is not text"), "";
  std::string s = f->template get<std::string>();
  if (s.size() > max) FailField(name, "is too long (at most " + std::to_string(max) + " bytes)");
  if (s.empty() && !allow_empty) FailField(name, "is empty");
  return s;
}

template <class JsonT>
std::int64_t BasicJsonFields<JsonT>::Int(const char* name) {
  const JsonT* f = Get(name);
  if (f == nullptr) return 0;
  if (!f->is_number_integer() ||
      (f->is_number_unsigned() &&
       f->template get<std::uint64_t>() >
           static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
    return FailField(name, "is not a whole number"), 0;
  }
  return f->template get<std::int64_t>();
}

template <class JsonT>
std::uint64_t BasicJsonFields<JsonT>::Unsigned(const char* name, std::uint64_t max) {
  const JsonT* f = Get(name);
  if (f == nullptr) return 0;
  if (!f->is_number_unsigned()) return FailField(name, "is not a whole number of 0 or more"), 0;
  const auto v = f->template get<std::uint64_t>();
  if (v > max) FailField(name, "is absurdly large (at most " + std::to_string(max) + ")");
  return v;
}

template <class JsonT>
bool BasicJsonFields<JsonT>::Bool(const char* name) {
  const JsonT* f = Get(name);
  if (f == nullptr) return false;
  if (!f->is_boolean()) return FailField(name, "is not true or false"), false;
  return f->template get<bool>();
}

template <class JsonT>
std::optional<std::int64_t> BasicJsonFields<JsonT>::OptionalInt(const char* name) {
  const JsonT* f = Find(name);
  if (f == nullptr || f->is_null()) return std::nullopt;
  if (!f->is_number_integer()) return FailField(name, "is not a whole number"), std::nullopt;
  return f->template get<std::int64_t>();
}

template <class JsonT>
const JsonT& BasicJsonFields<JsonT>::Array(const char* name) {
  static const JsonT kEmpty = JsonT::array();
  const JsonT* f = Get(name);
  if (f == nullptr) return kEmpty;
  if (!f->is_array()) return FailField(name, "is not a list"), kEmpty;
  return *f;
}

template <class JsonT>
const JsonT* BasicJsonFields<JsonT>::Object(const char* name) {
  const JsonT* f = Get(name);
  if (f == nullptr) return nullptr;
  if (!f->is_object()) return FailField(name, "is not an object"), nullptr;
  return f;
}

template <class JsonT>
Bytes BasicJsonFields<JsonT>::Base64(const char* name, std::size_t max) {
  const JsonT* f = Get(name);
  if (f == nullptr) return {};
  // Base64 takes 4 characters for every 3 bytes: a longer text is refused before decoding.
  const std::string* text = f->template get_ptr<const std::string*>();
  std::optional<Bytes> b;
  if (text != nullptr && text->size() <= (max + 2) / 3 * 4) {
    if (auto decoded = Base64Decode(*text); decoded && decoded->size() <= max)
      b = std::move(*decoded);
  }
  if (!b) {
    FailField(name, "is not base64 of at most " + std::to_string(max) + " bytes");
    return {};
  }
  return std::move(*b);
}

template <class JsonT>
Bytes BasicJsonFields<JsonT>::Hex(const char* name, std::size_t size) {
  const JsonT* f = Get(name);
  if (f == nullptr) return {};
  const std::string* text = f->template get_ptr<const std::string*>();
  std::optional<Bytes> b;
  if (text != nullptr && text->size() == 2 * size) {
    if (auto decoded = HexDecode(*text); decoded && decoded->size() == size)
      b = std::move(*decoded);
  }
  if (!b) {
    FailField(name, "is not " + std::to_string(2 * size) + " hex digits");
    return {};
  }
  return std::move(*b);
}

template <class JsonT>
void BasicJsonFields<JsonT>::Fail(const std::string& problem) {
  if (problem_->empty()) *problem_ = problem;
}

template <class JsonT>
void BasicJsonFields<JsonT>::FailField(const char* name, const std::string& what) {
  Fail(where_ + " '" + name + "' " + what);
}

template class BasicJsonFields<nlohmann::json>;
template class BasicJsonFields<nlohmann::ordered_json>;

}  // namespace lontar
