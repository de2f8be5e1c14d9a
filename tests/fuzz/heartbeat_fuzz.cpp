// A heartbeat arrives at the site relay from anything on the LAN. The input is tried twice: as
// the whole signed heartbeat (the envelope's parser), and as a body signed here with a fixed key,
// so that the body's parser, which a real heartbeat reaches only with a good signature, is
// exercised too.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/format/signed_envelope.hpp"
#include "core/sync/heartbeat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lontar::crypto::SigningKey key = [] {
    const std::string seed(32, '\x07');
    return lontar::crypto::SigningKey::FromSeed(lontar::AsBytes(seed)).value();
  }();
  (void)lontar::sync::ReadHeartbeat(lontar::ByteView(data, size));
  const std::string body(reinterpret_cast<const char*>(data), size);
  std::string signed_body;
  try {
    signed_body = lontar::format::WriteSignedEnvelope(lontar::sync::kHeartbeatFormat, 1, key, body);
  } catch (const nlohmann::json::exception&) {
    return 0;  // a body that is not UTF-8 text cannot be put in an envelope (none is ever sent)
  }
  (void)lontar::sync::ReadHeartbeat(lontar::AsBytes(signed_body));
  return 0;
}
