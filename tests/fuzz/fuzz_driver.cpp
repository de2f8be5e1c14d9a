// Runs a libFuzzer-style target without libFuzzer (g++ builds, sanitizer CI): every seed given on
// the command line (files), then deterministic random mutations of them (bit flips, byte
// changes, deletions, insertions, truncation).
//
//   fuzz_NAME [--runs N] SEED_FILE...
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  int runs = 20000;
  std::vector<std::vector<std::uint8_t>> seeds;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
      continue;
    }
    std::ifstream in(argv[i], std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  std::mt19937 rng(20261123);
  for (int r = 0; r < runs; ++r) {
    std::vector<std::uint8_t> m = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = m.empty() ? 0 : rng() % m.size();
      switch (rng() % 5) {
        case 0:
          if (!m.empty()) m[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          if (!m.empty()) m[at] = static_cast<std::uint8_t>(rng());
          break;
        case 2:
          if (!m.empty())
            m.erase(m.begin() + static_cast<long>(at),
                    m.begin() + static_cast<long>(std::min(m.size(), at + 1 + rng() % 16)));
          break;
        case 3:
          m.insert(m.begin() + static_cast<long>(at), static_cast<std::uint8_t>(rng()));
          break;
        default:
          m.resize(rng() % (m.size() + 1));  // truncation, the commonest damage in transit
          break;
      }
    }
    LLVMFuzzerTestOneInput(m.data(), m.size());
  }
  return 0;
}
