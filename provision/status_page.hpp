// What `lontar serve` shows a coordinator at GET /status (HTML) and GET /v1/status.json: per
// site, the sessions expected (from the packs' signed headers) against what arrived, the exams
// and terminals heard from, sequence gaps and rollback flags, and for a relay,
// how far forwarding upstream has got. Every string from a bundle or an enrollment record is
// escaped in the HTML.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/crypto/sign.hpp"
#include "core/server/expected.hpp"
#include "core/server/relay.hpp"
#include "core/server/store.hpp"

namespace lontar::cli {

struct RelayView {
  std::string upstream;  // URL
  server::RelayStats stats;
};

// `sessions`: CompareSessions of the packs given with --packs and the store's deliveries (empty
// when the server was given no packs: then only what arrived is shown).
nlohmann::ordered_json StatusJson(const server::StoreStatus& st, const crypto::VerifyKey& key,
                                  const std::vector<server::SessionRow>& sessions,
                                  const std::optional<RelayView>& relay = {});
std::string StatusHtml(const server::StoreStatus& st, const crypto::VerifyKey& key,
                       const std::vector<server::SessionRow>& sessions,
                       const std::optional<RelayView>& relay = {});

}  // namespace lontar::cli
