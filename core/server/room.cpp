#include "core/server/room.hpp"

#include <algorithm>
#include <cstdlib>
#include <tuple>

namespace lontar::server {

bool SeatLess(std::string_view a, std::string_view b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      // Compare the digit runs as numbers: skip leading zeros, then by length, then digits.
      std::size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      std::size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      const auto an = a.substr(is, ie - is), bn = b.substr(js, je - js);
      if (an.size() != bn.size()) return an.size() < bn.size();
      if (an != bn) return an < bn;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return (a.size() - i) < (b.size() - j);
  return a < b;  // equal as numbers ("07" and "7"): byte order decides
}

RoomBoard::RoomBoard(const std::vector<terminal::Enrollment>& enrolled, RoomOptions options)
    : options_(options) {
  for (const auto& e : enrolled) enrolled_.emplace(e.terminal_id, e);
}

Result<bool> RoomBoard::Accept(ByteView heartbeat, std::int64_t now_ms) {
  auto read = sync::ReadHeartbeat(heartbeat);
  if (!read) {
    const ErrorKind k = read.error().kind();
    std::lock_guard lock(mu_);
    (k == ErrorKind::kBadSignature || k == ErrorKind::kUntrusted ? counters_.forged
                                                                 : counters_.malformed) += 1;
    return std::unexpected(read.error());
  }
  const sync::Heartbeat& hb = read->heartbeat;
  auto en = enrolled_.find(hb.terminal_id);
  if (en == enrolled_.end() || !(en->second.signing_key == read->signer)) {
    std::lock_guard lock(mu_);
    ++counters_.unenrolled;
    return std::unexpected(Error::Untrusted(
        "heartbeat from terminal " + hb.terminal_id +
        ", which is not enrolled here: put its enrollment record in this relay's --enrolled "
        "directory and restart the relay"));
  }
  if (hb.site != en->second.site) {
    std::lock_guard lock(mu_);
    ++counters_.malformed;
    return std::unexpected(Error::Untrusted("heartbeat from terminal " + hb.terminal_id +
                                            " names site '" + hb.site +
                                            "', but it is enrolled at " + en->second.site));
  }
  std::lock_guard lock(mu_);
  auto it = tiles_.find(hb.terminal_id);
  if (it != tiles_.end() && hb.seq <= it->second.heartbeat.seq) {
    ++counters_.stale;
    return std::unexpected(Error::Conflict("heartbeat #" + std::to_string(hb.seq) + " from " +
                                           hb.terminal_id + " is not newer than #" +
                                           std::to_string(it->second.heartbeat.seq) +
                                           ", already taken: nothing changed"));
  }
  const bool superseded = it != tiles_.end();
  SeatTile& tile = tiles_[hb.terminal_id];
  tile.heartbeat = hb;
  tile.received_ms = now_ms;
  tile.clock_skew_ms = hb.sent_ms - now_ms;
  ++counters_.stored;
  if (superseded) ++counters_.superseded;
  return superseded;
}

void RoomBoard::NoteUploadClock(const std::string& terminal_id, std::int64_t terminal_ms,
                                std::int64_t now_ms) {
  if (!enrolled_.contains(terminal_id)) return;
  std::lock_guard lock(mu_);
  upload_clocks_[terminal_id] = {terminal_ms - now_ms, now_ms};
}

RoomView RoomBoard::View(std::int64_t now_ms) const {
  RoomView v;
  v.now_ms = now_ms;
  v.options = options_;
  std::map<std::string, RoomSession> by_pack;
  {
    std::lock_guard lock(mu_);
    v.counters = counters_;
    for (const auto& [id, stored] : tiles_) {
      SeatTile t = stored;
      t.silent_ms = std::max<std::int64_t>(0, now_ms - t.received_ms);
      t.state = t.silent_ms > options_.silent_after_ms ? "silent" : t.heartbeat.phase;
      RoomSession& s = by_pack[t.heartbeat.pack_id];
      s.pack_id = t.heartbeat.pack_id;
      s.exam_id = t.heartbeat.exam_id;
      s.title = t.heartbeat.title;
      auto upload = upload_clocks_.find(id);
      const bool upload_newer =
          upload != upload_clocks_.end() && upload->second.received_ms > t.received_ms;
      if (!upload_newer && std::llabs(t.clock_skew_ms) > options_.clock_off_ms) {
        v.clock_off.push_back(t);
      }
      s.seats.push_back(std::move(t));
    }
    // Uploads newer than the terminal's last heartbeat, or from terminals that send none.
    for (const auto& [id, clock] : upload_clocks_) {
      auto tile = tiles_.find(id);
      if (tile != tiles_.end() && tile->second.received_ms >= clock.received_ms) continue;
      if (std::llabs(clock.skew_ms) <= options_.clock_off_ms) continue;
      SeatTile t;
      if (tile != tiles_.end()) {
        t.heartbeat.seat = tile->second.heartbeat.seat;
      }
      const terminal::Enrollment& e = enrolled_.at(id);
      t.heartbeat.terminal_id = e.terminal_id;
      t.heartbeat.site = e.site;
      t.heartbeat.name = e.name;
      t.received_ms = clock.received_ms;
      t.clock_skew_ms = clock.skew_ms;
      t.clock_from_upload = true;
      v.clock_off.push_back(std::move(t));
    }
  }
  auto by_seat = [](const SeatTile& a, const SeatTile& b) {
    if (a.heartbeat.seat != b.heartbeat.seat) return SeatLess(a.heartbeat.seat, b.heartbeat.seat);
    return a.heartbeat.terminal_id < b.heartbeat.terminal_id;
  };
  for (auto& [pack, s] : by_pack) {
    std::sort(s.seats.begin(), s.seats.end(), by_seat);
    for (const char* state : kTileStates) s.counts[state] = 0;
    for (const auto& t : s.seats) ++s.counts[t.state];
    v.sessions.push_back(std::move(s));
  }
  std::sort(v.sessions.begin(), v.sessions.end(), [](const RoomSession& a, const RoomSession& b) {
    return std::tuple(a.pack_id.empty(), a.title, a.pack_id) <
           std::tuple(b.pack_id.empty(), b.title, b.pack_id);
  });
  std::sort(v.clock_off.begin(), v.clock_off.end(), by_seat);
  return v;
}

}  // namespace lontar::server
