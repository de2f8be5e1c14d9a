// Binding a pack's content key to a terminal and the release code (see pack_format.hpp).
#pragma once

#include <string_view>

#include "core/crypto/box.hpp"
#include "core/crypto/kdf.hpp"
#include "core/crypto/secret.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

// The key the release code stands for: Argon2id(code, salt). Pure; slow on purpose.
[[nodiscard]] Result<crypto::SecretBytes> DeriveCodeKey(ByteView release_code, ByteView salt,
                                                        const crypto::Argon2Params& params);

// slot = SealedBox(terminal, nonce | XChaCha20-Poly1305(code_key, content_key, ad = pack_id)).
Result<Bytes> WrapContentKey(const crypto::SecretBytes& content_key,
                             const crypto::SecretBytes& code_key,
                             const crypto::BoxPublicKey& terminal, std::string_view pack_id);

// Opens a slot. kCrypto "not for this terminal" when the outer box does not open; kWrongKey
// when the release code is wrong. Pure.
[[nodiscard]] Result<crypto::SecretBytes> UnwrapContentKey(ByteView slot,
                                                           const crypto::BoxSecretKey& terminal,
                                                           const crypto::SecretBytes& code_key,
                                                           std::string_view pack_id);

}  // namespace lontar::pack
