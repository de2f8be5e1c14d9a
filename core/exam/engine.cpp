#include "core/exam/engine.hpp"

#include <nlohmann/json.hpp>

#include "core/pack/pack_choice.hpp"
#include "core/pack/terminal_packs.hpp"

namespace lontar::exam {
namespace {

using Json = nlohmann::json;

bool IsSubmittedEvent(const Event& e) { return std::holds_alternative<Submitted>(e); }

}  // namespace

Result<Engine> Engine::Open(terminal::Terminal& terminal, const Clock& clock,
                            std::string_view pack_id) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<pack::LoadedPack> packs, pack::ListPacks(terminal));
  // The session running is the pack released (or chosen again) last: a terminal may hold the
  // morning's and the afternoon's packs, both released by the afternoon.
  const pack::LoadedPack* running = pack::RunningPack(packs);
  if (!running) {
    return std::unexpected(Error::NotFound(
        "no released pack on this terminal: load the session's pack and release it first "
        "(lontar session release)"));
  }
  const pack::LoadedPack* released = running;
  if (!pack_id.empty()) {
    const auto named = std::find_if(packs.begin(), packs.end(), [&](const pack::LoadedPack& p) {
      return p.header.pack_id == pack_id;
    });
    if (named == packs.end()) {
      return std::unexpected(
          Error::NotFound("no pack " + std::string(pack_id) + " is loaded on this terminal"));
    }
    if (!named->released) {
      return std::unexpected(Error::InvalidArgument(
          pack::DescribePack(named->header) +
          " is not released: release it first (lontar session release --pack " +
          named->header.exam_id + "@" + std::to_string(named->header.exam_version) + ")"));
    }
    released = &*named;
  }
  Engine e;
  e.terminal_ = &terminal;
  e.clock_ = &clock;
  e.pack_id_ = released->header.pack_id;
  e.running_ = released == running;
  e.results_key_ = released->header.results_key;
  e.exam_version_ = released->header.exam_version;
  LONTAR_ASSIGN_OR_RETURN(model::Exam exam, pack::ReadReleasedExam(terminal, e.pack_id_));
  e.exam_ = std::make_unique<model::Exam>(std::move(exam));

  std::map<std::string, std::int64_t> last_wall_ms;
  LONTAR_TRY(e.Replay(last_wall_ms));
  // Invariant 3: the clock restarts now; downtime is charged only by policy.
  const std::int64_t now = clock.MonotonicNs();
  for (const auto& [participant, state] : e.sittings_) {
    if (state.phase == Phase::kInProgress) e.charged_at_ns_[participant] = now;
  }
  if (e.exam_->charge_downtime) {
    for (const auto& [participant, wall] : last_wall_ms) {
      if (e.State(participant).phase != Phase::kInProgress) continue;
      const std::int64_t gap_ns = std::max<std::int64_t>(0, clock.WallMs() - wall) * 1'000'000;
      LONTAR_TRY(e.Execute(participant, Tick{gap_ns}));
    }
  }
  LONTAR_TRY(e.SealFinished());  // a crash may have come between the end and the bundle
  return e;
}

Status Engine::Replay(std::map<std::string, std::int64_t>& last_wall_ms) {
  sittings_.clear();
  token_.clear();
  failures_.clear();
  locked_.clear();
  room_paused_ = false;
  handoffs_.clear();
  receipts_.clear();
  records_.clear();
  image_faults_.clear();
  refold_ = false;
  for (std::uint64_t from = 1;;) {
    LONTAR_ASSIGN_OR_RETURN(std::vector<journal::Record> records,
                            terminal_->journal().Read(from, 1000));
    if (records.empty()) break;
    for (const journal::Record& r : records) {
      if (!r.type.starts_with("sitting.") && r.type != "bundle.created" &&
          !r.type.starts_with("session.") && !r.type.starts_with("login.")) {
        continue;
      }
      if (ApplyFlatRecord(r, last_wall_ms)) continue;
      // Parsed once: FromJson and the session records read the same object.
      const Json j = Json::parse(r.payload, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object()) continue;
      const auto pack = j.find("pack_id");
      if (pack == j.end() || !pack->is_string() ||
          pack->get_ref<const std::string&>() != pack_id_) {
        continue;
      }
      LONTAR_TRY(ApplyRecord(r, j, last_wall_ms));
    }
    from = records.back().seq + 1;
  }
  return Ok();
}

bool Engine::ApplyFlatRecord(const journal::Record& r,
                             std::map<std::string, std::int64_t>& last_wall_ms) {
  if (!r.type.starts_with("sitting.")) return false;
  const auto flat = journal::FlatPayload::Parse(r.payload);
  if (!flat) return false;
  // What the full parse would decide, in the same order (Replay, then ApplyRecord).
  const journal::FlatValue* pack = flat->Find("pack_id");
  if (pack == nullptr || pack->kind != journal::FlatValue::Kind::kText || pack->text != pack_id_) {
    return true;  // another pack's record, or none's: skipped either way
  }
  auto event = FromFlatJson(r.type, *flat);
  if (!event || std::holds_alternative<HandedOff>(*event)) return false;
  const journal::FlatValue* named = flat->Find("participant");
  const bool has_name = named != nullptr && named->kind == journal::FlatValue::Kind::kText;
  const std::string participant = has_name ? std::string(named->text) : std::string();
  if (has_name) NoteRecord(participant, r.seq);
  SittingState& state = sittings_[participant];
  state = Apply(*exam_, std::move(state), *event);
  last_wall_ms[participant] = r.wall_ms;
  return true;
}

Status Engine::ApplyRecord(const journal::Record& r, const Json& j,
                           std::map<std::string, std::int64_t>& last_wall_ms) {
  const auto named = j.find("participant");
  const std::string participant =
      named != j.end() && named->is_string() ? named->get<std::string>() : std::string();
  if (named != j.end() && named->is_string()) NoteRecord(participant, r.seq);
  if (r.type == "bundle.created") {
    NoteBundle(j);
    return Ok();
  }
  if (!r.type.starts_with("sitting.")) {
    ApplySessionRecord(r.type, j);
    return Ok();
  }
  LONTAR_ASSIGN_OR_RETURN(Event event, FromParsedJson(r.type, j));
  SittingState& state = sittings_[participant];
  if (std::holds_alternative<HandedOff>(event)) NoteHandoff(participant, state, j, r);
  state = Apply(*exam_, std::move(state), event);
  last_wall_ms[participant] = r.wall_ms;
  return Ok();
}

Status Engine::Refresh() {
  LONTAR_ASSIGN_OR_RETURN(bool changed, terminal_->journal().ChangedElsewhere());
  if (!changed && !refold_) return Ok();
  // Another process (the proctor's console) wrote to the journal: fold it again, keeping the
  // time already measured for sittings in progress.
  std::map<std::string, std::int64_t> last_wall_ms;
  LONTAR_TRY(Replay(last_wall_ms));
  const std::int64_t now = clock_->MonotonicNs();
  for (const auto& [participant, state] : sittings_) {
    if (state.phase == Phase::kInProgress) charged_at_ns_.try_emplace(participant, now);
  }
  return SealFinished();
}

SittingState Engine::State(const std::string& participant) const {
  auto it = sittings_.find(participant);
  return it == sittings_.end() ? SittingState{} : it->second;
}

std::vector<std::string> Engine::Participants() const {
  std::vector<std::string> out;
  for (const auto& [participant, state] : sittings_) out.push_back(participant);
  return out;
}

journal::Event Engine::Encode(const std::string& participant, const Event& event,
                              Json extra) const {
  extra["participant"] = participant;
  extra["pack_id"] = pack_id_;
  EncodedEvent encoded = ToJson(event, extra);
  return {std::move(encoded.type), std::move(encoded.payload)};
}

std::vector<std::string> Engine::InProgress() const {
  std::vector<std::string> participants;
  for (const auto& [participant, state] : sittings_) {
    if (state.phase == Phase::kInProgress) participants.push_back(participant);
  }
  return participants;
}

Status Engine::Journal(const std::string& participant, const std::vector<Event>& events) {
  if (events.empty()) return Ok();
  Outgoing out;
  for (const Event& e : events) out.Add(Encode(participant, e), participant);
  LONTAR_TRY(Append(out));
  return Ok();
}

Result<journal::Head> Engine::Append(const Outgoing& out) {
  auto head = terminal_->journal().Append(out.records, {}, journal::Journal::Mode::kIfUnchanged);
  if (!head) {
    if (head.error().kind() != ErrorKind::kConflict) refold_ = true;
    return head;
  }
  const std::uint64_t first = head->seq + 1 - out.records.size();
  for (std::size_t i = 0; i < out.participants.size(); ++i) {
    if (!out.participants[i].empty()) NoteRecord(out.participants[i], first + i);
  }
  return head;
}

Result<std::vector<Event>> Engine::Charge(const std::string& participant, SittingState& state,
                                          std::int64_t now) const {
  if (state.phase != Phase::kInProgress) return std::vector<Event>{};
  const auto charged = charged_at_ns_.find(participant);
  const std::int64_t since = charged == charged_at_ns_.end() ? now : charged->second;
  LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events,
                          Decide(*exam_, state, Tick{std::max<std::int64_t>(0, now - since)}));
  for (const Event& e : events) state = Apply(*exam_, std::move(state), e);
  return events;
}

Result<SittingState> Engine::Execute(const std::string& participant, const Command& command) {
  return RetryOnConflict([&] { return ExecuteOnce(participant, command); });
}

Result<SittingState> Engine::ExecuteOnce(const std::string& participant, const Command& command) {
  LONTAR_TRY(Refresh());
  const std::int64_t now = clock_->MonotonicNs();
  SittingState state = State(participant);
  LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events, Charge(participant, state, now));
  auto decided = Decide(*exam_, state, command);
  if (!decided) {
    // A time-up that the charge just discovered is a fact, whatever happens to the command.
    if (std::any_of(events.begin(), events.end(), IsSubmittedEvent)) {
      LONTAR_TRY(Journal(participant, events));
      sittings_[participant] = state;
      charged_at_ns_[participant] = now;
      LONTAR_TRY(SealFinished());
    }
    return std::unexpected(decided.error());
  }
  for (const Event& e : *decided) {
    state = Apply(*exam_, std::move(state), e);
    events.push_back(e);
  }
  LONTAR_TRY(Journal(participant, events));  // invariant 1: durable before visible
  sittings_[participant] = state;
  charged_at_ns_[participant] = now;
  LONTAR_TRY(SealFinished());
  return state;
}

Status Engine::Checkpoint() {
  return RetryOnConflict([&] { return CheckpointOnce(); });
}

Status Engine::CheckpointOnce() {
  LONTAR_TRY(Refresh());
  const std::int64_t now = clock_->MonotonicNs();
  for (auto& [participant, state] : sittings_) {
    if (state.phase != Phase::kInProgress) continue;
    SittingState next = state;
    LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events, Charge(participant, next, now));
    LONTAR_TRY(Journal(participant, events));
    state = next;
    charged_at_ns_[participant] = now;
  }
  return SealFinished();
}

}  // namespace lontar::exam
