// Read-aloud's speech, rendered into memory (no sound card): the words for a known item, and
// espeak-ng's rendering of them non-silent and of a plausible length in each language.
#include <gtest/gtest.h>

#include <cmath>

#include "core/authoring/source.hpp"
#include "core/speech/item_script.hpp"
#include "core/speech/synthesizer.hpp"

namespace lontar::speech {
namespace {

model::Item MiniItem() {
  auto s =
      authoring::LoadSource(std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/fixtures/mini-exam");
  EXPECT_TRUE(s);
  return s->exam.items.at("tiu-01");  // "Berapakah 3 x 4?" with options 7, 12, 34
}

TEST(ItemScript, KnownItemInBothLanguages) {
  const model::Item item = MiniItem();
  // Options shown as C, A, B are lettered by position: "Pilihan A" is option C's text.
  EXPECT_EQ(ItemScript(item, 1, {"C", "A", "B"}, Voice::kIndonesian),
            "Soal 1. Berapakah 3 x 4? Pilihan A. 34. Pilihan B. 7. Pilihan C. 12.");
  EXPECT_EQ(ItemScript(item, 2, {"A", "B", "C"}, Voice::kEnglish),
            "Question 2. What is 3 x 4? Option A. 7. Option B. 12. Option C. 34.");
}

TEST(ItemScript, ClockOnlyTwoSentences) {
  EXPECT_EQ(ClockScript(ClockAnnouncement::kFiveMinutesLeft, Voice::kIndonesian),
            "Waktu tersisa lima menit.");
  EXPECT_EQ(ClockScript(ClockAnnouncement::kTimeUp, Voice::kEnglish), "Time is up.");
}

// Root mean square of the samples, in 16-bit units.
double Rms(const Pcm& pcm) {
  double sum = 0;
  for (std::int16_t s : pcm.samples) sum += static_cast<double>(s) * s;
  return pcm.samples.empty() ? 0 : std::sqrt(sum / static_cast<double>(pcm.samples.size()));
}

TEST(Synthesizer, KnownItemIsNonSilentAndPlausiblyLongPerLanguage) {
  auto synth = Synthesizer::Open();
  ASSERT_TRUE(synth) << synth.error().message();
  const model::Item item = MiniItem();
  for (Voice voice : {Voice::kIndonesian, Voice::kEnglish}) {
    const std::string text = ItemScript(item, 1, {"A", "B", "C"}, voice);
    auto pcm = synth->Render(text, voice);
    ASSERT_TRUE(pcm) << pcm.error().message();
    EXPECT_EQ(pcm->sample_rate, synth->sample_rate());
    // Speech is loud enough to hear: silence is 0, espeak-ng's voices reach thousands.
    EXPECT_GT(Rms(*pcm), 300.0) << VoiceName(voice);
    // About 70 characters in five parts: espeak-ng reads them at its normal 175 words a minute
    // in 9.0 s (id) and 7.5 s (en), pauses included. Under 4 s or over 15 s would not be this
    // text spoken at that rate (a truncated render, or one stuck repeating).
    EXPECT_GT(pcm->seconds(), 4.0) << VoiceName(voice) << " " << text;
    EXPECT_LT(pcm->seconds(), 15.0) << VoiceName(voice) << " " << text;
  }
}

TEST(Synthesizer, SinkStopsTheRender) {
  auto synth = Synthesizer::Open();
  ASSERT_TRUE(synth) << synth.error().message();
  std::size_t blocks = 0, samples = 0;
  ASSERT_TRUE(synth->Stream("Satu dua tiga empat lima enam tujuh delapan sembilan sepuluh.",
                            Voice::kIndonesian, [&](std::span<const std::int16_t> b) {
                              ++blocks;
                              samples += b.size();
                              return blocks < 2;
                            }));
  EXPECT_EQ(blocks, 2u) << "no block after the sink said stop";
  // The next render starts afresh.
  auto pcm = synth->Render("Lima.", Voice::kIndonesian);
  ASSERT_TRUE(pcm);
  EXPECT_GT(pcm->samples.size(), samples);
}

TEST(Synthesizer, TextThatIsNotUtf8IsRefused) {
  auto synth = Synthesizer::Open();
  ASSERT_TRUE(synth);
  auto r = synth->Render("soal \xff", Voice::kIndonesian);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "speech: text is not UTF-8");
}

}  // namespace
}  // namespace lontar::speech
