// Result bundle cost for a long sitting: WriteBundle + VerifyBundle against a baseline of only
// the cryptography on the same bytes (seal the payload JSON in one sealed box, sign the result
// with Ed25519, verify that signature). The difference is what the format adds: serialising the
// payload JSON, the secretstream framing, hashing for the bundle id and the signed message, and
// parsing the header on verify.
//
//   lontar_bundle_bench [--records N] [--runs R] [--smoke]
//
// Defaults: a 3-hour sitting with 5,000 journal records (checkpoints every 5 s, answers,
// navigation, flags on 110 items), 30 runs; medians are reported. Asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/bundle/bundle_format.hpp"
#include "core/terminal/terminal.hpp"

namespace {

using Steady = std::chrono::steady_clock;
using namespace lontar;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Ms(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// A sitting as the engine journals it: mostly 5-second checkpoints, then answers, navigation
// and flags, each payload carrying participant and pack id as the engine's do.
std::vector<journal::Record> Sitting(int n) {
  std::vector<journal::Record> out;
  out.reserve(static_cast<std::size_t>(n));
  crypto::Hash256 prev{};
  const std::string who =
      R"("participant":"P-0001234","pack_id":"0123456789abcdef0123456789abcdef")";
  for (int i = 1; i <= n; ++i) {
    journal::Record r;
    r.seq = static_cast<std::uint64_t>(1000 + i);
    r.mono_ns = 5'000'000'000LL * i;
    r.wall_ms = 1'795'500'000'000LL + 2'160LL * i;
    const int item = 1 + i % 110;
    switch (i % 5) {
      case 0:
      case 1:
        r.type = "sitting.checkpoint";
        r.payload = "{" + who + R"(,"elapsed_ms":)" + std::to_string(2'160LL * i) + "}";
        break;
      case 2:
        r.type = "sitting.answered";
        r.payload = "{" + who + R"(,"item":"tiu-)" + std::to_string(item) + R"(","choice":"C"})";
        break;
      case 3:
        r.type = "sitting.navigated";
        r.payload = "{" + who + R"(,"to":)" + std::to_string(item) + "}";
        break;
      default:
        r.type = "sitting.flagged";
        r.payload = "{" + who + R"(,"item":"tkp-)" + std::to_string(item) + R"(","flag":true})";
        break;
    }
    r.prev_hash = prev;
    r.hash = journal::ComputeRecordHash(r);
    prev = r.hash;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int records = 5000, runs = 30;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) {
      records = 500;
      runs = 3;
    }
    if (std::strcmp(argv[i], "--records") == 0 && i + 1 < argc) records = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::atoi(argv[++i]);
  }
  auto terminal_key = crypto::SigningKey::Generate();
  auto results = crypto::BoxSecretKey::Generate();
  if (!terminal_key || !results) {
    std::fprintf(stderr, "bench: no keys\n");
    return 1;
  }
  bundle::BundleInputs in;
  in.terminal_id = terminal::TerminalIdFor(terminal_key->public_key());
  in.site = "KANREG-IV-MAKASSAR-01";
  in.exam_id = "SKD-2026";
  in.pack_id = "0123456789abcdef0123456789abcdef";
  in.exam_version = 3;
  in.participant = "P-0001234";
  in.created_ms = 1'795'510'800'000;
  in.seq = 17;
  in.journal_seq = 99'999;
  for (int item = 1; item <= 110; ++item) {
    const std::string id = "item-" + std::to_string(item);
    in.payload.answers[id] = std::string(1, static_cast<char>('A' + item % 5));
    if (item % 9 == 0) in.payload.flags[id] = true;
    in.payload.timings[id] = 60'000 + item * 37;
  }
  in.payload.score = {
      {"sections", {{"TWK", 95}, {"TIU", 110}, {"TKP", 180}}}, {"total", 385}, {"passed", true}};
  in.payload.journal = Sitting(records);
  const std::string payload_json = bundle::SerializePayload(in.payload);

  std::vector<double> write_ms, verify_ms, open_ms, serialize_ms, seal_sign_ms, sig_verify_ms;
  std::size_t bundle_bytes = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Steady::now();
    auto bytes = bundle::WriteBundle(in, *terminal_key, results->public_key());
    auto t1 = Steady::now();
    if (!bytes) {
      std::fprintf(stderr, "bench: %s\n", bytes.error().message().c_str());
      return 1;
    }
    auto header = bundle::VerifyBundle(*bytes, terminal_key->public_key());
    auto t2 = Steady::now();
    if (!header) {
      std::fprintf(stderr, "bench: %s\n", header.error().message().c_str());
      return 1;
    }
    auto opened = bundle::OpenBundle(*bytes, *results);
    auto t3 = Steady::now();
    if (!opened) {
      std::fprintf(stderr, "bench: %s\n", opened.error().message().c_str());
      return 1;
    }
    bundle_bytes = bytes->size();
    write_ms.push_back(Ms(t0, t1));
    verify_ms.push_back(Ms(t1, t2));
    open_ms.push_back(Ms(t2, t3));

    // Baseline: only the crypto, on the already-serialised payload.
    auto b0 = Steady::now();
    const Bytes sealed = crypto::Seal(results->public_key(), AsBytes(payload_json));
    const crypto::Signature sig = terminal_key->Sign(sealed);
    auto b1 = Steady::now();
    if (!terminal_key->public_key().Verify(sealed, sig)) {
      std::fprintf(stderr, "bench: baseline signature does not verify\n");
      return 1;
    }
    auto b2 = Steady::now();
    seal_sign_ms.push_back(Ms(b0, b1));
    sig_verify_ms.push_back(Ms(b1, b2));

    auto s0 = Steady::now();
    const std::string again = bundle::SerializePayload(in.payload);
    auto s1 = Steady::now();
    if (again.size() != payload_json.size()) return 1;
    serialize_ms.push_back(Ms(s0, s1));
  }

  const double w = Median(write_ms), v = Median(verify_ms), o = Median(open_ms);
  const double bs = Median(seal_sign_ms), bv = Median(sig_verify_ms), s = Median(serialize_ms);
  std::printf(
      "sitting                %d journal records, payload %.2f MB, bundle %.2f MB, %d runs\n",
      records, static_cast<double>(payload_json.size()) / 1e6,
      static_cast<double>(bundle_bytes) / 1e6, runs);
  std::printf("WriteBundle            %8.2f ms  (of which payload JSON %.2f ms)\n", w, s);
  std::printf("VerifyBundle           %8.2f ms\n", v);
  std::printf("OpenBundle             %8.2f ms  (results side, for information)\n", o);
  std::printf("baseline seal + sign   %8.2f ms\n", bs);
  std::printf("baseline verify        %8.2f ms\n", bv);
  std::printf("ratio write+verify / baseline seal+sign+verify   %6.2f\n", (w + v) / (bs + bv));
  std::printf("ratio without payload JSON (format overhead)     %6.2f\n", (w - s + v) / (bs + bv));
  return 0;
}
