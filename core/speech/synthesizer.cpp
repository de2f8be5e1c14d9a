// espeak-ng behind Synthesizer (synthesizer.hpp): synchronous mode, samples through the callback.
#include "core/speech/synthesizer.hpp"

#include <espeak-ng/speak_lib.h>

#include <memory>
#include <mutex>

namespace lontar::speech {
namespace {

// espeak-ng's state is global: one initialisation, one render at a time.
std::mutex& EspeakMutex() {
  static std::mutex m;
  return m;
}

// What one render's callback writes to; espeak-ng hands it back as the events' user_data.
struct RenderState {
  const PcmSink* sink = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  bool stopped = false;
};

// The render in progress. espeak-ng passes user_data only on blocks that carry events, so the
// callback finds its render here; set and cleared under EspeakMutex, on the rendering thread.
RenderState* current = nullptr;

int OnSamples(short* wav, int count, espeak_EVENT*) {
  RenderState* r = current;
  if (r == nullptr || wav == nullptr) return 0;
  if (r->stopped || r->cancel->load()) {
    r->stopped = true;
    return 1;  // abort the synthesis
  }
  if (count > 0 &&
      !(*r->sink)(std::span<const std::int16_t>(wav, static_cast<std::size_t>(count)))) {
    r->stopped = true;
    return 1;
  }
  return 0;
}

bool IsUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

const char* VoiceName(Voice voice) { return voice == Voice::kEnglish ? "en" : "id"; }

Result<Synthesizer> Synthesizer::Open(const std::string& data_dir) {
  std::lock_guard lock(EspeakMutex());
  static int rate = 0;
  if (rate <= 0) {
    // 20 ms blocks: the first sound reaches the player soon after the first syllable is made.
    rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 20,
                             data_dir.empty() ? nullptr : data_dir.c_str(),
                             espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
      return std::unexpected(
          Error::NotFound("speech: espeak-ng could not load its data" +
                          (data_dir.empty() ? std::string() : " from " + data_dir) +
                          " (install the espeak-ng-data package)"));
    }
    espeak_SetSynthCallback(OnSamples);
  }
  for (Voice v : {Voice::kIndonesian, Voice::kEnglish}) {
    if (espeak_SetVoiceByName(VoiceName(v)) != EE_OK) {
      return std::unexpected(Error::NotFound(std::string("speech: espeak-ng has no voice '") +
                                             VoiceName(v) +
                                             "' (install the espeak-ng-data package)"));
    }
  }
  return Synthesizer(rate);
}

Status Synthesizer::Stream(std::string_view text, Voice voice, const PcmSink& sink) {
  if (text.size() > kMaxTextBytes) {
    return std::unexpected(Error::InvalidArgument("speech: the text is longer than 64 KiB"));
  }
  if (!IsUtf8(text)) return std::unexpected(Error::InvalidArgument("speech: text is not UTF-8"));
  cancel_->store(false);
  std::lock_guard lock(EspeakMutex());
  if (espeak_SetVoiceByName(VoiceName(voice)) != EE_OK) {
    return std::unexpected(
        Error::NotFound(std::string("speech: no espeak-ng voice '") + VoiceName(voice) + "'"));
  }
  const std::string z(text);  // espeak-ng reads up to a NUL
  RenderState r{&sink, cancel_.get(), false};
  current = &r;
  const espeak_ERROR e = espeak_Synth(z.c_str(), z.size() + 1, 0, POS_CHARACTER, 0,
                                      espeakCHARS_UTF8 | espeakENDPAUSE, nullptr, nullptr);
  current = nullptr;
  if (e != EE_OK && !r.stopped) {
    return std::unexpected(
        Error::Internal("speech: espeak-ng failed (error " + std::to_string(e) + ")"));
  }
  return Ok();
}

Result<Pcm> Synthesizer::Render(std::string_view text, Voice voice) {
  Pcm pcm;
  pcm.sample_rate = sample_rate_;
  LONTAR_TRY(Stream(text, voice, [&](std::span<const std::int16_t> block) {
    pcm.samples.insert(pcm.samples.end(), block.begin(), block.end());
    return true;
  }));
  return pcm;
}

}  // namespace lontar::speech
