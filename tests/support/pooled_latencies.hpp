// The latency figures the upload benchmarks print, over what every client thread measured.
#pragma once

#include <algorithm>
#include <vector>

namespace lontar::testing {

struct PooledLatencies {
  double p50_ms = 0, p99_ms = 0;  // 0 when nothing was measured
};

// Pools each client's latencies (ms) and takes the p50 and p99 as the sample at rank n/2 and
// n*99/100 of the sorted pool (the last sample where that rank is past the end).
inline PooledLatencies PoolLatencies(const std::vector<std::vector<double>>& per_client) {
  std::vector<double> all;
  for (const auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
  if (all.empty()) return {};
  std::sort(all.begin(), all.end());
  return {all[all.size() / 2], all[std::min(all.size() - 1, all.size() * 99 / 100)]};
}

}  // namespace lontar::testing
