// An ordered parallel map for the results pass (results.cpp): inputs come from one producer, are
// worked on by a few threads, and their outputs reach one consumer strictly in input order. Opening
// a bundle (signature, key slot, stream, journal hashes, re-scoring) costs a millisecond of CPU;
// reading its bytes and using the row do not, so the work is what runs on the threads.
//
// Invariants:
//   (1) `next` and `consume` run on the calling thread only, one call at a time, interleaved;
//       `work` runs on the worker threads (or on the calling thread when threads == 0), several
//       at once, so it must only read what it shares.
//   (2) Outputs are consumed in the order `next` produced the inputs, whatever order the work
//       finishes in: a run with any number of threads consumes what a run with none does.
//   (3) At most `window` inputs are in flight (produced, not yet consumed): memory is bounded by
//       the window, not by the number of inputs.
//   (4) The first error stops the run and is returned: from `next`, from `work` (its Error, or
//       an exception it threw, which becomes kInternal with its text), or from `consume`.
//       Outputs before it in order were consumed; none after it is. Work already queued is
//       skipped; work already running finishes and is dropped. Threads are joined before
//       RunOrdered returns, on every path.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/util/error.hpp"

namespace lontar::server {

template <typename In, typename Out>
struct OrderedStages {
  // The next input, nullopt at the end.
  std::function<Result<std::optional<In>>()> next;
  std::function<Result<Out>(In&&)> work;
  std::function<Status(Out&&)> consume;
};

// Runs the stages as the invariants above say. `threads` workers (0: none, all on the calling
// thread); `window` >= 1 inputs in flight at most. Returns the first error, or Ok.
template <typename In, typename Out>
[[nodiscard]] Status RunOrdered(unsigned threads, std::size_t window,
                                const OrderedStages<In, Out>& stages);

// [SECTION] Implementation

namespace results_pool_detail {

template <typename Out>
Result<Out> Guarded(const std::function<Result<Out>()>& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return std::unexpected(Error::Internal(std::string("results worker failed: ") + e.what()));
  }
}

// Workers popping tasks until closed and drained.
class Workers {
 public:
  explicit Workers(unsigned n) {
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~Workers() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  void Add(std::packaged_task<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    ready_.notify_one();
  }

 private:
  void Run() {
    for (;;) {
      std::packaged_task<void()> task;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return closed_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<void()>> tasks_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace results_pool_detail

template <typename In, typename Out>
Status RunOrdered(unsigned threads, std::size_t window, const OrderedStages<In, Out>& stages) {
  window = std::max<std::size_t>(1, window);
  if (threads == 0) {
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(std::optional<In> in, stages.next());
      if (!in) return Ok();
      LONTAR_ASSIGN_OR_RETURN(Out out, results_pool_detail::Guarded<Out>(
                                           [&]() { return stages.work(std::move(*in)); }));
      LONTAR_TRY(stages.consume(std::move(out)));
    }
  }
  struct Slot {
    std::optional<In> in;
    std::optional<Result<Out>> out;
  };
  std::atomic<bool> stop{false};
  std::deque<std::pair<std::shared_ptr<Slot>, std::future<void>>> pending;
  // Declared after `pending` and `stop`, so destroyed (joined) before them.
  results_pool_detail::Workers workers(threads);
  auto run = [&]() -> Status {
    bool more = true;
    for (;;) {
      while (more && pending.size() < window) {
        LONTAR_ASSIGN_OR_RETURN(std::optional<In> in, stages.next());
        if (!in) {
          more = false;
          break;
        }
        auto slot = std::make_shared<Slot>();
        slot->in.emplace(std::move(*in));
        std::packaged_task<void()> task([slot, &stop, &stages] {
          if (stop.load()) {
            slot->out.emplace(std::unexpected(Error::Internal("results pass stopped")));
          } else {
            slot->out.emplace(results_pool_detail::Guarded<Out>(
                [&]() { return stages.work(std::move(*slot->in)); }));
          }
          slot->in.reset();
        });
        pending.emplace_back(slot, task.get_future());
        workers.Add(std::move(task));
      }
      if (pending.empty()) return Ok();
      pending.front().second.get();
      Result<Out> out = std::move(*pending.front().first->out);
      pending.pop_front();
      if (!out) return std::unexpected(out.error());
      LONTAR_TRY(stages.consume(std::move(*out)));
    }
  };
  Status status = run();
  if (!status) stop.store(true);
  return status;
}

}  // namespace lontar::server
