// Store::Status (the status page's figures) from the counts the backend aggregates, and those
// counts as SQL (store_status.hpp) or from a list of rows.
#include "core/server/store_status.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/server/store.hpp"

namespace lontar::server {
namespace {

// At most this many missing numbers are listed per terminal (TerminalStatus::gaps); `missing`
// says how many there are in all. A terminal whose numbers jump by millions would otherwise
// make the page (and the server's memory) as large as the jump.
constexpr std::size_t kMaxListedGaps = 1000;

constexpr char kTerminalsSql[] =
    "SELECT terminal_id, min(site), count(*), min(seq), max(seq), max(stored_ms) FROM bundles "
    "GROUP BY terminal_id";
constexpr char kGroupsSql[] =
    "SELECT site, exam_id, pack_id, terminal_id, count(*), max(seq) FROM bundles "
    "GROUP BY site, exam_id, pack_id, terminal_id";
constexpr char kExamParticipantsSql[] =
    "SELECT site, exam_id, count(DISTINCT participant) FROM bundles GROUP BY site, exam_id";
constexpr char kPackParticipantsSql[] =
    "SELECT site, pack_id, count(DISTINCT participant) FROM bundles GROUP BY site, pack_id";
// A hole starts after every stored number whose successor is not stored, below the terminal's
// highest, and ends before the next stored number.
constexpr char kHolesSql[] =
    "SELECT DISTINCT a.terminal_id, a.seq + 1, "
    "(SELECT min(c.seq) FROM bundles c WHERE c.terminal_id = a.terminal_id AND c.seq > a.seq) - 1 "
    "FROM bundles a "
    "WHERE a.seq < (SELECT max(d.seq) FROM bundles d WHERE d.terminal_id = a.terminal_id) "
    "AND NOT EXISTS (SELECT 1 FROM bundles b WHERE b.terminal_id = a.terminal_id "
    "AND b.seq = a.seq + 1)";

std::uint64_t U64(const CountRow& row, int column) {
  return static_cast<std::uint64_t>(row.Int(column));
}

}  // namespace

Result<StatusCounts> CountStatusWith(const RunCountQuery& run) {
  StatusCounts out;
  LONTAR_TRY(run(kTerminalsSql, [&](const CountRow& r) {
    out.terminals.push_back({r.Text(0), r.Text(1), U64(r, 2), U64(r, 3), U64(r, 4), r.Int(5)});
  }));
  LONTAR_TRY(run(kGroupsSql, [&](const CountRow& r) {
    out.groups.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), U64(r, 4), U64(r, 5)});
  }));
  LONTAR_TRY(run(kExamParticipantsSql, [&](const CountRow& r) {
    out.exam_participants.push_back({r.Text(0), r.Text(1), U64(r, 2)});
  }));
  LONTAR_TRY(run(kPackParticipantsSql, [&](const CountRow& r) {
    out.pack_participants.push_back({r.Text(0), r.Text(1), U64(r, 2)});
  }));
  LONTAR_TRY(run(kHolesSql, [&](const CountRow& r) {
    out.holes.push_back({r.Text(0), U64(r, 1), U64(r, 2)});
  }));
  return out;
}

StatusCounts CountStatusOf(const std::vector<StoredBundle>& rows) {
  std::map<std::string, TerminalCount> terminals;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, GroupCount> groups;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> by_exam, by_pack;
  std::map<std::string, std::set<std::uint64_t>> seqs;
  for (const StoredBundle& b : rows) {
    TerminalCount& t = terminals[b.terminal_id];
    if (t.bundles == 0) {
      t = {b.terminal_id, b.site, 0, b.seq, b.seq, b.stored_ms};
    }
    ++t.bundles;
    t.site = std::min(t.site, b.site);
    t.lowest_seq = std::min(t.lowest_seq, b.seq);
    t.highest_seq = std::max(t.highest_seq, b.seq);
    t.last_stored_ms = std::max(t.last_stored_ms, b.stored_ms);
    GroupCount& g = groups[{b.site, b.exam_id, b.pack_id, b.terminal_id}];
    g = {b.site,        b.exam_id,     b.pack_id,
         b.terminal_id, g.bundles + 1, std::max(g.highest_seq, b.seq)};
    by_exam[{b.site, b.exam_id}].insert(b.participant);
    by_pack[{b.site, b.pack_id}].insert(b.participant);
    seqs[b.terminal_id].insert(b.seq);
  }
  StatusCounts out;
  for (auto& [id, t] : terminals) out.terminals.push_back(std::move(t));
  for (auto& [key, g] : groups) out.groups.push_back(std::move(g));
  for (const auto& [key, people] : by_exam) {
    out.exam_participants.push_back({key.first, key.second, people.size()});
  }
  for (const auto& [key, people] : by_pack) {
    out.pack_participants.push_back({key.first, key.second, people.size()});
  }
  for (const auto& [id, have] : seqs) {
    for (auto it = have.begin(); std::next(it) != have.end(); ++it) {
      if (*std::next(it) > *it + 1) out.holes.push_back({id, *it + 1, *std::next(it) - 1});
    }
  }
  return out;
}

Result<StatusCounts> StoreBackend::CountStatus() {
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredBundle> rows, ListBundles());
  return CountStatusOf(rows);
}

Result<StoreStatus> Store::Status() {
  StatusCounts counts;
  std::vector<StoredFlag> flags;
  {
    const auto lock = ReadLock();
    LONTAR_ASSIGN_OR_RETURN(counts, backend_->CountStatus());
    LONTAR_ASSIGN_OR_RETURN(flags, backend_->ListFlags());
  }
  StoreStatus out;
  std::map<std::string, TerminalStatus> terminals;
  for (const auto& [id, en] : enrolled_) {
    TerminalStatus& t = terminals[en.terminal_id];
    t.terminal_id = en.terminal_id;
    t.site = en.site;
    t.name = en.name;
    t.enrolled = true;
  }
  // Missing numbers per terminal: below its lowest stored number, and the holes between.
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> holes;
  for (const TerminalCount& c : counts.terminals) {
    out.bundles += c.bundles;
    TerminalStatus& t = terminals[c.terminal_id];
    if (t.terminal_id.empty()) {
      t.terminal_id = c.terminal_id;
      t.site = c.site;
    }
    t.bundles = c.bundles;
    t.highest_seq = c.highest_seq;
    t.last_seen_ms = c.last_stored_ms;
    if (c.lowest_seq > 1) holes[c.terminal_id].push_back({1, c.lowest_seq - 1});
  }
  for (const SeqHole& h : counts.holes) holes[h.terminal_id].push_back({h.first, h.last});
  for (auto& [id, list] : holes) {
    std::sort(list.begin(), list.end());
    TerminalStatus& t = terminals[id];
    for (const auto& [first, last] : list) {
      t.missing += last - first + 1;
      for (std::uint64_t n = first; n <= last && t.gaps.size() < kMaxListedGaps; ++n) {
        t.gaps.push_back(n);
      }
    }
  }
  for (const StoredFlag& f : flags) {
    terminals[f.terminal_id].flags.push_back(f.kind + ": " + f.detail);
  }
  for (auto& [id, t] : terminals) out.terminals.push_back(std::move(t));
  std::stable_sort(
      out.terminals.begin(), out.terminals.end(),
      [](const TerminalStatus& a, const TerminalStatus& b) { return a.site < b.site; });

  std::map<std::pair<std::string, std::string>, ExamStatus> exams;
  std::map<std::pair<std::string, std::string>, SessionDelivered> sessions;  // (site, pack)
  // A session's exam is that of its last row in ListBundles' order (terminal id, then seq).
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::uint64_t>> last;
  for (const GroupCount& g : counts.groups) {
    ExamStatus& e = exams[{g.site, g.exam_id}];
    e.site = g.site;
    e.exam_id = g.exam_id;
    e.bundles += g.bundles;
    e.terminals.push_back(g.terminal_id);
    SessionDelivered& d = sessions[{g.site, g.pack_id}];
    auto [it, fresh] = last.try_emplace({g.site, g.pack_id}, g.terminal_id, g.highest_seq);
    const std::pair<std::string, std::uint64_t> at{g.terminal_id, g.highest_seq};
    if (fresh || it->second < at || (it->second == at && d.exam_id < g.exam_id)) {
      it->second = at;
      d.exam_id = g.exam_id;
    }
    d.site = g.site;
    d.pack_id = g.pack_id;
    d.bundles += g.bundles;
    d.terminals.push_back(g.terminal_id);
  }
  for (const ParticipantCount& p : counts.exam_participants) {
    if (auto it = exams.find({p.site, p.key}); it != exams.end()) {
      it->second.participants = p.participants;
    }
  }
  for (const ParticipantCount& p : counts.pack_participants) {
    if (auto it = sessions.find({p.site, p.key}); it != sessions.end()) {
      it->second.participants = p.participants;
    }
  }
  for (auto& [key, e] : exams) {
    std::sort(e.terminals.begin(), e.terminals.end());
    e.terminals.erase(std::unique(e.terminals.begin(), e.terminals.end()), e.terminals.end());
    out.exams.push_back(std::move(e));
  }
  for (auto& [key, d] : sessions) {
    std::sort(d.terminals.begin(), d.terminals.end());
    d.terminals.erase(std::unique(d.terminals.begin(), d.terminals.end()), d.terminals.end());
    out.sessions.push_back(std::move(d));
  }
  return out;
}

}  // namespace lontar::server
