// The kiosk's side of the USB gate: the appliance keeps USB storage off, and a root service
// (image/, "lontar-usbgate") turns it on and mounts a stick only for technician mode. The kiosk
// runs unprivileged, so the two talk through files in one directory (default /run/lontar/usb,
// made by tmpfiles and writable by the kiosk's user):
//
//   DIR/request  written by the kiosk, atomically (temporary file in DIR, fsync, rename):
//                  {"action":"open","code":"<technician code>"}   turn USB storage on
//                     (the code as it is: its characters need no JSON escape)
//                  {"action":"close"}                             unmount, turn it off
//                The root service checks the code itself (`lontar technician verify`), so a
//                process that can write DIR gains nothing without the code. The file is mode
//                0600; the kiosk wipes its copies of the code once the file is written.
//   DIR/state    written by the root service:
//                  {"state":"closed"|"waiting"|"mounted"|"error","mount":"PATH",
//                   "device":"sdb1","label":"LABEL","message":"..."}
//                "waiting": USB storage is on and no stick is in yet; "mounted": the stick's
//                files are at "mount" (read-write, nosuid,nodev,noexec).
//
// The kiosk polls `state` a few times a second while a technician screen is up. A missing state
// file reads as closed (the service has not answered yet); a state file that does not parse
// reads as an error state naming the problem, so a half-written or foreign file never crashes the
// kiosk and never counts as a mounted stick.
//
// For tests and plain development machines, UsbGateClient::FixedStick makes a directory count as
// an already mounted stick: no request is written and no service is needed.
#pragma once

#include <filesystem>
#include <string>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::terminal {

inline const std::filesystem::path kDefaultUsbGateDir = "/run/lontar/usb";
inline constexpr std::uint64_t kMaxUsbStateBytes = 16 * 1024;

enum class UsbStateKind { kClosed, kWaiting, kMounted, kError };

// "closed", "waiting", "mounted", "error".
std::string_view UsbStateName(UsbStateKind kind);

struct UsbState {
  UsbStateKind kind = UsbStateKind::kClosed;
  std::filesystem::path mount;  // set when kMounted
  std::string device, label;
  std::string message;    // the service's explanation (errors), or ours for an unreadable file
  bool answered = false;  // false: no state file yet
};

// Parses the state file's JSON text. An unknown state, a mounted state without an absolute
// mount path, or text that is not a JSON object yields kError with a message saying so. Pure.
UsbState ParseUsbState(std::string_view text);

class UsbGateClient {
 public:
  // Talks to the root service through `dir`.
  static UsbGateClient Service(std::filesystem::path dir);
  // Development and tests: `mount` is a stick that is always there.
  static UsbGateClient FixedStick(std::filesystem::path mount);

  // Writes an "open" request with `code`; the code's bytes are wiped from every buffer this
  // function used. kInvalidArgument for an empty code and for one outside
  // CheckTechnicianCodeCharacters (technician_code.hpp), which the root service would refuse;
  // nothing is written then. Touches disk (nothing for FixedStick).
  [[nodiscard]] Status Open(ByteView code);
  // Writes a "close" request. Touches disk (nothing for FixedStick).
  [[nodiscard]] Status Close();
  // The kiosk's first act: a "close" request, so that a gate left open by a kiosk that crashed in
  // technician mode is closed (and its stick unmounted) before any sitting can begin. A gate
  // directory that does not exist is no gate at all (a development machine): Ok, nothing
  // written. Fails only as Close does otherwise; the kiosk reports that and goes on. Touches
  // disk (nothing for FixedStick).
  [[nodiscard]] Status CloseAtStart();
  // The service's current answer (FixedStick: mounted at its directory when it exists, an error
  // state naming it when it does not). Fails only when the state file exists and cannot be read
  // (permissions, I/O). Reads disk.
  [[nodiscard]] Result<UsbState> Poll() const;

  bool fixed() const { return fixed_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  UsbGateClient(std::filesystem::path dir, bool fixed) : dir_(std::move(dir)), fixed_(fixed) {}
  [[nodiscard]] Status WriteRequest(ByteView body);
  std::filesystem::path dir_;
  bool fixed_ = false;
};

}  // namespace lontar::terminal
