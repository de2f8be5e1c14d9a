// The read-only view the exam screens draw: the exam from the released pack, the candidate's
// sitting as the engine last returned it, and what the kiosk measured since (for the clock).
#pragma once

#include <SDL.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/screens/screen.hpp"
#include "core/exam/sitting.hpp"
#include "core/model/exam.hpp"
#include "core/scoring/score.hpp"

namespace lontar::app {

// The item screen draws an image at most this share of the screen's height (and the column's
// width); the image cache decodes to that bound, so a texture has no more pixels than are shown.
inline constexpr float kImageHeightShare = 0.3f;

// An image from the pack, uploaded once.
struct ItemImage {
  SDL_Texture* texture = nullptr;
  int width = 0, height = 0;
};

// An image as the item screen finds it in the kiosk's ImageCache (app/image_cache.hpp): still
// being read and decoded, ready, or impossible to show (the screen says so and to call the
// proctor; the kiosk journals it).
struct ShownImage {
  enum class State { kLoading, kReady, kFailed };
  State state = State::kLoading;
  ItemImage image;
};
class ImageCache;

enum class Saved { kNothing, kSaved, kFailed };

struct ExamView {
  const model::Exam& exam;
  const exam::SittingState& state;
  std::string participant_name;
  std::int64_t remaining_ns = 0;          // whole exam, as of now
  std::int64_t section_remaining_ns = 0;  // current section, as of now
  Saved saved = Saved::kNothing;          // the last command on this item: durable, or refused
  std::string save_error;                 // the engine's message when kFailed
  const ImageCache* images = nullptr;
  const scoring::ScoreReport* score = nullptr;  // finished screen, when the exam shows scores
  std::string receipt;        // finished screen: the result bundle's receipt code, once durable
  bool read_aloud = false;    // the sitting has read-aloud: the item screen offers it
  bool speaking = false;      // read-aloud is speaking now
  std::string audio_error{};  // why read-aloud cannot play ("" when it can)
};

// Remaining time at or below which the clock turns to a warning.
inline constexpr std::int64_t kWarningNs = 5LL * 60 * 1'000'000'000;

// The current section's items in this candidate's order, and where the current item is in it.
std::vector<std::string> SectionItems(const ExamView& view);
std::size_t CurrentIndex(const ExamView& view, const std::vector<std::string>& items);

struct Counts {
  std::size_t items = 0, answered = 0, unanswered = 0, flagged = 0;
};
// Of the current section's items.
Counts SectionCounts(const ExamView& view);
// Answered of all, unanswered and doubtful, as wrapped lines, the last two in colour when not 0.
void DrawCounts(const ScreenContext& ctx, const Counts& counts);

// The header of every exam screen: section (or exam) title and the clock on the right, the
// candidate under it and the section's time, a warning line when five minutes or less are left.
void DrawExamHeader(const ScreenContext& ctx, const ExamView& view);

// The grid of the current section's item numbers, coloured answered / unanswered / doubtful /
// current, `columns` wide (0: as many as fit). A click asks to go to that item.
std::optional<Action> DrawNavigator(const ScreenContext& ctx, const ExamView& view,
                                    int columns = 0);

}  // namespace lontar::app
