// The results pass's ordered parallel map (core/server/results_pool.hpp): outputs reach the
// consumer in input order whatever order the threads finish in, and the first error (from the
// work, a throw in the work, or the consumer) stops the run with nothing after it consumed.
#include "core/server/results_pool.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace lontar::server {
namespace {

// Inputs 0..n-1; work returns its input after a loop whose length varies with it (so threads
// finish out of order); `fail_at` makes the work fail there (or throw, with `throw_at`).
struct Counting {
  int n = 0;
  int produced = 0;
  std::vector<int> consumed;
  int fail_at = -1, throw_at = -1, consume_fail_at = -1;

  OrderedStages<int, int> Stages() {
    OrderedStages<int, int> s;
    s.next = [this]() -> Result<std::optional<int>> {
      if (produced == n) return std::optional<int>();
      return std::optional<int>(produced++);
    };
    s.work = [this](int&& i) -> Result<int> {
      volatile unsigned spin = 0;
      for (int k = 0; k < (i * 7919 % 13) * 2000; ++k) spin = spin + 1;
      if (i == fail_at) return std::unexpected(Error::Corruption("input " + std::to_string(i)));
      if (i == throw_at) throw std::runtime_error("boom at " + std::to_string(i));
      return i;
    };
    s.consume = [this](int&& i) -> Status {
      if (i == consume_fail_at) return std::unexpected(Error::Io("consumer refused"));
      consumed.push_back(i);
      return Ok();
    };
    return s;
  }
};

std::vector<int> Upto(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

TEST(ResultsPool, ConsumesInInputOrderWithAnyNumberOfThreads) {
  for (unsigned threads : {0u, 1u, 2u, 4u}) {
    Counting c;
    c.n = 300;
    ASSERT_TRUE(RunOrdered(threads, 8, c.Stages())) << threads;
    EXPECT_EQ(c.consumed, Upto(300)) << threads << " threads";
  }
}

TEST(ResultsPool, AnEmptyInputConsumesNothing) {
  Counting c;
  ASSERT_TRUE(RunOrdered(2, 8, c.Stages()));
  EXPECT_TRUE(c.consumed.empty());
}

TEST(ResultsPool, WorkErrorStopsAfterEverythingBeforeIt) {
  for (unsigned threads : {0u, 3u}) {
    Counting c;
    c.n = 100;
    c.fail_at = 41;
    const Status s = RunOrdered(threads, 8, c.Stages());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind(), ErrorKind::kCorruption);
    EXPECT_EQ(s.error().message(), "input 41");
    EXPECT_EQ(c.consumed, Upto(41)) << threads << " threads";
    EXPECT_LE(c.produced, 41 + 8) << "at most a window ahead";
  }
}

TEST(ResultsPool, ThrowInWorkBecomesAnInternalError) {
  for (unsigned threads : {0u, 2u}) {
    Counting c;
    c.n = 50;
    c.throw_at = 7;
    const Status s = RunOrdered(threads, 4, c.Stages());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind(), ErrorKind::kInternal);
    EXPECT_EQ(s.error().message(), "results worker failed: boom at 7");
    EXPECT_EQ(c.consumed, Upto(7));
  }
}

TEST(ResultsPool, ConsumerErrorStopsTheRun) {
  Counting c;
  c.n = 100;
  c.consume_fail_at = 10;
  const Status s = RunOrdered(2, 4, c.Stages());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "consumer refused");
  EXPECT_EQ(c.consumed, Upto(10));
  EXPECT_LE(c.produced, 10 + 4);
}

TEST(ResultsPool, ProducerErrorIsReturnedAfterWhatCameBefore) {
  Counting c;
  c.n = 100;
  OrderedStages<int, int> s = c.Stages();
  auto inner = s.next;
  s.next = [&]() -> Result<std::optional<int>> {
    if (c.produced == 20) return std::unexpected(Error::Io("index unreadable"));
    return inner();
  };
  const Status st = RunOrdered(2, 8, s);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "index unreadable");
  // The producer fails while filling the window: what was in flight is dropped, not consumed
  // out of order; everything consumed is a prefix.
  EXPECT_EQ(c.consumed, Upto(static_cast<int>(c.consumed.size())));
}

}  // namespace
}  // namespace lontar::server
