#include "app/i18n.hpp"

#include <nlohmann/json.hpp>

#include "core/util/fs.hpp"

namespace lontar::app {

Result<Catalog> Catalog::Load(const std::filesystem::path& assets_dir, std::string_view lang) {
  const auto path = assets_dir / "i18n" / (std::string(lang) + ".json");
  LONTAR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, 1 << 20));
  auto j = nlohmann::json::parse(raw.begin(), raw.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed(path.string() + ": not a JSON object of strings"));
  }
  Catalog c;
  c.lang_ = std::string(lang);
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) {
      return std::unexpected(Error::Malformed(path.string() + ": '" + key + "' is not a string"));
    }
    c.texts_.emplace(key, value.get<std::string>());
  }
  return c;
}

const char* Catalog::operator()(std::string_view key) const {
  if (auto it = texts_.find(key); it != texts_.end()) return it->second.c_str();
  auto [it, inserted] = missing_.emplace(std::string(key), std::string(key));
  return it->second.c_str();
}

std::string Catalog::Format(std::string_view key, std::string_view arg) const {
  std::string text = (*this)(key);
  if (auto at = text.find("{}"); at != std::string::npos) text.replace(at, 2, arg);
  return text;
}

}  // namespace lontar::app
