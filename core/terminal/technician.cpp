#include "core/terminal/technician.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/crypto/key_file.hpp"
#include "core/util/fs.hpp"

namespace lontar::terminal {

Status JournalTechnician(Terminal& terminal, std::string_view action,
                         const nlohmann::json& details) {
  const journal::Event event{
      "technician." + std::string(action),
      details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  LONTAR_TRY(terminal.journal().Append(std::span<const journal::Event>(&event, 1)));
  return Ok();
}

std::vector<std::filesystem::path> FilesOnStick(const std::filesystem::path& dir,
                                                std::string_view extension) {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return found;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".") || !name.ends_with(extension) || name.size() == extension.size()) {
      continue;
    }
    if (entry.is_regular_file(ec)) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

Result<std::string> NormaliseServerAddress(std::string_view typed) {
  std::string_view s = typed;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  const std::string shown(typed.substr(0, 80));
  if (s.starts_with("https://")) {
    return std::unexpected(Error::InvalidArgument(
        "'" + shown +
        "': use http:// (receipts are signed by the server's key, which is checked)"));
  }
  if (s.starts_with("http://")) s.remove_prefix(7);
  if (s.ends_with("/")) s.remove_suffix(1);
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::unexpected(
        Error::InvalidArgument("'" + shown + "' is not an address like 10.0.0.5:8470 (HOST:PORT)"));
  }
  const std::string_view host = s.substr(0, colon), port_text = s.substr(colon + 1);
  const bool host_ok = host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
                       });
  if (!host_ok || host.front() == '.' || host.front() == '-') {
    return std::unexpected(Error::InvalidArgument(
        "'" + std::string(host.substr(0, 80)) +
        "' is not a host name or IPv4 address (letters, digits, '-' and '.')"));
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return std::unexpected(Error::InvalidArgument("'" + std::string(port_text.substr(0, 16)) +
                                                  "' is not a port number (1 to 65535)"));
  }
  return "http://" + std::string(host) + ":" + std::to_string(port);
}

Result<ServerSetting> WriteSyncSettings(const std::filesystem::path& home, std::string_view address,
                                        const std::filesystem::path& server_key,
                                        const std::optional<std::filesystem::path>& relay_key) {
  LONTAR_ASSIGN_OR_RETURN(std::string server, NormaliseServerAddress(address));
  LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey key, crypto::ReadSigningPublicKeyFile(server_key));
  LONTAR_ASSIGN_OR_RETURN(Bytes key_bytes, ReadFile(server_key, crypto::kMaxKeyFileBytes));
  ServerSetting setting{server, key.id().ToString(), ""};
  Bytes relay_bytes;
  if (relay_key) {  // both keys checked before anything is written
    LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey relay, crypto::ReadSigningPublicKeyFile(*relay_key));
    LONTAR_ASSIGN_OR_RETURN(relay_bytes, ReadFile(*relay_key, crypto::kMaxKeyFileBytes));
    setting.relay_key_id = relay.id().ToString();
  }
  const std::filesystem::path key_path = home / kServerKeyName;
  LONTAR_TRY(WriteFileAtomic(key_path, key_bytes, 0644, Overwrite::kReplace));
  std::string conf = "LONTAR_SERVER=" + server + "\nLONTAR_SERVER_KEY=" + key_path.string() + "\n";
  if (relay_key) {
    const std::filesystem::path relay_path = home / kRelayKeyName;
    LONTAR_TRY(WriteFileAtomic(relay_path, relay_bytes, 0644, Overwrite::kReplace));
    conf += "LONTAR_RELAY_KEY=" + relay_path.string() + "\n";
  }
  LONTAR_TRY(WriteFileAtomic(home / kSyncConfName, AsBytes(conf), 0644, Overwrite::kReplace));
  return setting;
}

}  // namespace lontar::terminal
