#include "tests/support/child_run.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

namespace lontar::testing {

ChildRun RunInChild(const std::function<bool()>& work) {
  // Earlier steps leave hundreds of MiB dirty in the page cache.
  ::sync();
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(work() ? 0 : 1);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  ChildRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.max_rss_kib = usage.ru_maxrss;
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  r.cpu_seconds = secs(usage.ru_utime) + secs(usage.ru_stime);
  r.ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

}  // namespace lontar::testing
