// Receipt codes: the form, forgiving reading, and that every single-symbol error and every
// transposition is caught (exhaustively, over many codes).
#include <gtest/gtest.h>

#include <string>

#include "core/bundle/receipt_code.hpp"
#include "core/crypto/hash.hpp"

namespace lontar::bundle {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

crypto::Hash256 IdOf(int i) { return crypto::Blake2b256(AsBytes("bundle " + std::to_string(i))); }

// The 12 symbols of a canonical code, without hyphens.
std::string Symbols(const std::string& code) {
  std::string s;
  for (char c : code) {
    if (c != '-') s += c;
  }
  return s;
}

TEST(ReceiptCode, HasTheDocumentedForm) {
  crypto::Hash256 zero{};
  EXPECT_EQ(ReceiptCodeFor(zero), "0000-0000-0000");
  crypto::Hash256 ones;
  ones.fill(0xff);
  const std::string code = ReceiptCodeFor(ones);
  EXPECT_EQ(code.substr(0, 13), "ZZZZ-ZZZZ-ZZZ") << code;  // 55 one-bits
  for (int i = 0; i < 100; ++i) {
    const std::string c = ReceiptCodeFor(IdOf(i));
    ASSERT_EQ(c.size(), 14u);
    EXPECT_EQ(c[4], '-');
    EXPECT_EQ(c[9], '-');
    EXPECT_EQ(Symbols(c).find_first_not_of(kAlphabet), std::string::npos) << c;
    auto parsed = ParseReceiptCode(c);
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(*parsed, c);
    EXPECT_TRUE(ReceiptCodeMatches(c, IdOf(i)));
    EXPECT_FALSE(ReceiptCodeMatches(c, IdOf(i + 1)));
  }
}

TEST(ReceiptCode, KnownAnswers) {
  // Computed independently (a few lines of Python over the same field) for the documentation's
  // examples.
  EXPECT_EQ(ParseReceiptCode("7KQ2-M9XD-4RZN").value(), "7KQ2-M9XD-4RZN");
  EXPECT_EQ(ParseReceiptCode("m0px 4t7d qq95").value(), "M0PX-4T7D-QQ95");
  EXPECT_FALSE(ParseReceiptCode("7KQ2-M9XD-4RZC"));
}

TEST(ReceiptCode, DataSymbolsAreTheFirst55BitsOfTheId) {
  crypto::Hash256 id{};
  id[0] = 0x80;  // the first bit: the top bit of the first symbol (16 = 'G')
  EXPECT_EQ(ReceiptCodeFor(id)[0], 'G');
  id = {};
  id[6] = 0x02;  // bit 54, the last data bit: the low bit of symbol 11
  EXPECT_EQ(Symbols(ReceiptCodeFor(id))[10], '1');
  id = {};
  id[6] = 0x01;  // bit 55 is not part of the code
  EXPECT_EQ(ReceiptCodeFor(id), "0000-0000-0000");
}

TEST(ReceiptCode, ReadsWhatPeopleType) {
  const std::string code = ReceiptCodeFor(IdOf(7));
  std::string sloppy;
  for (char c : Symbols(code)) {
    char t = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '0') t = 'o';
    if (c == '1') t = 'l';
    sloppy += t;
    sloppy += ' ';
  }
  auto parsed = ParseReceiptCode(sloppy);
  ASSERT_TRUE(parsed) << sloppy << ": " << parsed.error().message();
  EXPECT_EQ(*parsed, code);
  // A code with O and I typed for 0 and 1.
  crypto::Hash256 zero{};
  EXPECT_EQ(ParseReceiptCode("OOOO-oooo-OOOO").value(), ReceiptCodeFor(zero));
  EXPECT_EQ(ParseReceiptCode("0000 0000 0000").value(), ReceiptCodeFor(zero));
}

TEST(ReceiptCode, RefusalsSayWhy) {
  const std::string code = ReceiptCodeFor(IdOf(3));
  auto u = ParseReceiptCode("U" + code.substr(1));
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(u.error().message().find("'U' is not used"), std::string::npos) << u.error().message();
  auto star = ParseReceiptCode(code.substr(0, 13) + "*");
  ASSERT_FALSE(star);
  EXPECT_NE(star.error().message().find("'*'"), std::string::npos);
  auto short_code = ParseReceiptCode(code.substr(0, 13));
  ASSERT_FALSE(short_code);
  EXPECT_NE(short_code.error().message().find("has 11 characters"), std::string::npos)
      << short_code.error().message();
  auto long_code = ParseReceiptCode(code + "7");
  ASSERT_FALSE(long_code);
  EXPECT_NE(long_code.error().message().find("more than 12"), std::string::npos);
  auto empty = ParseReceiptCode("");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("has 0 characters"), std::string::npos);
}

TEST(ReceiptCode, EverySingleSubstitutionIsCaught) {
  int tried = 0;
  for (int n = 0; n < 300; ++n) {
    const std::string s = Symbols(ReceiptCodeFor(IdOf(n)));
    for (std::size_t pos = 0; pos < s.size(); ++pos) {
      for (char c : std::string(kAlphabet)) {
        if (c == s[pos]) continue;
        std::string typo = s;
        typo[pos] = c;
        ++tried;
        auto r = ParseReceiptCode(typo);
        ASSERT_FALSE(r) << s << " -> " << typo << " was accepted";
        EXPECT_NE(r.error().message().find("does not check out"), std::string::npos);
      }
    }
  }
  EXPECT_EQ(tried, 300 * 12 * 31);
}

TEST(ReceiptCode, EveryTranspositionIsCaught) {
  int tried = 0;
  for (int n = 0; n < 2000; ++n) {
    const std::string s = Symbols(ReceiptCodeFor(IdOf(n)));
    for (std::size_t i = 0; i < s.size(); ++i) {
      for (std::size_t j = i + 1; j < s.size(); ++j) {
        if (s[i] == s[j]) continue;
        std::string swapped = s;
        std::swap(swapped[i], swapped[j]);
        ++tried;
        ASSERT_FALSE(ParseReceiptCode(swapped)) << s << " -> " << swapped << " was accepted";
      }
    }
  }
  EXPECT_GT(tried, 2000 * 60);
}

TEST(ReceiptCode, EveryCheckSymbolIsReachable) {
  // The check symbol must not be biased to a subset, or it would carry less than 5 bits.
  std::string seen;
  for (int n = 0; n < 2000 && seen.size() < 32; ++n) {
    const char c = Symbols(ReceiptCodeFor(IdOf(n))).back();
    if (seen.find(c) == std::string::npos) seen += c;
  }
  EXPECT_EQ(seen.size(), 32u);
}

}  // namespace
}  // namespace lontar::bundle
