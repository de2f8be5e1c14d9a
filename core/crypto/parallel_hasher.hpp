// BLAKE2b on a second thread, for streams where hashing would otherwise double the time of a
// single pass (building and loading packs). Memory: at most kMaxQueued chunks are buffered.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/crypto/hash.hpp"

namespace lontar::crypto {

class ParallelHasher {
 public:
  static constexpr std::size_t kMaxQueued = 16;

  explicit ParallelHasher(std::size_t out_len = 32);
  ParallelHasher(const ParallelHasher&) = delete;
  ParallelHasher& operator=(const ParallelHasher&) = delete;
  ~ParallelHasher();

  // Copies `data` for the hashing thread; blocks while kMaxQueued chunks are waiting.
  void Update(ByteView data);
  // Waits for everything queued and returns the digest. Call once.
  Bytes Finish();

 private:
  void Run();

  Blake2bHasher hasher_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Bytes> queue_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace lontar::crypto
