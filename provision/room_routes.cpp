#include "provision/room_routes.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "core/server/room_page.hpp"

namespace lontar::cli {
namespace {

int StatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUntrusted:
      return 403;
    case ErrorKind::kBadSignature:
      return 422;
    case ErrorKind::kConflict:
      return 409;
    default:
      return 400;
  }
}

}  // namespace

void AddRoomRoutes(httplib::Server& http, server::RoomBoard& board, const Clock& clock) {
  http.Post("/v1/heartbeat", [&board, &clock](const httplib::Request& req, httplib::Response& res) {
    const std::int64_t now = clock.WallMs();
    nlohmann::ordered_json j;
    j["relay_ms"] = now;
    if (req.body.size() > sync::kMaxHeartbeatBytes) {
      j["error"] =
          "heartbeat oversized: over " + std::to_string(sync::kMaxHeartbeatBytes) + " bytes";
      j["kind"] = "malformed";
      res.status = 413;
    } else if (auto taken = board.Accept(AsBytes(req.body), now); !taken) {
      j["error"] = taken.error().message();
      j["kind"] = ErrorKindName(taken.error().kind());
      res.status = StatusFor(taken.error().kind());
      if (res.status != 409) {
        std::cerr << "serve: refused heartbeat from " << req.remote_addr << ": "
                  << taken.error().message() << "\n";
      }
    } else {
      j["superseded"] = *taken;
    }
    res.set_content(j.dump() + "\n", "application/json");
  });
  http.Get("/v1/room.json", [&board, &clock](const httplib::Request&, httplib::Response& res) {
    res.set_content(server::RoomJson(board.View(clock.WallMs())).dump(2) + "\n",
                    "application/json");
  });
}

}  // namespace lontar::cli
