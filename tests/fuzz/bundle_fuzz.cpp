// Result bundles arrive on USB sticks and over the network from terminals: the envelope, header
// and payload readers must reject anything malformed without crashing. (The header and the
// payload are parsed here even when the signature fails, which no reader does, so that the
// fuzzer reaches their parsers; the seed is signed and sealed with the fixed keys below, so
// mutations that leave the crypto intact reach them the real way too.)
//
// The seed corpus/bundle/submitted.lrb is made by the same keys: terminal signing seed 32 x 0x09,
// results secret key 32 x 0x07 (see BundleFuzzSeed in tests/unit/bundle_format_test.cpp).
#include <cstdint>

#include "core/bundle/bundle_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lontar;
  static const auto terminal = crypto::SigningKey::FromSeed(Bytes(32, 9));
  static const auto results = crypto::BoxSecretKey::FromBytes(Bytes(32, 7));
  const ByteView in(data, size);
  auto envelope = bundle::ParseEnvelope(in, "fuzz.lrb");
  if (!envelope) return 0;
  (void)bundle::VerifyBundle(in, terminal->public_key());
  (void)bundle::ParseHeader(envelope->header_json);
  (void)bundle::OpenBundle(in, *results);
  // The payload parser directly on the (unauthenticated) header bytes, for a second shape of
  // JSON input.
  (void)bundle::ParsePayload(envelope->header_json);
  return 0;
}
