#include "app/read_aloud.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace lontar::app {
namespace {

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ReadAloud::~ReadAloud() {
  Stop();
  if (device_ != 0) SDL_CloseAudioDevice(device_);
}

bool ReadAloud::Ready() {
  if (synth_ && device_ != 0) return true;
  if (!error_.empty()) return false;  // tried; the message stays for the screen
  if (!synth_) {
    auto synth = speech::Synthesizer::Open();
    if (!synth) {
      error_ = synth.error().message();
      return false;
    }
    synth_.emplace(std::move(*synth));
  }
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    error_ = std::string("audio: ") + SDL_GetError();
    return false;
  }
  SDL_AudioSpec want{};
  want.freq = synth_->sample_rate();
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = 512;  // about 23 ms at 22,050 Hz: the device's share of the latency
  device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have_, 0);
  if (device_ == 0) {
    error_ = std::string("audio: no output device (") + SDL_GetError() + ")";
    return false;
  }
  SDL_PauseAudioDevice(device_, 0);
  return true;
}

std::string DescribeAudioOutput() {
  if (SDL_WasInit(SDL_INIT_AUDIO) == 0 && SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    return std::string("no audio device: ") + SDL_GetError();
  }
  const char* driver = SDL_GetCurrentAudioDriver();
  const std::string prefix = std::string(driver != nullptr ? driver : "?") + ": ";
  const int count = SDL_GetNumAudioDevices(0);
  if (count > 0) {
    const char* name = SDL_GetAudioDeviceName(0, 0);
    std::string text = prefix + (name != nullptr ? name : "?");
    if (count > 1) text += " (+" + std::to_string(count - 1) + ")";
    return text;
  }
  // -1: the driver cannot list its devices but may still open its default.
  return prefix + (count < 0 ? "default output" : "no output device");
}

void ReadAloud::Speak(std::string text, speech::Voice voice, std::string about) {
  Stop();
  if (!Ready()) return;
  about_ = std::move(about);
  stop_ = false;
  rendering_ = true;
  first_block_ns_ = 0;
  started_ns_ = NowNs();
  worker_ = std::thread([this, text = std::move(text), voice] {
    std::vector<std::int16_t> scaled;
    auto rendered = synth_->Stream(text, voice, [&](std::span<const std::int16_t> block) {
      if (stop_.load()) return false;
      const int volume = volume_.load();
      scaled.resize(block.size());
      for (std::size_t i = 0; i < block.size(); ++i) {
        scaled[i] = static_cast<std::int16_t>(block[i] * volume / 100);
      }
      SDL_QueueAudio(device_, scaled.data(), static_cast<Uint32>(scaled.size() * 2));
      if (first_block_ns_.load() == 0) first_block_ns_ = NowNs();
      return !stop_.load();
    });
    (void)rendered;  // a failed render is silence; the candidate can press again
    rendering_ = false;
  });
}

void ReadAloud::Stop() {
  stop_ = true;
  if (synth_) synth_->Cancel();
  if (worker_.joinable()) worker_.join();
  if (device_ != 0) SDL_ClearQueuedAudio(device_);
  about_.clear();
}

bool ReadAloud::speaking() const {
  return rendering_.load() || (device_ != 0 && SDL_GetQueuedAudioSize(device_) > 0);
}

void ReadAloud::VolumeUp() { volume_ = std::min(100, volume_.load() + 10); }
void ReadAloud::VolumeDown() { volume_ = std::max(0, volume_.load() - 10); }

std::optional<std::int64_t> ReadAloud::first_block_latency_ns() const {
  const std::int64_t first = first_block_ns_.load();
  if (first == 0) return std::nullopt;
  return first - started_ns_.load();
}

std::int64_t ReadAloud::device_buffer_ns() const {
  if (have_.freq <= 0) return 0;
  return static_cast<std::int64_t>(have_.samples) * 1'000'000'000 / have_.freq;
}

}  // namespace lontar::app
