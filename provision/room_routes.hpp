// The site relay's room view over HTTP (core/server/room.hpp holds the rules):
//
//   POST /v1/heartbeat   body: a signed heartbeat (core/sync/heartbeat.hpp). 200
//                        {"relay_ms": N, "superseded": bool}; refusals {"error", "kind",
//                        "relay_ms"}: 403 (not enrolled, or a terminal speaking for another),
//                        422 (bad signature), 409 (not newer than the one kept: nothing
//                        changed), 400 (malformed), 413 (over the size limit).
//   GET /v1/room.json    the room view as JSON (room_page.hpp)
//
// Every answer carries the relay's clock (relay_ms), from which `lontar sync` measures how far
// the terminal's clock is off. The status page (GET /, /status) shows the same view as tiles.
#pragma once

#include <httplib.h>

#include "core/server/room.hpp"
#include "core/util/clock.hpp"

namespace lontar::cli {

// Adds the two routes above to `http`. `board` and `clock` must outlive it.
void AddRoomRoutes(httplib::Server& http, server::RoomBoard& board, const Clock& clock);

}  // namespace lontar::cli
