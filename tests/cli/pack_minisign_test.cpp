// `lontar pack build` writes exam.lpk.minisig, which the stock minisign tool (Debian's minisign
// 0.11) accepts with the authority's public key, and refuses once one byte of the pack changes.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::RunLontar;
using testing::RunProgram;
using testing::TempDir;

TEST(PackMinisign, StockMinisignChecksThePackAndRefusesAFlippedByte) {
  TempDir dir;
  const auto p = [&](const std::string& name) { return (dir / name).string(); };
  testing::MakeMiniPackWithCli(dir.path(), {"t"});
  ASSERT_FALSE(::testing::Test::HasFailure());

  auto ok =
      RunProgram("/usr/bin/minisign", {"-V", "-p", p("keys/authority.pub"), "-m", p("exam.lpk")});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("Signature and comment signature verified"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("Trusted comment: lontar pack exam "), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(" version 1 valid 2020-01-01T00:00:00Z to 2099-01-01T00:00:00Z"),
            std::string::npos)
      << ok.out;

  {
    std::fstream f(p("exam.lpk"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const std::streamoff middle = f.tellg() / 2;
    f.seekg(middle);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x01);
    f.seekp(middle);
    f.write(&c, 1);
  }
  auto flipped =
      RunProgram("/usr/bin/minisign", {"-V", "-p", p("keys/authority.pub"), "-m", p("exam.lpk")});
  EXPECT_NE(flipped.exit_code, 0) << flipped.out;
  EXPECT_NE((flipped.out + flipped.err).find("Signature verification failed"), std::string::npos)
      << flipped.out << flipped.err;
}

}  // namespace
}  // namespace lontar
