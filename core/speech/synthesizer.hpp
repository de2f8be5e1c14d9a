// Text to speech on the terminal, into memory: espeak-ng (Debian's libespeak-ng1 and
// espeak-ng-data) renders 16-bit mono PCM that the kiosk plays through SDL's audio (app/
// read_aloud.*); nothing here touches a sound card or a network. Used for read-aloud, an
// accommodation (core/model/accommodations.hpp).
//
// espeak-ng keeps one synthesizer per process behind global state: every Synthesizer shares it,
// and calls are serialised by a process-wide mutex, so a render on one thread waits for another's
// to finish (or to be cancelled: Cancel()).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

namespace lontar::speech {

enum class Voice { kIndonesian, kEnglish };

struct Pcm {
  int sample_rate = 0;  // Hz (espeak-ng: 22050)
  std::vector<std::int16_t> samples;

  double seconds() const {
    return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
  }
};

// Receives each block of samples as espeak-ng produces it (about 20 ms of speech at a time);
// returning false stops the render.
using PcmSink = std::function<bool(std::span<const std::int16_t>)>;

class Synthesizer {
 public:
  // Loads espeak-ng's data (its default location, or `data_dir` holding espeak-ng-data) once per
  // process and checks both voices exist. kNotFound naming the voice or the data directory when
  // espeak-ng-data is missing (install espeak-ng-data). Reads disk the first time.
  [[nodiscard]] static Result<Synthesizer> Open(const std::string& data_dir = "");

  int sample_rate() const { return sample_rate_; }

  // Renders `text` (UTF-8) with `voice`, handing the samples to `sink` block by block as they
  // are made, so that playing can start after the first block. Returns when the text is spoken,
  // the sink returned false, or Cancel() was called (that is not an error). kInvalidArgument for
  // text that is not UTF-8 or longer than kMaxTextBytes; kInternal if espeak-ng fails.
  [[nodiscard]] Status Stream(std::string_view text, Voice voice, const PcmSink& sink);

  // Stream() into one buffer.
  [[nodiscard]] Result<Pcm> Render(std::string_view text, Voice voice);

  // Asks a Stream() running on another thread to stop after its current block. Thread-safe.
  void Cancel() { cancel_->store(true); }

  static constexpr std::size_t kMaxTextBytes = 64 * 1024;

 private:
  Synthesizer(int sample_rate) : sample_rate_(sample_rate) {}
  int sample_rate_ = 0;
  std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
};

// espeak-ng's voice name for `voice`: "id", "en". Pure.
const char* VoiceName(Voice voice);

}  // namespace lontar::speech
