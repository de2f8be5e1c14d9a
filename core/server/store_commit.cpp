// The collection store's group commit (store.hpp invariants 5 and 6): uploads queued by Accept
// are taken into batches, filled (lookups, flags, the backend's writes) and committed (the
// backend's syncs) one batch at a time, or, with StoreOptions::pipelined_commits, a batch filled
// while the one before it commits.
#include "core/server/store.hpp"

namespace lontar::server {

// The group commit, in a pipeline of two stages (invariant 6). Whoever finds no batch being filled
// takes the rows queued so far (oldest first, up to kMaxBatchRows and kMaxBatchBytes) and fills one
// (FillBatch: lookups, flags, the backend's writes, nothing durable); while the previous batch
// still commits, it goes on taking in what arrives, so that the batch holds as many rows as a batch
// filled after that commit would, with their writes done by then. Once the previous batch has
// committed it commits this one (CommitBatch: one set of syncs for the whole batch). With a backend
// that PipelinesBatches, the next batch is filled while this one commits; otherwise the two stages
// run back to back. The others wait for the batch that holds their row.
Result<Accepted> Store::GroupCommit(PendingRow& row) {
  const bool pipelined = options_.pipelined_commits && backend_->PipelinesBatches();
  std::unique_lock queue_lock(queue_mu_);
  queue_.push_back(&row);
  if (filling_) arrival_cv_.notify_one();
  while (!row.done) {
    if (filling_ || queue_.empty()) {
      queue_cv_.wait(queue_lock);
      continue;
    }
    filling_ = true;
    std::size_t rows = 0;
    std::uint64_t batch_bytes = 0;
    // The oldest queued rows that fit in what the batch has left (the first always fits).
    auto take = [&] {
      std::size_t n = 0;
      while (n < queue_.size() && rows < kMaxBatchRows &&
             (rows == 0 || batch_bytes + queue_[n]->bytes.size() <= kMaxBatchBytes)) {
        batch_bytes += queue_[n]->bytes.size();
        ++rows;
        ++n;
      }
      std::vector<PendingRow*> out(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      return out;
    };
    std::unique_ptr<StoreBatch> tx;
    std::vector<PendingRow*> written, deferred;
    lontar::Status filled = Ok();
    for (bool first = true;; first = false) {
      if (!first) {
        // Taking in arrivals: only while the previous batch commits and this one has room.
        if (!pipelined || !committing_ || rows >= kMaxBatchRows || batch_bytes >= kMaxBatchBytes) {
          break;
        }
        if (queue_.empty()) {
          arrival_cv_.wait(queue_lock);
          continue;
        }
      }
      std::vector<PendingRow*> taken = take();
      const std::shared_ptr<const InFlight> in_flight = in_flight_;
      queue_lock.unlock();
      filled = FillBatch(tx, taken, in_flight.get(), written, deferred);
      queue_lock.lock();
      if (!filled) break;
    }
    if (filled && tx) {
      queue_lock.unlock();
      filled = tx->Write();
      queue_lock.lock();
    }
    if (!filled) {
      for (PendingRow* p : written) p->result = std::unexpected(filled.error());
      tx.reset();  // nothing of it is stored
    }
    // Rows that depend on the batch still committing go back to the head of the queue, for the
    // next batch, which sees that one's outcome.
    queue_.insert(queue_.begin(), deferred.begin(), deferred.end());
    // Batches commit in the order they were filled: wait for the previous one.
    while (committing_) queue_cv_.wait(queue_lock);
    const bool commit = tx != nullptr;
    if (commit) {
      committing_ = true;
      auto keys = std::make_shared<InFlight>();
      for (const PendingRow* p : written) keys->Add(p->row);
      in_flight_ = std::move(keys);
      if (pipelined) {
        filling_ = false;  // the next batch may be filled while this one commits
        queue_cv_.notify_all();
      }
      queue_lock.unlock();
      CommitBatch(*tx, written);
      tx.reset();  // a failed batch is dropped here, before the next one may commit
      queue_lock.lock();
      committing_ = false;
      in_flight_.reset();
      arrival_cv_.notify_one();  // the batch being filled stops taking in arrivals
    }
    if (!pipelined || !commit) filling_ = false;
    for (PendingRow* p : written) p->done = true;
    queue_cv_.notify_all();
  }
  return std::move(row.result);
}

void Store::InFlight::Add(const StoredBundle& r) {
  ids.insert(r.bundle_id);
  by_terminal[r.terminal_id].emplace_back(r.seq, r.journal_seq);
}

// Whether (4)'s check of `r` could find a row of this batch (the same number, or numbers on
// the other side with journal heads not on the other side), or (3)'s its id: the test of
// StoreBatch::Disagreeing, whose lookups do not see a batch still committing.
bool Store::InFlight::Touches(const StoredBundle& r) const {
  if (ids.contains(r.bundle_id)) return true;
  const auto it = by_terminal.find(r.terminal_id);
  if (it == by_terminal.end()) return false;
  for (const auto& [seq, journal] : it->second) {
    if (seq == r.seq || (seq > r.seq && journal <= r.journal_seq) ||
        (seq < r.seq && journal >= r.journal_seq)) {
      return true;
    }
  }
  return false;
}

lontar::Status Store::FillBatch(std::unique_ptr<StoreBatch>& tx,
                                const std::vector<PendingRow*>& rows, const InFlight* in_flight,
                                std::vector<PendingRow*>& written,
                                std::vector<PendingRow*>& deferred) {
  // A row whose answer depends on the batch still committing (a duplicate of one of its rows,
  // a number it rolls back) waits for the next batch: were it decided now, without that batch's
  // rows, and that batch then committed, it would be stored twice or miss its flag; decided
  // from them, and that batch then failed, its answer would name a row that is not stored.
  // Either way a failed commit must fail only its own batch's uploads. Bundles numbered in
  // order with advancing journals never touch each other.
  std::vector<PendingRow*> now;
  for (PendingRow* p : rows) {
    (in_flight != nullptr && in_flight->Touches(p->row) ? deferred : now).push_back(p);
  }
  if (now.empty()) return Ok();
  written.insert(written.end(), now.begin(), now.end());
  if (!tx) {
    LONTAR_ASSIGN_OR_RETURN(tx, backend_->Begin());
    // Everything the first rows will look up, asked in one go (PostgreSQL: one query per kind
    // instead of two round trips per row; it also waits there for the previous batch's COMMIT).
    std::vector<BatchKey> keys;
    keys.reserve(now.size());
    for (const PendingRow* p : now) {
      keys.push_back(
          {p->row.bundle_id, p->header->terminal_id, p->header->seq, p->header->journal_seq});
    }
    LONTAR_TRY(tx->Prefetch(keys));
  }
  for (PendingRow* p : now) {
    // Not acknowledged before CommitBatch: a failure there replaces it.
    p->result = InsertRow(*tx, *p);
    if (!p->result) return std::unexpected(p->result.error());  // the batch is dropped
  }
  return Ok();
}

void Store::CommitBatch(StoreBatch& tx, const std::vector<PendingRow*>& written) {
  if (auto st = tx.Commit(); !st) {
    for (PendingRow* p : written) p->result = std::unexpected(st.error());
    return;
  }
  for (PendingRow* p : written) {
    if (p->refused) p->result = std::unexpected(*p->refused);
  }
}

}  // namespace lontar::server
