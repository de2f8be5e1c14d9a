// One sitting of the mini test exam (tests/fixtures/mini-exam) through the engine, for tests that
// need a sealed bundle in a terminal's outbox as a candidate's sitting leaves it.
#pragma once

#include <string>

#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"

namespace lontar::testing {

// On `terminal` (with the mini pack loaded and released, as MakeExamTerminals leaves it): a session
// opened with kMiniProctorCode, `participant` logged in with `pin`, tiu-01 answered `option`,
// then submitted, which seals the bundle into the outbox. Fails the current test on any error.
// Touches disk.
void SitMiniWithEngine(terminal::Terminal& terminal, const Clock& clock,
                       const std::string& participant, const std::string& pin,
                       const std::string& option);

}  // namespace lontar::testing
