#include "app/accommodations.hpp"

#include <algorithm>

#include "app/screens/exam_view.hpp"
#include "core/speech/item_script.hpp"

namespace lontar::app {
namespace {

speech::Voice VoiceFor(bool english) {
  return english ? speech::Voice::kEnglish : speech::Voice::kIndonesian;
}

}  // namespace

float FontScaleFor(model::TextSize size) {
  switch (size) {
    case model::TextSize::kNormal:
      return 1.0f;
    case model::TextSize::kLarge:
      return 1.5f;
    case model::TextSize::kLarger:
      return 2.0f;
  }
  return 1.0f;
}

Look AccommodatedLook(const model::Accommodations& a, Look current) {
  current.font_scale = std::max(current.font_scale, FontScaleFor(a.text_size));
  current.high_contrast = current.high_contrast || a.high_contrast;
  return current;
}

bool SittingAids::Follow(const exam::SittingState& s, const Look& base, Look& look) {
  if (s.participant.empty()) return false;
  const bool someone_new = s.participant != participant_;
  if (!someone_new && s.accommodations == applied_) return false;
  if (someone_new) {
    player_.Stop();
    warned_ = ended_ = false;
  }
  if (!s.accommodations.read_aloud) player_.Stop();
  // A new participant keeps what was chosen on the login screen, unless the last participant's
  // accommodations enlarged the look: then the terminal's own look comes back first.
  const bool undo =
      someone_new && (applied_.text_size != model::TextSize::kNormal || applied_.high_contrast);
  participant_ = s.participant;
  applied_ = s.accommodations;
  const Look next = AccommodatedLook(applied_, undo ? base : look);
  const bool changed =
      next.font_scale != look.font_scale || next.high_contrast != look.high_contrast;
  look = next;
  return changed;
}

void SittingAids::ToggleItem(const model::Exam& exam, const exam::SittingState& s, bool english,
                             const std::string& shown) {
  if (!applied_.read_aloud) return;
  if (player_.speaking() && player_.about() == shown) {
    player_.Stop();
    return;
  }
  const speech::Voice voice = VoiceFor(english);
  player_.Speak(speech::CurrentItemScript(exam, s, voice), voice, shown);
}

void SittingAids::Shown(const std::string& shown) {
  if (!player_.about().empty() && player_.about() != shown) player_.Stop();
}

void SittingAids::Announce(const exam::SittingState& s, std::int64_t remaining_ns, bool english,
                           const std::string& shown) {
  if (!applied_.read_aloud || s.participant != participant_) return;
  const speech::Voice voice = VoiceFor(english);
  if (s.phase == exam::Phase::kInProgress && remaining_ns <= kWarningNs && remaining_ns > 0 &&
      !warned_) {
    warned_ = true;
    player_.Speak(speech::ClockScript(speech::ClockAnnouncement::kFiveMinutesLeft, voice), voice,
                  shown);
  }
  if (s.phase == exam::Phase::kSubmitted && s.reason == exam::SubmitReason::kTimeUp && !ended_) {
    ended_ = true;
    player_.Speak(speech::ClockScript(speech::ClockAnnouncement::kTimeUp, voice), voice, shown);
  }
}

nlohmann::json SittingAids::ReportJson() const {
  nlohmann::json j{{"on", applied_.read_aloud},  {"speaking", player_.speaking()},
                   {"volume", player_.volume()}, {"about", player_.about()},
                   {"warned", warned_},          {"ended", ended_},
                   {"error", player_.error()}};
  if (auto latency = player_.first_block_latency_ns()) j["first_block_ms"] = *latency / 1e6;
  return j;
}

}  // namespace lontar::app
