#include "core/crypto/parallel_hasher.hpp"

namespace lontar::crypto {

ParallelHasher::ParallelHasher(std::size_t out_len)
    : hasher_(out_len), thread_([this] { Run(); }) {}

ParallelHasher::~ParallelHasher() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ParallelHasher::Update(ByteView data) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
  queue_.emplace_back(data.begin(), data.end());
  changed_.notify_all();
}

Bytes ParallelHasher::Finish() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
  thread_.join();
  return hasher_.Finish();
}

void ParallelHasher::Run() {
  for (;;) {
    Bytes chunk;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return !queue_.empty() || done_; });
      if (queue_.empty()) return;  // done and drained
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();
    hasher_.Update(chunk);
  }
}

}  // namespace lontar::crypto
