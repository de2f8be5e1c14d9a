// The technician code: what opens technician mode on a terminal (the kiosk's chord, and the root
// service that turns USB storage on). Only its Argon2id hash is kept on the appliance, in a file
// made at image build (default /etc/lontar/technician.code, mode 0644 so that the kiosk's
// unprivileged user can read it).
//
// Hash file format: one line, the Argon2id string of core/crypto/kdf.hpp HashPin
//   "$argon2id$v=19$m=<KiB>,t=<passes>,p=1$<salt>$<hash>\n"
// written atomically, so a reader sees the old file or the whole new one. A truncated or edited
// file does not parse as an Argon2id string and reads as kMalformed, never as a wrong code.
//
// Cost: the hash is in every copy of the image, so anyone holding one can guess codes offline;
// the code is typed rarely (a technician's visit) and checked at most twice per entry (kiosk and
// root service). So the default is libsodium's Moderate preset (3 passes over 256 MiB, about a
// second or two on a stock PC), the most a terminal accepts for a PIN hash (kMaxPinHashMemory);
// Interactive (0.3 s, 64 MiB) is offered for slow emulated machines and tests.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/crypto/kdf.hpp"
#include "core/crypto/secret.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::terminal {

inline const std::filesystem::path kDefaultTechnicianCodePath = "/etc/lontar/technician.code";
// Fewest characters (UTF-8 code points) a technician code may have.
inline constexpr std::size_t kMinTechnicianCodeLength = 10;
// The longest code accepted (bytes): longer input is a wrong file, not a code.
inline constexpr std::size_t kMaxTechnicianCodeBytes = 256;

enum class TechnicianCodeCost { kModerate, kInteractive };

// What a technician code may contain, the one rule for every place that handles one (this file,
// the kiosk's request to the USB gate in usb_gate_client.hpp, and the root service
// image/scripts/usb-gate, which refuses any other code it is sent): printable ASCII, space
// (0x20) to tilde (0x7E), except the double quote and the backslash. Such a code travels in the
// gate's JSON request without any escape, and types the same on any keyboard layout the kiosk
// may have. tests/fixtures/technician_codes.txt is the table both sides are tested with.
// kInvalidArgument naming what was found and what to use instead. Pure.
[[nodiscard]] Status CheckTechnicianCodeCharacters(ByteView code);

// Whether `code` is acceptable as a technician code: at least kMinTechnicianCodeLength
// characters, at most kMaxTechnicianCodeBytes bytes, only CheckTechnicianCodeCharacters'
// characters, not one character repeated. kInvalidArgument with a message that says what to
// choose instead. Pure.
[[nodiscard]] Status CheckTechnicianCodeStrength(ByteView code);

// The hash file's text (one line, newline-terminated) for `code`, after
// CheckTechnicianCodeStrength. kInvalidArgument for a weak code; kCrypto if memory cannot be had.
// Pure (random salt).
[[nodiscard]] Result<std::string> HashTechnicianCode(ByteView code, TechnicianCodeCost cost);

// Writes the hash of `code` to `path` (mode 0644, atomic, replacing an old file). Touches disk.
[[nodiscard]] Status WriteTechnicianCodeFile(const std::filesystem::path& path, ByteView code,
                                             TechnicianCodeCost cost);

// The Argon2id string in `path`, without its newline. kNotFound when the file does not exist
// (technician mode is then unavailable); kMalformed when it does not hold one Argon2id string.
// Reads disk.
[[nodiscard]] Result<std::string> ReadTechnicianCodeHash(const std::filesystem::path& path);

// Whether `code` matches the hash in `path` (constant time, libsodium). Errors as
// ReadTechnicianCodeHash, so a damaged file never reads as a wrong code. Reads disk.
[[nodiscard]] Result<bool> VerifyTechnicianCode(const std::filesystem::path& path, ByteView code);

}  // namespace lontar::terminal
