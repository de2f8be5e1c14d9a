// What `lontar serve` shows a coordinator at GET /status (HTML) and GET /v1/status.json: per
// site, the sessions expected (from the packs' signed headers) against what arrived, the exams
// and terminals heard from, sequence gaps and rollback flags, and for a relay,
// how far forwarding upstream has got. Every string from a bundle or an enrollment record is
// escaped in the HTML.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/crypto/sign.hpp"
#include "core/server/expected_sessions.hpp"
#include "core/server/outbox_reports.hpp"
#include "core/server/relay.hpp"
#include "core/server/store.hpp"
#include "core/util/time_zone.hpp"

namespace lontar::cli {

struct RelayView {
  std::string upstream;  // URL
  server::RelayStats stats;
};

// What terminals said about their outboxes (outbox_reports.hpp), by terminal id.
using OutboxReportMap = std::map<std::string, server::OutboxReport>;

// `sessions`: CompareSessions of the packs given with --packs and the store's deliveries (only
// what arrived when the server was given no packs: such rows are shown, never marked missing).
// A terminal row is "ok" (green) only with at least one bundle, no gap, no flag and nothing its
// last sync reported that has not arrived; "none" (grey) with no bundle yet; "gap" (red)
// otherwise. A session is complete when every expected terminal has reported and none of its
// terminals at the site has a gap or a bundle still held on it: every sitting that happened has
// arrived; candidates on the roster with no bundle are then absent. `room_section` (HTML, from
// core/server/room_page.hpp, already escaped) is placed after the relay's table. The HTML writes
// times in `zone`, named (the site's: `lontar serve --time-zone`); the JSON in UTC.
nlohmann::ordered_json StatusJson(const server::StoreStatus& st, const crypto::VerifyKey& key,
                                  const std::vector<server::SessionRow>& sessions,
                                  const std::optional<RelayView>& relay = {},
                                  const OutboxReportMap& outboxes = {});
std::string StatusHtml(const server::StoreStatus& st, const crypto::VerifyKey& key,
                       const std::vector<server::SessionRow>& sessions,
                       const std::optional<RelayView>& relay = {},
                       const OutboxReportMap& outboxes = {}, const std::string& room_section = {},
                       const TimeZone& zone = TimeZone{"UTC", 0});

}  // namespace lontar::cli
