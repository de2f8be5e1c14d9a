// Read-aloud in the kiosk: speech rendered by core/speech on a worker thread and queued, block by
// block, to an SDL audio device, so that the first words play while the rest is still being
// made. The kiosk decides when to speak (an item's words on the candidate's key or button, the
// five-minute warning and the end); this only plays, stops and sets the volume.
//
// Threads: Speak, Stop and the volume are called from the kiosk's thread; the worker only renders
// and queues (SDL_QueueAudio locks the device). Stop cancels the render, joins the worker and
// drops what is queued, so nothing of the old speech plays after it returns.
#pragma once

#include <SDL.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "core/speech/synthesizer.hpp"

namespace lontar::app {

// The audio output read-aloud would play through, for the health page: "alsa: HDA Intel PCH,
// ALC887 Analog" (SDL's driver and its first output device; SDL opens the default, usually that
// one), "alsa: default output" when the driver names none, or why there is none ("no audio
// device: ..."). Initialises SDL's audio (once; it stays for read-aloud).
std::string DescribeAudioOutput();

class ReadAloud {
 public:
  ReadAloud() = default;
  ReadAloud(const ReadAloud&) = delete;
  ReadAloud& operator=(const ReadAloud&) = delete;
  ~ReadAloud();

  // Opens espeak-ng and the audio device the first time; false (with error()) when either
  // cannot be had. Cheap afterwards.
  bool Ready();

  // Stops what is playing and starts speaking `text`. `about` names what it is about (the
  // screen and item): the kiosk stops speech whose subject is no longer on screen.
  void Speak(std::string text, speech::Voice voice, std::string about);
  void Stop();
  // Rendering or still playing.
  bool speaking() const;
  const std::string& about() const { return about_; }

  // 0..100 in steps of 10; applies to speech queued from now on.
  void VolumeUp();
  void VolumeDown();
  int volume() const { return volume_.load(); }

  // What went wrong opening speech or audio; "" when nothing did.
  const std::string& error() const { return error_; }
  // Nanoseconds from the last Speak() to its first block queued to the device, if it came.
  std::optional<std::int64_t> first_block_latency_ns() const;
  // The audio device's own buffer ahead of the queue, in nanoseconds (a constant per device).
  std::int64_t device_buffer_ns() const;

 private:
  std::optional<speech::Synthesizer> synth_;
  SDL_AudioDeviceID device_ = 0;
  SDL_AudioSpec have_{};
  std::string error_;
  std::thread worker_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> rendering_{false};
  std::atomic<int> volume_{80};
  std::atomic<std::int64_t> started_ns_{0};
  std::atomic<std::int64_t> first_block_ns_{0};
  std::string about_;
};

}  // namespace lontar::app
