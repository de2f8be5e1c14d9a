// What technician mode does on a terminal, apart from the code itself (technician_code.hpp) and
// the USB stick (usb_gate_client.hpp): journaling each action, finding files on the stick, and
// the collection server's address. The kiosk's technician screens call these; the actions proper
// (loading a pack, exporting bundles, the enrollment record, initialising) are the same core
// functions the `lontar` command uses.
//
// Journal records (type, JSON payload), one per action, appended with Mode::kOnHead since none
// depends on the exam's folded state; the engine's replay skips "technician.*" records, and
// readers that do not know a type show it as it is (the journal's rule for new types):
//   technician.entered            {"via":"kiosk"}
//   technician.code_refused       {"failures":N,"locked":bool}    a wrong technician code
//   technician.left               {"why":"return"|"idle"}
//   technician.pack_load          {"file":NAME,"ok":bool,"message":TEXT}
//                                 (a pack that loads is also journaled as "pack.loaded")
//   technician.bundles_export     {"dir":PATH,"ok":bool,"total":N,"written":N,"message":TEXT}
//   technician.enrollment_write   {"file":PATH,"ok":bool,"message":TEXT}
//   technician.server_set         {"server":URL,"server_key_id":ID,"ok":bool,"message":TEXT}
//   technician.initialised        {"site":SITE,"authority_key":FILE}   after terminal.initialised
// Messages are the operator's error text; they never hold a code.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/terminal/terminal.hpp"
#include "core/util/error.hpp"

namespace lontar::terminal {

// Appends "technician.<action>" with `details` (a JSON object) to the terminal's journal.
// kInvalidArgument for an action name the journal refuses; the journal's errors otherwise.
// Touches disk.
[[nodiscard]] Status JournalTechnician(Terminal& terminal, std::string_view action,
                                       const nlohmann::json& details);

// Regular files directly in `dir` whose name ends in `extension` (e.g. ".lpk"), sorted by name;
// hidden files (".name") are left out. An unreadable directory gives an empty list. Reads disk.
std::vector<std::filesystem::path> FilesOnStick(const std::filesystem::path& dir,
                                                std::string_view extension);

// The collection server (or relay) address a technician typed, as "http://HOST:PORT":
// "HOST:PORT" and "http://HOST:PORT" (an optional trailing "/") are accepted, HOST being an IPv4
// address or a name of letters, digits, '-' and '.', PORT 1..65535. kInvalidArgument saying
// what is wrong otherwise (https is not offered: the image has no CA store, and receipts are
// signed anyway). Pure.
[[nodiscard]] Result<std::string> NormaliseServerAddress(std::string_view typed);

// What the sync service reads: HOME/sync.conf
//   LONTAR_SERVER=http://HOST:PORT
//   LONTAR_SERVER_KEY=HOME/server.pub
//   LONTAR_RELAY_KEY=HOME/relay.pub      only when results go through a site relay
inline constexpr char kSyncConfName[] = "sync.conf";
inline constexpr char kServerKeyName[] = "server.pub";
inline constexpr char kRelayKeyName[] = "relay.pub";

struct ServerSetting {
  std::string server;         // normalised
  std::string server_key_id;  // of the copied key
  std::string relay_key_id;   // of the copied relay key; "" without one
};

// Checks that `server_key` (and `relay_key`, when given) is a valid Ed25519 public key file,
// copies it to HOME/server.pub (HOME/relay.pub), then writes HOME/sync.conf; all atomically and
// fsync'd (0644), the keys first so that the configuration never names a key that is not there.
// Nothing is written when the address or a key is refused. Touches disk.
[[nodiscard]] Result<ServerSetting> WriteSyncSettings(
    const std::filesystem::path& home, std::string_view address,
    const std::filesystem::path& server_key,
    const std::optional<std::filesystem::path>& relay_key = std::nullopt);

}  // namespace lontar::terminal
