// Sealing an ended sitting into a result bundle in the outbox (engine.hpp, "Results").
#include <nlohmann/json.hpp>

#include "core/bundle/outbox.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/exam/engine.hpp"
#include "core/scoring/score_json.hpp"

namespace lontar::exam {
namespace {

using Json = nlohmann::json;

bool Ended(Phase phase) { return phase == Phase::kSubmitted || phase == Phase::kVoided; }

}  // namespace

void Engine::NoteRecord(const std::string& participant, std::uint64_t seq) {
  auto& runs = records_[participant];
  if (!runs.empty() && runs.back().second + 1 == seq) {
    runs.back().second = seq;
  } else {
    runs.emplace_back(seq, seq);
  }
}

void Engine::NoteBundle(const Json& j) {
  const std::string participant = j.value("participant", "");
  auto id = HexDecode(j.value("bundle_id", ""));
  if (participant.empty() || !id || id->size() != crypto::Hash256{}.size()) return;
  crypto::Hash256 hash{};
  std::copy(id->begin(), id->end(), hash.begin());
  receipts_[participant] = bundle::ReceiptCodeFor(hash);
}

std::string Engine::ReceiptCode(const std::string& participant) const {
  auto it = receipts_.find(participant);
  return it == receipts_.end() ? std::string() : it->second;
}

const scoring::ScoreReport* Engine::SealedScore(const std::string& participant) const {
  auto it = scores_.find(participant);
  return it == scores_.end() ? nullptr : &it->second;
}

Status Engine::SealFinished() {
  for (const auto& [participant, state] : sittings_) {
    if (Ended(state.phase) && !receipts_.contains(participant)) {
      LONTAR_TRY(Seal(participant, state));
    }
  }
  return Ok();
}

Status Engine::Seal(const std::string& participant, const SittingState& s) {
  journal::Journal& journal = terminal_->journal();
  LONTAR_TRY(journal.SignHead());  // the bundle names a head the vault holds a signature for
  bundle::BundleInputs in;
  in.terminal_id = terminal_->id();
  in.site = terminal_->site();
  in.exam_id = exam_->id;
  in.pack_id = pack_id_;
  in.exam_version = exam_version_;
  in.participant = participant;
  in.created_ms = clock_->WallMs();
  LONTAR_ASSIGN_OR_RETURN(in.seq, bundle::NextBundleSeq(*terminal_));
  in.journal_seq = journal.head().seq;
  in.journal_hash = journal.head().hash;
  in.kind = s.phase == Phase::kVoided ? bundle::Kind::kVoided : bundle::Kind::kSubmitted;
  in.payload.answers = s.answers;
  in.payload.flags = s.flagged;
  in.payload.timings = Json{{"elapsed_ns", s.elapsed_ns},
                            {"extra_ns", s.extra_ns},
                            {"section_elapsed_ns", s.section_elapsed_ns},
                            {"section_extra_ns", s.section_extra_ns},
                            {"remaining_ns", RemainingNs(*exam_, s)},
                            {"phase", PhaseName(s.phase)},
                            {"submitted_by", s.phase != Phase::kSubmitted        ? ""
                                             : s.reason == SubmitReason::kTimeUp ? "time-up"
                                                                                 : "candidate"},
                            {"seed", s.seed},
                            {"handed_over_from", s.from_terminal}};
  // Scored once, here: the bundle carries it and the finished screen shows it (SealedScore).
  auto score = scoring::ScoreRosterParticipant(*exam_, s.answers, participant);
  in.payload.score = score ? scoring::ReportToJson(*score)
                           : nlohmann::ordered_json{{"error", score.error().message()}};
  if (s.accommodations.any()) {
    Json a = model::AccommodationsToJson(s.accommodations);
    a["source"] = s.accommodations_source;
    a["limit_ns"] = ExamLimitNs(*exam_, s);
    in.payload.accommodations = std::move(a);
  }
  // The sitting's own records: every record of this pack that names the participant, as noted
  // while folding and appending them (no scan of the whole journal).
  if (auto runs = records_.find(participant); runs != records_.end()) {
    for (const auto& [first, last] : runs->second) {
      LONTAR_ASSIGN_OR_RETURN(std::vector<journal::Record> records,
                              journal.Read(first, static_cast<std::size_t>(last - first + 1)));
      if (records.size() != last - first + 1) {
        return std::unexpected(Error::Internal("journal records " + std::to_string(first) + " to " +
                                               std::to_string(last) + " of participant " +
                                               participant + " are no longer in the vault"));
      }
      for (journal::Record& r : records) in.payload.journal.push_back(std::move(r));
    }
  }
  LONTAR_ASSIGN_OR_RETURN(Bytes sealed,
                          bundle::WriteBundle(in, terminal_->signing_key(), results_key_));
  LONTAR_ASSIGN_OR_RETURN(bundle::AddedBundle added, bundle::AddToOutbox(*terminal_, sealed));
  receipts_[participant] = added.receipt_code;
  if (score) scores_[participant] = std::move(*score);
  return Ok();
}

}  // namespace lontar::exam
