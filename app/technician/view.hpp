// What the technician screens draw from, what they may type into, and what they may ask for.
// Technician mode opens with Ctrl+Alt+T on the error, health, waiting and login screens (never
// during a sitting) and the technician code; app/technician/mode.hpp carries out what the screens
// ask, through the same core functions as the `lontar` command, and journals each action.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/health/health.hpp"
#include "core/terminal/usb_gate_client.hpp"

namespace lontar::app {

enum class TechnicianPage {
  kCode,     // the technician code prompt
  kMenu,     // health and the actions
  kPacks,    // item packs on the stick
  kServer,   // the collection server's address
  kInit,     // initialise an uninitialised terminal
  kClock,    // the date, time and time zone
  kLeaving,  // USB storage being turned off before the kiosk comes back
};

// What is typed on the technician screens; wiped when technician mode closes.
struct TechnicianForm {
  std::array<char, 128> code{};
  std::array<char, 128> server{};
  std::array<char, 72> site{};
  std::array<char, 128> name{};
  std::size_t key_choice = 0;    // which public key file on the stick (init, server)
  std::size_t relay_choice = 0;  // the site relay's key: 0 none, else public_keys[n - 1]
  // The clock page: the local date and time in the zone typed (WIB, WITA or WIT).
  std::array<char, 16> date{};
  std::array<char, 16> time{};
  std::array<char, 8> zone{};
  bool focus = true;  // give the first field the keyboard on the next frame
  int attempt = 0;    // a new code field per attempt: Dear ImGui forgets the old text
  // Wipes everything typed.
  void Clear();
};

struct TechnicianView {
  TechnicianPage page = TechnicianPage::kCode;
  bool available = true;            // a technician code file exists
  std::string code_file;            // where it is looked for
  std::int64_t locked_seconds = 0;  // > 0: too many wrong codes, wait this long
  int failures = 0;                 // wrong codes in a row
  bool checking = false;            // the code typed is being checked (Argon2id, off the UI thread)
  std::string message;              // the last action's result or refusal
  bool message_bad = false;
  // Health.
  std::optional<health::TerminalStatus> status;  // none: not initialised or unreadable
  std::string status_problem;                    // why there is no status
  std::size_t bundles_pending = 0, bundles_delivered = 0;
  std::uint64_t disk_free_bytes = 0;
  std::string server;  // the sync settings, when set
  std::string audio;   // the audio output for read-aloud (DescribeAudioOutput)
  // The clock: the system's zone (IANA name, "" for UTC), and a change sent to the root service
  // that has not been answered yet.
  std::string zone;
  bool clock_pending = false;
  // The stick.
  terminal::UsbState usb;
  std::vector<std::string> packs;        // *.lpk on the stick (file names)
  std::vector<std::string> public_keys;  // *.pub on the stick (file names)
};

struct TechnicianAction {
  enum Kind {
    kSubmitCode,
    kCancel,  // leave the code prompt
    kShowPacks,
    kLoadPack,  // `index` into view.packs
    kExport,
    kEnrollment,
    kShowServer,
    kSaveServer,
    kShowInit,
    kInit,
    kShowClock,
    kSetClock,
    kMenu,    // back to the menu
    kReturn,  // leave technician mode
  };
  Kind kind;
  std::size_t index = 0;
};

}  // namespace lontar::app
