// What read-aloud says: the words for an item (its stem, then each option with the letter the
// candidate sees, "pilihan A" / "option A"), and for the only two moments the clock is spoken
// (five minutes left, time up). Never the running clock: a timer read out every second drowns
// the questions (issue 25).
#pragma once

#include <string>
#include <vector>

#include "core/exam/sitting.hpp"
#include "core/model/exam.hpp"
#include "core/speech/synthesizer.hpp"

namespace lontar::speech {

// "Soal 3. <stem>. Pilihan A. <text>. Pilihan B. <text>." in `voice`'s language; `number` is the
// item's position in the section (1-based), `option_order` the option keys as shown (OptionOrder
// in core/exam/sitting.hpp), lettered A, B, ... by position as the screen letters them. Keys not
// on the item are skipped. Pure.
std::string ItemScript(const model::Item& item, std::size_t number,
                       const std::vector<std::string>& option_order, Voice voice);

// The words for the sitting's current item as this candidate sees it: its number in the section
// and its options in the sitting's order (ItemOrder, OptionOrder). "" when the sitting has no
// current item. Pure.
std::string CurrentItemScript(const model::Exam& exam, const exam::SittingState& state,
                              Voice voice);

enum class ClockAnnouncement { kFiveMinutesLeft, kTimeUp };
// "Waktu tersisa lima menit." / "Five minutes left." and "Waktu habis." / "Time is up." Pure.
std::string ClockScript(ClockAnnouncement what, Voice voice);

}  // namespace lontar::speech
