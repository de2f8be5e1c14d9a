#include "tests/support/exam_terminals.hpp"

#include <gtest/gtest.h>

#include "core/authoring/source.hpp"
#include "core/pack/build.hpp"
#include "core/pack/terminal_packs.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

Result<terminal::Terminal> InitTerminal(const std::filesystem::path& home,
                                        const crypto::VerifyKey& authority, const Clock& clock,
                                        const std::string& name, const std::string& site) {
  terminal::InitOptions init{.site = site, .name = name, .trusted = {}};
  init.trusted.push_back({authority, "authority.pub"});
  auto t = terminal::Terminal::Init(home, init, clock);
  EXPECT_TRUE(t) << t.error().message();
  return t;
}

Result<terminal::Terminal> InitTerminalOfUnknownAuthority(const std::filesystem::path& home,
                                                          const Clock& clock,
                                                          const std::string& name,
                                                          const std::string& site) {
  LONTAR_ASSIGN_OR_RETURN(crypto::SigningKey authority, crypto::SigningKey::Generate());
  return InitTerminal(home, authority.public_key(), clock, name, site);
}

std::vector<terminal::Terminal> MakeExamTerminals(const std::filesystem::path& dir,
                                                  const Clock& clock,
                                                  const ExamTerminalOptions& options) {
  std::vector<terminal::Terminal> terminals;
  auto authority = crypto::SigningKey::Generate().value();
  for (int i = 0; i < options.terminals; ++i) {
    auto t = InitTerminal(dir / ("t" + std::to_string(i)), authority.public_key(), clock, "");
    if (!t) return terminals;
    terminals.push_back(std::move(*t));
  }
  const auto fixture = std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/fixtures/mini-exam";
  std::filesystem::copy(fixture, dir / "src", std::filesystem::copy_options::recursive);
  std::string exam = ReadText(dir / "src/exam.yaml");
  if (options.charge_downtime) {
    exam.replace(exam.find("duration_minutes: 10"), 20,
                 "duration_minutes: 10\ncharge_downtime: true");
  }
  if (options.duration_minutes > 0) {
    exam.replace(exam.find("duration_minutes: 10"), 20,
                 "duration_minutes: " + std::to_string(options.duration_minutes));
    exam.replace(exam.find("    minutes: 5\n"), 15,
                 options.tiu_minutes > 0
                     ? "    minutes: " + std::to_string(options.tiu_minutes) + "\n"
                     : "");
  }
  if (!options.roster.empty()) WriteText(dir / "src/roster.csv", options.roster);
  WriteText(dir / "src/exam.yaml", exam);
  auto source = authoring::LoadSource(dir / "src");
  EXPECT_TRUE(source);
  if (!source) return {};
  auto code = crypto::SecretBytes::CopyOf(AsBytes("MINI-RELEASE-2026")).value();
  auto proctor = crypto::SecretBytes::CopyOf(AsBytes(kMiniProctorCode)).value();
  pack::BuildOptions o;
  o.authority = &authority;
  o.version = 1;
  o.valid_from_ms = clock.WallMs() - 3'600'000;
  o.valid_until_ms = clock.WallMs() + 3'600'000;
  o.now_ms = clock.WallMs();
  for (terminal::Terminal& t : terminals) {
    o.targets.push_back(terminal::ReadEnrollment(AsBytes(terminal::WriteEnrollment(t, 0))).value());
  }
  o.release_code = &code;
  o.proctor_code = &proctor;
  o.results_key = options.results_key != nullptr
                      ? options.results_key->public_key()
                      : crypto::BoxSecretKey::Generate().value().public_key();
  o.kdf = {1, 8 << 20};
  o.out = dir / "exam.lpk";
  auto built = pack::BuildPack(*source, o);
  EXPECT_TRUE(built) << built.error().message();
  for (terminal::Terminal& t : terminals) {
    auto loaded = pack::LoadPack(t, o.out, clock);
    EXPECT_TRUE(loaded) << loaded.error().message();
    if (!options.release) continue;
    auto released = pack::ReleasePack(t, "", AsBytes("MINI-RELEASE-2026"), clock);
    EXPECT_TRUE(released) << released.error().message();
  }
  return terminals;
}

}  // namespace lontar::testing
