// The upload protocol between a terminal (or a coordinator's laptop, or a relay forwarding
// upstream) and a collection server, in one table that both sides read: the paths, the header
// a terminal adds, and which HTTP status each refusal is sent with and what the uploader makes of
// it. The server (provision/serve_command.cpp) picks a status with StatusFor; the client
// (provision/http_upload.cpp) turns a status back into an error with ErrorForStatus. docs/server.md
// ("HTTP") is the operator's copy of this table.
//
//   status  kind (JSON)       server error kinds                   uploader's error kind
//   200     (receipt)         a duplicate: the original receipt     -
//   201     (receipt)         stored now                            -
//   202     held by a relay   (relay's own receipt in the body)     - (UploadAnswer::relay_held)
//   400     malformed         kMalformed, kInvalidArgument, kTooNew kMalformed
//   403     untrusted         kUntrusted                            kUntrusted
//   404     not-found         kNotFound                             kMalformed
//   408     io                (the request's time ran out)          kIo (retry)
//   409     conflict          kConflict                             kMalformed
//   411     malformed         (no Content-Length, or chunked)       kMalformed
//   413     malformed         (over --max-bundle-mb: checked from    kMalformed
//                              the size, never from a message)
//   422     bad-signature /   kBadSignature, kCorruption            kBadSignature
//           corruption
//   429     -                 (not sent by Lontar; a proxy may)     kIo (retry)
//   431     malformed         (request head over its limits)        kMalformed
//   5xx     io / internal     kDiskFull (507), anything else (500)  kIo (retry)
//
// An uploader's error of kind kIo is worth retrying (sync.hpp, Uploader); every other kind is a
// refusal that will not change on retry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace lontar::sync {

// PUT kBundlesPath + 64 lower-case hex digits (the bundle id), body the .lrb bytes.
inline constexpr std::string_view kBundlesPath = "/v1/bundles/";
// GET kReceiptsPath + receipt code.
inline constexpr std::string_view kReceiptsPath = "/v1/receipts/";

// Request header with which `lontar sync` tells the server the highest bundle number in the
// terminal's outbox, so that its status page can show bundles held on the terminal and not yet
// arrived (a missing last bundle is otherwise invisible).
inline constexpr char kOutboxHighestHeader[] = "X-Lontar-Outbox-Highest";

// Request header with which `lontar sync` sends the terminal's wall clock (ms since the epoch)
// as the request leaves, so that a relay's status page lists terminals whose clock is off even
// when they send no heartbeats (core/server/room.hpp, NoteUploadClock). Like the outbox header,
// taken only with an upload the store accepted, and only a hint for people.
inline constexpr char kTerminalClockHeader[] = "X-Lontar-Terminal-Clock";

inline constexpr int kStatusStored = 201;
inline constexpr int kStatusDuplicate = 200;
inline constexpr int kStatusRelayHeld = 202;
inline constexpr int kStatusTooLarge = 413;

// The status with which the server answers a request that failed with `kind` (the table above).
[[nodiscard]] int StatusFor(ErrorKind kind);

// What an uploader makes of a reply with `status` that carries no receipt (neither 200/201 nor a
// relay's 202): "server refused the bundle (HTTP STATUS: SERVER_MESSAGE)", of the kind the table
// gives. `server_message` may be empty (a reply without the JSON error body).
[[nodiscard]] Error ErrorForStatus(long status, std::string_view server_message);

// Whether `s` is a bundle id as the path carries it: 64 lower-case hex digits.
[[nodiscard]] bool IsBundleIdHex(std::string_view s);

}  // namespace lontar::sync
