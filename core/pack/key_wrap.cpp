#include "core/pack/key_wrap.hpp"

#include <sodium.h>

namespace lontar::pack {

constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kKey = 32;

Result<crypto::SecretBytes> DeriveCodeKey(ByteView release_code, ByteView salt,
                                          const crypto::Argon2Params& params) {
  if (release_code.empty()) {
    return std::unexpected(Error::InvalidArgument("the release code is empty"));
  }
  return crypto::DeriveKey(release_code, salt, params, kKey);
}

Result<Bytes> WrapContentKey(const crypto::SecretBytes& content_key,
                             const crypto::SecretBytes& code_key,
                             const crypto::BoxPublicKey& terminal, std::string_view pack_id) {
  crypto::EnsureSodium();
  Bytes inner(kNonce + kKey + kTag);
  randombytes_buf(inner.data(), kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      inner.data() + kNonce, &len, content_key.data(), content_key.size(),
      reinterpret_cast<const unsigned char*>(pack_id.data()), pack_id.size(), nullptr, inner.data(),
      code_key.data());
  Bytes slot = crypto::Seal(terminal, inner);
  return slot;
}

Result<crypto::SecretBytes> UnwrapContentKey(ByteView slot, const crypto::BoxSecretKey& terminal,
                                             const crypto::SecretBytes& code_key,
                                             std::string_view pack_id) {
  auto inner = crypto::OpenSealed(terminal, slot);
  if (!inner || inner->size() != kNonce + kKey + kTag) {
    return std::unexpected(Error::Crypto(
        "this pack's key slot cannot be opened by this terminal: the pack was built for "
        "another terminal's key (re-enrolled?). Ask the exam authority for a pack built for "
        "this terminal's current enrollment record"));
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::SecretBytes::Allocate(kKey));
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          key.data(), &len, nullptr, inner->data() + kNonce, kKey + kTag,
          reinterpret_cast<const unsigned char*>(pack_id.data()), pack_id.size(), inner->data(),
          code_key.data()) != 0) {
    return std::unexpected(Error::WrongKey("wrong release code"));
  }
  return key;
}

}  // namespace lontar::pack
