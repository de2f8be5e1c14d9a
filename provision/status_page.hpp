// What `lontar serve` shows a coordinator at GET /status (HTML) and GET /v1/status.json: per
// site, the exams and terminals heard from, sequence gaps and rollback flags, and for a relay,
// how far forwarding upstream has got. Every string from a bundle or an enrollment record is
// escaped in the HTML.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/crypto/sign.hpp"
#include "core/server/relay.hpp"
#include "core/server/store.hpp"

namespace lontar::cli {

struct RelayView {
  std::string upstream;  // URL
  server::RelayStats stats;
};

nlohmann::ordered_json StatusJson(const server::StoreStatus& st, const crypto::VerifyKey& key,
                                  const std::optional<RelayView>& relay = {});
std::string StatusHtml(const server::StoreStatus& st, const crypto::VerifyKey& key,
                       const std::optional<RelayView>& relay = {});

}  // namespace lontar::cli
