// The receipt's body parser behind a valid signature: the fuzz input becomes the body of a
// receipt signed by a fixed test key, so mutations reach the JSON field checks that
// receipt_fuzz.cpp's inputs (which almost never carry a valid signature) cannot reach. A hostile
// or broken server holding its own key can send any body it likes.
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "core/bundle/receipt.hpp"
#include "core/format/signed_envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lontar::crypto::SigningKey key = [] {
    const std::uint8_t seed[32] = {7};
    return lontar::crypto::SigningKey::FromSeed(lontar::ByteView(seed, sizeof seed)).value();
  }();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // An envelope read from the wire always yields a body that is valid UTF-8 (its JSON parser
  // refuses anything else), so inputs that are not cannot reach the body parser: skip them. The
  // writer, which only ever signs JSON it produced itself, throws on them.
  std::string signed_receipt;
  try {
    signed_receipt = lontar::format::WriteSignedEnvelope(
        lontar::bundle::kReceiptFormat, lontar::bundle::kReceiptVersion, key, body);
  } catch (const std::exception&) {
    return 0;
  }
  (void)lontar::bundle::VerifyReceipt(lontar::AsBytes(signed_receipt), key.public_key());
  return 0;
}
