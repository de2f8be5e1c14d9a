// The images of the items around the candidate's current one, decoded in the background and
// uploaded as textures within a memory budget, so that a pack of any size costs the kiosk only
// the images near the candidate.
//
// Threads: one worker reads media from the released pack on demand (core/pack/media_reader.hpp:
// one indexing pass over the payload, then only the chunks of the wanted entry, a chunk at a
// time, straight into the decoder, so that the file itself is never held) and decodes them
// with core's decoder (core/pack/image_check.hpp), scaling an image larger than the screen down
// to fit, once. The UI thread makes and destroys every texture (SDL renderers are not shared
// between threads) in Pump. The worker wakes the UI's event wait with an SDL user event when it
// has something. Nothing here ever makes the UI thread wait for a decode: an image not decoded
// yet is kLoading, the item screen says so, and the frame after the worker's wake-up shows it.
//
// Invariants:
//  (1) The worker decodes only names that were wanted when it picked them, nearest first, one at
//      a time: decoded pixels waiting for upload are at most the wanted set.
//  (2) After Pump, texture bytes exceed the budget, and textures no longer wanted exceed
//      max_unwanted, only by textures that are wanted; the rest are destroyed, farthest from the
//      current item first.
//  (5) Pump uploads every decoded image of the current item, and at most one other (a texture
//      upload copies the whole image): prefetching neighbours never makes one frame slow. What
//      is left waits for the next Pump (backlog); an image no longer wanted is dropped unshown.
//  (4) Pixel buffers (decoded images, already scaled to the screen while decoding: a decode holds
//      one stream chunk, a reading buffer, a row or two and its result) are large allocations that
//      malloc maps and unmaps on their own (a fixed mmap threshold), so that a sitting through
//      hundreds of images leaves no heap grown to their sum behind: peak memory is the budget plus
//      one decode.
//  (3) A name that failed stays failed (with its reason) until the cache is destroyed: a damaged
//      image is not decoded again on every visit, and its fault is reported once (TakeFailures).
#pragma once

#include <SDL.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/screens/exam_view.hpp"
#include "core/crypto/secret.hpp"
#include "core/model/exam.hpp"
#include "core/pack/image_check.hpp"
#include "core/pack/media_reader.hpp"

namespace lontar::app {

class ImageCache {
 public:
  struct Options {
    std::filesystem::path pack_file;    // the released pack (pack::StoredPackFile)
    int fit_width = 0, fit_height = 0;  // the screen, in pixels: larger images are scaled down
    // Texture bytes (RGBA) kept in all; only textures still wanted go beyond it (invariant 2).
    // A screen-sized image at 1920x1080 is 8 MiB by itself.
    std::size_t budget_bytes = 8u << 20;
    std::size_t max_unwanted = 12;  // and at most this many textures no longer wanted
  };

  // Starts the worker, which opens the pack with `content_key` (copied) before anything else.
  ImageCache(SDL_Renderer* renderer, Options options, const crypto::SecretBytes& content_key);
  ~ImageCache();  // stops the worker, destroys every texture
  ImageCache(const ImageCache&) = delete;
  ImageCache& operator=(const ImageCache&) = delete;

  // The images to have ready, nearest first with their distance from the current item (the
  // current item's images at 0). Replaces the previous wish; cheap, call when the item changes.
  void Want(std::vector<std::pair<std::string, int>> names);

  // UI thread, once a frame before drawing: uploads what the worker decoded (invariant 5),
  // evicts beyond the budget (invariant 2). Never waits for the worker. True when an image
  // became ready or failed since the last call.
  bool Pump();

  // Decoded images still to upload: the caller should draw another frame soon.
  bool backlog() const { return !ready_.empty(); }

  // What the item screen draws for `name`.
  ShownImage Find(const std::string& name) const;

  // Images that failed since the last call: (name, reason), each name once (invariant 3).
  std::vector<std::pair<std::string, std::string>> TakeFailures();

  // Texture bytes held now (benchmarks, tests).
  std::size_t texture_bytes() const { return texture_bytes_; }

 private:
  struct Decoded {
    std::string name;
    std::optional<pack::DecodedImage> image;  // or
    std::string error;
  };
  void Work();
  void Upload(const Decoded& d);  // UI thread: a texture, or the failure recorded

  SDL_Renderer* renderer_;
  Options options_;
  std::optional<crypto::SecretBytes> key_;
  std::uint32_t wake_event_ = 0;

  // Shared with the worker, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<std::string, int>> wanted_;
  std::set<std::string> settled_;  // decoded (uploaded or waiting) or failed: not to pick again
  std::deque<Decoded> done_;
  bool stop_ = false;
  std::string busy_;  // the name being decoded

  // UI thread only.
  struct Texture {
    ItemImage image;
    std::size_t bytes = 0;
    int distance = 0;             // from the current item, when it was last wanted
    std::uint64_t wanted_at = 0;  // the Want call that last wanted it
  };
  std::uint64_t wants_ = 0;    // Want calls so far
  std::deque<Decoded> ready_;  // taken from the worker, not uploaded yet (invariant 5)
  std::map<std::string, Texture> textures_;
  std::map<std::string, std::string> failed_;
  std::vector<std::pair<std::string, std::string>> unreported_;
  std::size_t texture_bytes_ = 0;

  std::thread worker_;  // last: started once everything above exists
};

// The media of the items within `reach` of `index` in `items` (the candidate's order), nearest
// first (index, index+1, index-1, index+2, ...), each with its distance. Pure.
std::vector<std::pair<std::string, int>> MediaAround(const model::Exam& exam,
                                                     const std::vector<std::string>& items,
                                                     std::size_t index, int reach);

}  // namespace lontar::app
