// The rollback check (StoreBatch::Disagreeing) of a batch's own rows, which the database does not
// hold until Commit: both store backends query three disjoint parts of the stored rows (the same
// number; later numbers with journal heads not later; journal heads at or past this one with
// earlier numbers) and add the batch's rows here, each in its part.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/server/store_backend.hpp"

namespace lontar::server {

// A row the check found, with the part (0, 1, 2) it fell in.
using DisagreeingRow = std::pair<int, StoredBundle>;

// Which of the three parts `other` falls in for a bundle (seq, journal head), or -1 for none.
inline int DisagreeingPart(const StoredBundle& other, std::uint64_t seq,
                           std::uint64_t journal_seq) {
  if (other.seq == seq) return 0;
  if (other.seq > seq && other.journal_seq <= journal_seq) return 1;
  if (other.journal_seq >= journal_seq && other.seq < seq) return 2;
  return -1;
}

// The rows a bundle (terminal_id, seq, journal_seq) disagrees with: `stored`, the database's in
// the order it gave them, and those of `pending` (a batch's rows not yet committed, each with a
// `row`) of the same terminal; once any of the batch's is added, sorted by part and then number.
template <typename PendingRows>
std::vector<StoredBundle> WithPendingDisagreeing(std::vector<DisagreeingRow> stored,
                                                 const PendingRows& pending,
                                                 const std::string& terminal_id, std::uint64_t seq,
                                                 std::uint64_t journal_seq) {
  bool own = false;
  for (const auto& p : pending) {
    if (p.row.terminal_id != terminal_id) continue;
    if (const int part = DisagreeingPart(p.row, seq, journal_seq); part >= 0) {
      stored.emplace_back(part, p.row);
      own = true;
    }
  }
  if (own) {
    std::stable_sort(stored.begin(), stored.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first, a.second.seq) < std::tie(b.first, b.second.seq);
    });
  }
  std::vector<StoredBundle> out;
  out.reserve(stored.size());
  for (auto& [part, b] : stored) out.push_back(std::move(b));
  return out;
}

}  // namespace lontar::server
