// What terminals say about their own outboxes: with each upload, `lontar sync` sends the highest
// bundle number in the terminal's outbox (header X-Lontar-Outbox-Highest), so the status page can
// show bundles that are held on a terminal and have not arrived here. Without it a missing *last*
// bundle is invisible: gaps are only seen below the highest number that arrived.
//
// Kept in memory by the serving process (the next sync after a restart tells it again), and
// taken only with an upload the store accepted from that terminal, so a stranger cannot make a
// terminal look behind. It is a hint for people, never used to accept or refuse anything. A
// site relay forwards each bundle with the number its terminal last reported to the relay, so
// the central page also shows what is held on terminals behind a relay (what a terminal reports
// after its last bundle was forwarded reaches the central server with its next bundle).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace lontar::server {

struct OutboxReport {
  std::uint64_t highest = 0;  // the terminal's highest bundle number when it last synced
  std::int64_t reported_ms = 0;
};

class OutboxReports {
 public:
  // Records what `terminal_id` said; a lower number than before replaces it (the newest word
  // counts: a terminal rebuilt from scratch starts again at 1). Thread-safe.
  void Note(const std::string& terminal_id, std::uint64_t highest, std::int64_t now_ms);
  // Every terminal's latest report. Thread-safe.
  std::map<std::string, OutboxReport> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, OutboxReport> reports_;
};

}  // namespace lontar::server
