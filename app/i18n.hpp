// Translation catalogs: every string the kiosk shows comes from assets/i18n/<lang>.json.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace lontar::app {

class Catalog {
 public:
  // Loads assets_dir/i18n/<lang>.json (a flat JSON object of key -> text). kNotFound or
  // kMalformed naming the file.
  [[nodiscard]] static Result<Catalog> Load(const std::filesystem::path& assets_dir,
                                            std::string_view lang);

  const std::string& lang() const { return lang_; }
  // The text for `key`; the key itself when missing, so a gap is visible, never a crash.
  const char* operator()(std::string_view key) const;
  // The text with "{}" replaced by `arg`.
  std::string Format(std::string_view key, std::string_view arg) const;

 private:
  std::string lang_;
  std::map<std::string, std::string, std::less<>> texts_;
  mutable std::map<std::string, std::string, std::less<>> missing_;
};

}  // namespace lontar::app
