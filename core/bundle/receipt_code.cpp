#include "core/bundle/receipt_code.hpp"

#include <array>
#include <cstdint>

namespace lontar::bundle {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// GF(32) multiplication modulo x^5 + x^2 + 1 (0b100101).
std::uint8_t GfMul(std::uint8_t a, std::uint8_t b) {
  std::uint8_t r = 0;
  for (int i = 0; i < 5; ++i) {
    if (b & 1) r ^= a;
    b >>= 1;
    a <<= 1;
    if (a & 0x20) a ^= 0x25;
  }
  return r;
}

// a^i for i = 0..kReceiptSymbols-1, a = x (= 2).
std::array<std::uint8_t, kReceiptSymbols> Weights() {
  std::array<std::uint8_t, kReceiptSymbols> w{};
  std::uint8_t p = 1;
  for (std::size_t i = 0; i < kReceiptSymbols; ++i) {
    w[i] = p;
    p = GfMul(p, 2);
  }
  return w;
}

// The weighted sum of the first `n` symbols.
std::uint8_t Syndrome(const std::array<std::uint8_t, kReceiptSymbols>& s, std::size_t n) {
  static_assert(kReceiptSymbols <= 31, "weights must be distinct: a has order 31");
  const auto w = Weights();
  std::uint8_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum ^= GfMul(w[i], s[i]);
  return sum;
}

// The value of a typed character, or -1. Crockford's look-alikes map to digits.
int SymbolValue(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  for (int v = 0; v < 32; ++v) {
    if (kAlphabet[v] == c) return v;
  }
  return -1;
}

std::string Format(const std::array<std::uint8_t, kReceiptSymbols>& s) {
  std::string out;
  for (std::size_t i = 0; i < kReceiptSymbols; ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += kAlphabet[s[i]];
  }
  return out;
}

}  // namespace

std::string ReceiptCodeFor(const crypto::Hash256& bundle_id) {
  std::array<std::uint8_t, kReceiptSymbols> s{};
  // 55 bits, most significant first: symbol i takes bits 5i .. 5i+4 of the id.
  for (std::size_t i = 0; i < kReceiptDataSymbols; ++i) {
    std::uint8_t v = 0;
    for (std::size_t b = 0; b < 5; ++b) {
      const std::size_t bit = i * 5 + b;
      v = static_cast<std::uint8_t>(v << 1 | ((bundle_id[bit / 8] >> (7 - bit % 8)) & 1));
    }
    s[i] = v;
  }
  // The check weight is a^11; solve a^11 * c = syndrome (addition is XOR in GF(32)).
  const std::uint8_t syndrome = Syndrome(s, kReceiptDataSymbols);
  const std::uint8_t weight = Weights()[kReceiptDataSymbols];
  for (std::uint8_t c = 0; c < 32; ++c) {
    if (GfMul(weight, c) == syndrome) {
      s[kReceiptDataSymbols] = c;
      break;
    }
  }
  return Format(s);
}

Result<std::string> ParseReceiptCode(std::string_view typed) {
  std::array<std::uint8_t, kReceiptSymbols> s{};
  std::size_t n = 0;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    const int v = SymbolValue(c);
    if (v < 0) {
      const bool printable = c > ' ' && c < 127;
      return std::unexpected(Error::InvalidArgument(
          "receipt code '" + std::string(typed) +
          "': " + (printable ? "'" + std::string(1, c) + "'" : std::string("a character")) +
          " is not used in receipt codes (they use 0-9 and A-Z without I, L, O, U)"));
    }
    if (n == kReceiptSymbols) {
      n = kReceiptSymbols + 1;
      break;
    }
    s[n++] = static_cast<std::uint8_t>(v);
  }
  if (n != kReceiptSymbols) {
    return std::unexpected(Error::InvalidArgument(
        "receipt code '" + std::string(typed) + "' has " +
        (n > kReceiptSymbols ? "more than " + std::to_string(kReceiptSymbols) : std::to_string(n)) +
        " characters; a receipt code has " + std::to_string(kReceiptSymbols) +
        ", like 7KQ2-M9XD-4RZN"));
  }
  if (Syndrome(s, kReceiptSymbols) != 0) {
    return std::unexpected(Error::InvalidArgument(
        "receipt code '" + std::string(typed) +
        "' does not check out: a character is mistyped or two are swapped. Compare it with the "
        "slip character by character"));
  }
  return Format(s);
}

bool ReceiptCodeMatches(std::string_view typed, const crypto::Hash256& bundle_id) {
  auto code = ParseReceiptCode(typed);
  return code && *code == ReceiptCodeFor(bundle_id);
}

}  // namespace lontar::bundle
