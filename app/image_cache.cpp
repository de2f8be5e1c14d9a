#include "app/image_cache.hpp"

#include <malloc.h>

#include <algorithm>
#include <iostream>
#include <tuple>

namespace lontar::app {

ImageCache::ImageCache(SDL_Renderer* renderer, Options options,
                       const crypto::SecretBytes& content_key)
    : renderer_(renderer), options_(std::move(options)) {
  // Invariant (4). glibc raises its mmap threshold after each large free unless it is set.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  if (auto key = crypto::SecretBytes::CopyOf(content_key.view())) key_.emplace(std::move(*key));
  wake_event_ = SDL_RegisterEvents(1);
  worker_ = std::thread([this] { Work(); });
}

ImageCache::~ImageCache() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  worker_.join();
  for (auto& [name, t] : textures_) SDL_DestroyTexture(t.image.texture);
}

void ImageCache::Want(std::vector<std::pair<std::string, int>> names) {
  ++wants_;
  {
    std::lock_guard lock(mutex_);
    wanted_ = std::move(names);
  }
  changed_.notify_all();
}

void ImageCache::Work() {
  // The indexing pass first (a pack of 200 MB of media: a fraction of a second, off the UI).
  std::unique_ptr<pack::MediaReader> reader;
  std::string reader_error = "the pack's content key could not be copied";
  if (key_) {
    auto opened = pack::MediaReader::Open(options_.pack_file, *key_, [this] {
      std::lock_guard lock(mutex_);
      return stop_;
    });
    if (opened) {
      reader = std::move(*opened);
    } else {
      reader_error = opened.error().message();
    }
  }
  for (;;) {
    std::string name;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] {
        if (stop_) return true;
        return std::any_of(wanted_.begin(), wanted_.end(),
                           [&](const auto& w) { return !settled_.contains(w.first); });
      });
      if (stop_) return;
      for (const auto& [wanted, distance] : wanted_) {
        if (!settled_.contains(wanted)) {
          name = wanted;
          break;
        }
      }
      busy_ = name;
    }
    Decoded d{name, std::nullopt, {}};
    // Decoded from the pack a stream chunk at a time (invariant 4): the file is never in memory.
    auto source = reader ? reader->Stream(name, pack::ImageLimits{}.max_bytes)
                         : Result<std::unique_ptr<pack::ByteSource>>(
                               std::unexpected(Error::Corruption(reader_error)));
    if (!source) {
      d.error = source.error().message();
    } else if (auto image =
                   pack::DecodeImage(**source, {}, options_.fit_width, options_.fit_height);
               !image) {
      // A damaged pack names the image itself; the decoder's verdict does not.
      d.error = image.error().kind() == ErrorKind::kCorruption
                    ? image.error().message()
                    : name + ": " + image.error().message();
    } else {
      d.image.emplace(std::move(*image));
    }
    {
      std::lock_guard lock(mutex_);
      settled_.insert(name);
      busy_.clear();
      done_.push_back(std::move(d));
    }
    changed_.notify_all();
    SDL_Event wake{};
    wake.type = wake_event_;
    SDL_PushEvent(&wake);
  }
}

bool ImageCache::Pump() {
  std::vector<std::pair<std::string, int>> wanted;
  {
    std::lock_guard lock(mutex_);
    for (Decoded& d : done_) ready_.push_back(std::move(d));
    done_.clear();
    wanted = wanted_;
  }
  std::map<std::string, int> distance;
  for (const auto& [name, d] : wanted) distance.emplace(name, d);
  bool news = false;
  bool uploaded_other = false;
  std::vector<std::string> dropped;
  for (auto it = ready_.begin(); it != ready_.end();) {
    Decoded& d = *it;
    const auto want = distance.find(d.name);
    if (d.image && want == distance.end()) {  // no longer wanted: never uploaded
      dropped.push_back(d.name);
      it = ready_.erase(it);
      continue;
    }
    if (d.image && want->second != 0) {  // invariant (5): one neighbour a frame
      if (uploaded_other) {
        ++it;
        continue;
      }
      uploaded_other = true;
    }
    news = true;
    Upload(d);
    it = ready_.erase(it);
  }
  if (!dropped.empty()) {
    std::lock_guard lock(mutex_);
    for (const std::string& name : dropped) settled_.erase(name);  // may be wanted again
  }
  // Over the budget: destroy textures no longer wanted, farthest from the current item first (the
  // longest unwanted, then the farthest when last wanted); a wanted texture is never destroyed
  // (invariant 2).
  std::set<std::string> wanted_names;
  for (const auto& [name, d] : wanted) {
    wanted_names.insert(name);
    if (auto it = textures_.find(name); it != textures_.end()) {
      it->second.distance = d;
      it->second.wanted_at = wants_;
    }
  }
  std::vector<std::tuple<std::uint64_t, int, std::string>> victims;
  for (const auto& [name, t] : textures_) {
    if (!wanted_names.contains(name)) victims.emplace_back(t.wanted_at, -t.distance, name);
  }
  if (texture_bytes_ > options_.budget_bytes || victims.size() > options_.max_unwanted) {
    std::sort(victims.begin(), victims.end());
    std::vector<std::string> evicted;
    std::size_t unwanted = victims.size();
    for (const auto& [when, d, name] : victims) {
      if (texture_bytes_ <= options_.budget_bytes && unwanted <= options_.max_unwanted) break;
      --unwanted;
      Texture& t = textures_.at(name);
      SDL_DestroyTexture(t.image.texture);
      texture_bytes_ -= t.bytes;
      textures_.erase(name);
      evicted.push_back(name);
    }
    if (!evicted.empty()) {
      std::lock_guard lock(mutex_);
      for (const std::string& name : evicted) settled_.erase(name);  // may be wanted again
    }
  }
  return news;
}

void ImageCache::Upload(const Decoded& d) {
  if (!d.image) {
    failed_[d.name] = d.error;
    unreported_.emplace_back(d.name, d.error);
    return;
  }
  const pack::DecodedImage& img = *d.image;
  SDL_Texture* texture = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888,
                                           SDL_TEXTUREACCESS_STATIC, img.width, img.height);
  if (texture == nullptr || SDL_UpdateTexture(texture, nullptr, img.rgba.data(), img.width * 4)) {
    if (texture != nullptr) SDL_DestroyTexture(texture);
    const std::string why = d.name + ": no texture for a " + std::to_string(img.width) + "x" +
                            std::to_string(img.height) + " image (" + SDL_GetError() + ")";
    failed_[d.name] = why;
    unreported_.emplace_back(d.name, why);
    return;
  }
  SDL_SetTextureScaleMode(texture, SDL_ScaleModeLinear);
  const std::size_t bytes = static_cast<std::size_t>(img.width) * img.height * 4;
  if (auto old = textures_.find(d.name); old != textures_.end()) {  // decoded again after eviction
    SDL_DestroyTexture(old->second.image.texture);
    texture_bytes_ -= old->second.bytes;
  }
  textures_[d.name] = Texture{ItemImage{texture, img.width, img.height}, bytes, 0, wants_};
  texture_bytes_ += bytes;
}

ShownImage ImageCache::Find(const std::string& name) const {
  if (auto it = textures_.find(name); it != textures_.end()) {
    return {ShownImage::State::kReady, it->second.image};
  }
  if (failed_.contains(name)) return {ShownImage::State::kFailed, {}};
  return {ShownImage::State::kLoading, {}};
}

std::vector<std::pair<std::string, std::string>> ImageCache::TakeFailures() {
  return std::exchange(unreported_, {});
}

std::vector<std::pair<std::string, int>> MediaAround(const model::Exam& exam,
                                                     const std::vector<std::string>& items,
                                                     std::size_t index, int reach) {
  std::vector<std::pair<std::string, int>> out;
  auto add = [&](long at, int distance) {
    if (at < 0 || at >= static_cast<long>(items.size())) return;
    const auto it = exam.items.find(items[static_cast<std::size_t>(at)]);
    if (it == exam.items.end()) return;
    for (const std::string& name : it->second.media) {
      const bool have =
          std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.first == name; });
      if (!have) out.emplace_back(name, distance);
    }
  };
  const long here = static_cast<long>(index);
  add(here, 0);
  for (int d = 1; d <= reach; ++d) {
    add(here + d, d);
    add(here - d, d);
  }
  return out;
}

}  // namespace lontar::app
