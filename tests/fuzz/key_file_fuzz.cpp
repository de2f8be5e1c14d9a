// Key files and minisign signatures are handed around by people: every parser must reject
// damage cleanly.
#include <cstdint>

#include "core/crypto/key_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lontar;
  const ByteView bytes(data, size);
  const std::string_view text = AsChars(bytes);
  (void)crypto::ParseSigningPublicKey(text);
  (void)crypto::ParseBoxPublicKey(text);
  (void)crypto::ParseSigningSecretKey(bytes);
  (void)crypto::ParseBoxSecretKey(bytes);
  static const auto key = crypto::SigningKey::FromSeed(Bytes(32, 7));
  (void)crypto::MinisignVerify(key->public_key(), AsBytes("content"), text);
  return 0;
}
