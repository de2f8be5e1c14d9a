#include "core/sync/terminal_heartbeat.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/bundle/outbox.hpp"
#include "core/exam/engine.hpp"
#include "core/util/fs.hpp"

namespace lontar::sync {
namespace {

using Json = nlohmann::json;

// Journal records are read back from the head in pages of this many.
constexpr std::size_t kJournalPage = 256;

const char* SeatPhase(const exam::SittingState& s) {
  switch (s.phase) {
    case exam::Phase::kNotStarted:
      return "not-started";
    case exam::Phase::kInProgress:
      return s.paused ? "paused" : "in-progress";
    case exam::Phase::kSubmitted:
      return "finished";
    case exam::Phase::kVoided:
      return "voided";
    case exam::Phase::kHandedOff:
      return "handed-off";
  }
  return "not-started";
}

// The journal's sitting records of `pack_id`, newest first: the participant of the newest, and
// the wall time of `participant`'s newest answer (or of the participant found, when
// `participant` is empty). Stops as soon as both are known.
struct JournalTail {
  std::string last_participant;
  std::int64_t last_answer_ms = 0;
};

Result<JournalTail> ReadTail(journal::Journal& journal, const std::string& pack_id,
                             std::string participant) {
  JournalTail tail;
  std::uint64_t end = journal.head().seq;  // records 1..end remain to be read
  while (end > 0) {
    const std::uint64_t from = end > kJournalPage ? end - kJournalPage + 1 : 1;
    LONTAR_ASSIGN_OR_RETURN(std::vector<journal::Record> page,
                            journal.Read(from, static_cast<std::size_t>(end - from + 1)));
    for (auto r = page.rbegin(); r != page.rend(); ++r) {
      if (!r->type.starts_with("sitting.")) continue;
      const Json p = Json::parse(r->payload, nullptr, false);
      if (!p.is_object() || p.value("pack_id", "") != pack_id) continue;
      const std::string who = p.value("participant", "");
      if (tail.last_participant.empty()) tail.last_participant = who;
      if (participant.empty()) participant = who;
      if (r->type == "sitting.answered" && who == participant) {
        tail.last_answer_ms = r->wall_ms;
        return tail;
      }
    }
    end = from - 1;
  }
  return tail;
}

struct SeqState {
  std::uint64_t seq = 0;
  std::optional<std::int64_t> clock_offset_ms;
};

SeqState ReadState(const std::filesystem::path& file) {
  SeqState s;
  auto bytes = ReadFile(file, 4096);
  if (!bytes) return s;
  const Json j = Json::parse(AsChars(*bytes), nullptr, false);
  if (!j.is_object()) return s;
  if (auto it = j.find("seq"); it != j.end() && it->is_number_unsigned()) {
    s.seq = it->get<std::uint64_t>();
  }
  if (auto it = j.find("clock_offset_ms"); it != j.end() && it->is_number_integer()) {
    s.clock_offset_ms = it->get<std::int64_t>();
  }
  return s;
}

Status WriteState(const std::filesystem::path& file, const SeqState& s) {
  Json j;
  j["seq"] = s.seq;
  j["clock_offset_ms"] = s.clock_offset_ms ? Json(*s.clock_offset_ms) : Json();
  return WriteFileAtomic(file, AsBytes(j.dump() + "\n"), 0600, Overwrite::kReplace);
}

}  // namespace

Result<Heartbeat> ObserveTerminal(terminal::Terminal& terminal, std::string_view seat,
                                  const Clock& clock) {
  Heartbeat hb;
  hb.terminal_id = terminal.id();
  hb.site = terminal.site();
  hb.name = terminal.name();
  hb.seat = std::string(seat);
  LONTAR_ASSIGN_OR_RETURN(std::vector<bundle::OutboxEntry> outbox, bundle::ListOutbox(terminal));
  hb.outbox = static_cast<std::uint64_t>(std::count_if(
      outbox.begin(), outbox.end(), [](const bundle::OutboxEntry& e) { return !e.delivered; }));

  auto engine = exam::Engine::Open(terminal, clock);
  if (!engine) {
    if (engine.error().kind() == ErrorKind::kNotFound) return hb;  // no session released
    return std::unexpected(engine.error());
  }
  const model::Exam& ex = engine->exam();
  hb.pack_id = engine->pack_id();
  hb.exam_id = ex.id;
  hb.title = ex.title.id.empty() ? ex.title.en : ex.title.id;
  for (const auto& s : ex.sections) hb.items += s.items.size();

  const std::vector<std::string> in_progress = engine->InProgress();
  const std::string current = in_progress.empty() ? std::string() : in_progress.front();
  LONTAR_ASSIGN_OR_RETURN(JournalTail tail, ReadTail(terminal.journal(), hb.pack_id, current));
  hb.participant = current.empty() ? tail.last_participant : current;
  hb.last_answer_ms = tail.last_answer_ms;
  if (hb.participant.empty()) return hb;

  const exam::SittingState s = engine->State(hb.participant);
  hb.phase = SeatPhase(s);
  hb.answered = static_cast<std::uint64_t>(std::count_if(
      s.answers.begin(), s.answers.end(), [](const auto& a) { return !a.second.empty(); }));
  if (s.phase != exam::Phase::kNotStarted && s.section < ex.sections.size()) {
    hb.section = s.section + 1;
    const auto& t = ex.sections[s.section].title;
    hb.section_title = t.id.empty() ? t.en : t.id;
  }
  if (s.phase == exam::Phase::kInProgress) {
    hb.time_left_s = exam::RemainingNs(ex, s) / 1'000'000'000;
  }
  return hb;
}

Result<HeartbeatSent> SendHeartbeat(terminal::Terminal& terminal, const std::filesystem::path& home,
                                    std::string_view seat, const HeartbeatPoster& post,
                                    const Clock& clock) {
  LONTAR_TRY(ValidateSeat(seat));
  LONTAR_ASSIGN_OR_RETURN(Heartbeat hb, ObserveTerminal(terminal, seat, clock));
  const std::filesystem::path state_file = home / kHeartbeatStateFile;
  SeqState state = ReadState(state_file);
  const std::int64_t sent_ms = clock.WallMs();
  state.seq =
      std::max<std::uint64_t>(state.seq + 1, sent_ms > 0 ? static_cast<std::uint64_t>(sent_ms) : 0);
  hb.seq = state.seq;
  hb.sent_ms = sent_ms;
  hb.clock_offset_ms = state.clock_offset_ms;
  // Durable before it leaves: a seq once sent is never sent again with other content.
  LONTAR_TRY(WriteState(state_file, state));
  const std::string signed_hb = WriteHeartbeat(hb, terminal.signing_key());
  LONTAR_ASSIGN_OR_RETURN(std::int64_t relay_ms, post(signed_hb));
  const std::int64_t answered_ms = clock.WallMs();
  HeartbeatSent sent{hb, sent_ms + (answered_ms - sent_ms) / 2 - relay_ms};
  state.clock_offset_ms = sent.clock_offset_ms;
  LONTAR_TRY(WriteState(state_file, state));
  return sent;
}

}  // namespace lontar::sync
