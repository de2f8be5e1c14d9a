// Benchmark steps run in a child process, so that a step's peak memory and CPU time are its own.
#pragma once

#include <sys/types.h>

#include <functional>

namespace lontar::testing {

struct ChildRun {
  double seconds = 0;      // wall time, fork to reap
  double cpu_seconds = 0;  // user + system, every thread of the child and its reaped children
  long max_rss_kib = 0;    // the child's peak resident set
  bool ok = false;         // `work` returned true and the child exited normally
};

// Flushes dirty pages first (sync), so that a step pays only for its own writes, then runs
// `work` in a forked child and waits for it. Touches disk (sync).
ChildRun RunInChild(const std::function<bool()>& work);

// CPU seconds (user + system) of the running process `pid` so far, from /proc; 0 if unreadable.
double ProcessCpuSeconds(pid_t pid);

// CPU seconds (user + system) of this process so far, every thread.
double SelfCpuSeconds();

}  // namespace lontar::testing
