// Packs arrive on USB sticks: the envelope and header readers must reject anything malformed
// without crashing. (The header is parsed here even when the signature fails, which a terminal
// never does, so that the fuzzer reaches the header parser.)
#include <cstdint>

#include "core/pack/pack_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lontar;
  auto envelope = pack::ParseEnvelope(ByteView(data, size), "fuzz.lpk");
  if (!envelope) return 0;
  static const auto key = crypto::SigningKey::FromSeed(Bytes(32, 9));
  (void)pack::VerifyEnvelope(*envelope, {key->public_key()});
  (void)pack::ParseHeader(envelope->header_json);
  return 0;
}
