// Accommodations: roster cells, limits and JSON (accommodations.hpp).
#include "core/model/accommodations.hpp"

#include <charconv>

namespace lontar::model {
namespace {

constexpr std::int64_t kNsPerMinute = 60'000'000'000;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

const char* TextSizeName(TextSize size) {
  switch (size) {
    case TextSize::kNormal:
      return "normal";
    case TextSize::kLarge:
      return "large";
    case TextSize::kLarger:
      return "larger";
  }
  return "normal";
}

std::string DescribeExtraTime(const Accommodations& a) {
  if (a.extra_minutes > 0) return "+" + std::to_string(a.extra_minutes) + " min";
  if (a.time_permille == 1000) return "";
  std::string decimals = std::to_string(a.time_permille % 1000);
  decimals.insert(0, 3 - decimals.size(), '0');
  while (decimals.size() > 1 && decimals.back() == '0') decimals.pop_back();
  return "x" + std::to_string(a.time_permille / 1000) + "." + decimals;
}

std::string DescribeAccommodations(const Accommodations& a) {
  std::string out = DescribeExtraTime(a);
  const auto add = [&out](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  if (a.text_size != TextSize::kNormal) add(std::string(TextSizeName(a.text_size)) + " text");
  if (a.high_contrast) add("high contrast");
  if (a.read_aloud) add("read-aloud");
  return out;
}

Status ParseExtraTime(std::string_view cell, Accommodations& a) {
  std::string s = Lower(Trim(cell));
  a.time_permille = 1000;
  a.extra_minutes = 0;
  if (s.empty()) return Ok();
  const auto bad = [&] {
    return std::unexpected(Error::InvalidArgument(
        "extra_time '" + std::string(cell) +
        "' is neither whole minutes (1 to 240, e.g. 30) nor a factor with a decimal point "
        "(1.05 to 3.0, e.g. 1.3)"));
  };
  if (s.front() == 'x') s.erase(0, 1);
  if (s.ends_with("min")) s.resize(s.size() - 3);
  s = Trim(s);
  if (const std::size_t dot = s.find('.'); dot != std::string::npos) {
    const std::string whole = s.substr(0, dot);
    std::string frac = s.substr(dot + 1);
    if (!AllDigits(whole) || whole.size() > 1 || frac.size() > 3 ||
        (!frac.empty() && !AllDigits(frac))) {
      return bad();
    }
    frac.append(3 - frac.size(), '0');
    const int permille = (whole[0] - '0') * 1000 + std::stoi(frac);
    if (permille < 1050 || permille > kMaxTimePermille) return bad();
    a.time_permille = permille;
    return Ok();
  }
  if (!AllDigits(s) || s.size() > 3) return bad();
  const int minutes = std::stoi(s);
  if (minutes < 1 || minutes > kMaxExtraMinutes) return bad();
  a.extra_minutes = minutes;
  return Ok();
}

Status ParseTextSize(std::string_view cell, Accommodations& a) {
  const std::string s = Lower(Trim(cell));
  if (s.empty() || s == "normal") {
    a.text_size = TextSize::kNormal;
  } else if (s == "large") {
    a.text_size = TextSize::kLarge;
  } else if (s == "larger") {
    a.text_size = TextSize::kLarger;
  } else {
    return std::unexpected(Error::InvalidArgument("text_size '" + std::string(cell) +
                                                  "' must be normal, large or larger"));
  }
  return Ok();
}

Result<bool> ParseYesNo(std::string_view cell) {
  const std::string s = Lower(Trim(cell));
  if (s.empty() || s == "no" || s == "tidak") return false;
  if (s == "yes" || s == "ya") return true;
  return std::unexpected(
      Error::InvalidArgument("'" + std::string(cell) + "' must be yes or no (ya or tidak)"));
}

std::int64_t ScaledLimitNs(const Accommodations& a, int minutes, int exam_minutes) {
  const std::int64_t base = std::int64_t{minutes} * kNsPerMinute;
  if (a.extra_minutes > 0 && exam_minutes > 0) {
    // minutes x (exam + extra) / exam; below 2^63 for any exam under a year.
    return base + base / exam_minutes * a.extra_minutes;
  }
  return base / 1000 * a.time_permille;  // kNsPerMinute is a multiple of 1000: exact
}

nlohmann::json AccommodationsToJson(const Accommodations& a) {
  return nlohmann::json{{"time_permille", a.time_permille},
                        {"extra_minutes", a.extra_minutes},
                        {"text_size", TextSizeName(a.text_size)},
                        {"high_contrast", a.high_contrast},
                        {"read_aloud", a.read_aloud}};
}

Result<Accommodations> AccommodationsFromJson(const nlohmann::json& j) {
  const auto bad = [](const std::string& field) {
    return std::unexpected(Error::Malformed("accommodations: " + field + " is out of range"));
  };
  if (!j.is_object()) return std::unexpected(Error::Malformed("accommodations: not an object"));
  Accommodations a;
  const auto integer = [&](const char* k, int& out, int lo, int hi) -> bool {
    auto it = j.find(k);
    if (it == j.end()) return true;
    if (!it->is_number_integer()) return false;
    const std::int64_t v = it->get<std::int64_t>();
    if (v < lo || v > hi) return false;
    out = static_cast<int>(v);
    return true;
  };
  const auto flag = [&](const char* k, bool& out) -> bool {
    auto it = j.find(k);
    if (it == j.end()) return true;
    if (!it->is_boolean()) return false;
    out = it->get<bool>();
    return true;
  };
  if (!integer("time_permille", a.time_permille, 1000, kMaxTimePermille)) {
    return bad("time_permille");
  }
  if (!integer("extra_minutes", a.extra_minutes, 0, kMaxExtraMinutes)) return bad("extra_minutes");
  if (a.extra_minutes > 0 && a.time_permille != 1000) return bad("extra_minutes with a factor,");
  if (auto it = j.find("text_size"); it != j.end()) {
    if (!it->is_string() || !ParseTextSize(it->get<std::string>(), a)) return bad("text_size");
  }
  if (!flag("high_contrast", a.high_contrast)) return bad("high_contrast");
  if (!flag("read_aloud", a.read_aloud)) return bad("read_aloud");
  return a;
}

}  // namespace lontar::model
