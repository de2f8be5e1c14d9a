// The candidate's receipt code: a short, typo-tolerant name for a result bundle that a person can
// copy from the screen onto paper and type into a form days later.
//
// Form: 12 Crockford base32 symbols (0-9 A-Z without I L O U), shown in three groups of four:
//   "7KQ2-M9XD-4RZN"
//   symbols 1..11   the first 55 bits of the bundle id (bundle id = BLAKE2b-256 of the sealed
//                   payload, bundle_format.hpp), most significant bit first
//   symbol 12       check symbol c, chosen so that  sum_{i=0..11} a^i * s_i = 0  in GF(32)
//                   (a = x, a primitive element of GF(2)[x] / (x^5 + x^2 + 1))
// Why this check: each position has its own non-zero weight a^i, so a single changed symbol
// (s_i -> s_i + e, e != 0) changes the sum by a^i * e != 0, and swapping any two different
// symbols at positions i != j changes it by (a^i + a^j)(s_i + s_j) != 0. Every single-symbol
// error and every transposition, adjacent or not, is caught, including ones involving the check
// symbol itself; Crockford's own mod-37 check needs five extra symbols (* ~ $ = U) that people
// misread, this one uses only the 32 ordinary ones.
//
// 55 bits: among the ~4 million bundles of a national round, the chance that any two share a
// code is about 0.02%; within a site's 18,000 it is negligible. The code names a bundle for a
// person; the server still identifies bundles by the full id.
//
// Reading is forgiving: lower case is accepted, O reads as 0, I and L read as 1, hyphens and
// spaces are ignored. U (reserved by Crockford) and anything else is refused.
#pragma once

#include <string>
#include <string_view>

#include "core/crypto/hash.hpp"
#include "core/util/error.hpp"

namespace lontar::bundle {

inline constexpr std::size_t kReceiptDataSymbols = 11;
inline constexpr std::size_t kReceiptSymbols = kReceiptDataSymbols + 1;

// The code for a bundle id, canonical form "7KQ2-M9XD-4RZN" (three groups of four). Pure.
std::string ReceiptCodeFor(const crypto::Hash256& bundle_id);

// Reads a code a person typed and returns it in canonical form. kInvalidArgument naming the
// problem: a character that is not Crockford base32 (and which one), the wrong number of
// symbols (how many were read), or a check symbol that does not match ("mistyped? check each
// character"). Pure.
[[nodiscard]] Result<std::string> ParseReceiptCode(std::string_view typed);

// Whether `typed` (read as ParseReceiptCode does) is the code of `bundle_id`. Pure.
bool ReceiptCodeMatches(std::string_view typed, const crypto::Hash256& bundle_id);

}  // namespace lontar::bundle
