#include "tests/support/mini_sitting.hpp"

#include <gtest/gtest.h>

#include "core/exam/engine.hpp"
#include "core/util/bytes.hpp"
#include "tests/support/exam_terminals.hpp"

namespace lontar::testing {

void SitMiniWithEngine(terminal::Terminal& terminal, const Clock& clock,
                       const std::string& participant, const std::string& pin,
                       const std::string& option) {
  auto engine = exam::Engine::Open(terminal, clock);
  ASSERT_TRUE(engine) << engine.error().message();
  const auto token = engine->OpenSession(AsBytes(kMiniProctorCode));
  ASSERT_TRUE(token) << token.error().message();
  ASSERT_TRUE(engine->Login(participant, AsBytes(pin), *token));
  ASSERT_TRUE(engine->Execute(participant, exam::Answer{"tiu-01", {option}}));
  ASSERT_TRUE(engine->Execute(participant, exam::Submit{}));
}

}  // namespace lontar::testing
