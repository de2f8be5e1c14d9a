// Store: the collection server's rules (verify before store, receipts, duplicates, gap and
// rollback flags, group commit) over whichever StoreBackend holds the rows; the invariants are
// numbered in store.hpp.
#include "core/server/store.hpp"

#include <algorithm>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/crypto/secret.hpp"

namespace lontar::server {

std::string BundleBytesDigest(const bundle::BundleEnvelope& envelope,
                              const crypto::Hash256& bundle_id) {
  crypto::Blake2bHasher hasher;
  static constexpr char kTag[] = "lontar-bundle-bytes-v1";
  hasher.Update(AsBytes(std::string_view(kTag, sizeof kTag)));
  hasher.Update(ByteView(bundle_id.data(), bundle_id.size()));
  const std::uint8_t version[2] = {static_cast<std::uint8_t>(envelope.version & 0xff),
                                   static_cast<std::uint8_t>(envelope.version >> 8)};
  hasher.Update(ByteView(version, sizeof version));
  hasher.Update(ByteView(envelope.signer.bytes.data(), envelope.signer.bytes.size()));
  hasher.Update(ByteView(envelope.signature.data(), envelope.signature.size()));
  hasher.Update(AsBytes(envelope.header_json));
  return HexEncode(hasher.Finish());
}

Result<std::unique_ptr<Store>> Store::Open(std::unique_ptr<StoreBackend> backend,
                                           const std::filesystem::path& enrolled_dir,
                                           crypto::SigningKey server_key,
                                           const ::lontar::Clock& clock, StoreOptions options) {
  std::unique_ptr<Store> store(new Store(std::move(server_key), clock));
  store->options_ = options;
  LONTAR_ASSIGN_OR_RETURN(std::vector<terminal::Enrollment> records,
                          terminal::ReadEnrollmentDir(enrolled_dir));
  for (auto& en : records) {
    store->enrolled_keys_.push_back(en.signing_key);
    store->enrolled_.emplace(en.signing_key.id(), std::move(en));
  }
  if (store->enrolled_.empty()) {
    return std::unexpected(Error::NotFound(enrolled_dir.string() +
                                           " holds no enrollment records (*.enroll): the server "
                                           "would refuse every bundle"));
  }
  store->backend_ = std::move(backend);
  return store;
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                           const std::filesystem::path& enrolled_dir,
                                           crypto::SigningKey server_key,
                                           const ::lontar::Clock& clock, StoreOptions options) {
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<StoreBackend> backend, OpenSqliteBackend(dir));
  return Open(std::move(backend), enrolled_dir, std::move(server_key), clock, options);
}

Result<Accepted> Store::Accept(ByteView bytes, const std::optional<crypto::Hash256>& expected_id) {
  if (bytes.size() > options_.max_bundle_bytes) {
    return std::unexpected(Error::Malformed("bundle oversized: " + std::to_string(bytes.size()) +
                                            " bytes, this server takes at most " +
                                            std::to_string(options_.max_bundle_bytes)));
  }
  // The one pass over the bundle: its digest, and the payload hash VerifyBundle needs.
  LONTAR_ASSIGN_OR_RETURN(bundle::HashedBundle hashed, bundle::HashBundle(bytes));
  const bundle::BundleEnvelope& envelope = hashed.envelope;
  const std::string digest = HexEncode(hashed.file_digest);
  // (3), the common case of a re-sent bundle: these very bytes were verified when they were
  // stored, so they are not verified again (invariant 3's "before verify").
  if (enrolled_.contains(envelope.signer)) {
    std::optional<StoredBundle> same;
    {
      const auto lock = ReadLock();
      LONTAR_ASSIGN_OR_RETURN(same, backend_->FindByDigest(digest));
    }
    if (same) {
      LONTAR_ASSIGN_OR_RETURN(Bytes stored_id, HexDecode(same->bundle_id));
      crypto::Hash256 id{};
      if (stored_id.size() != id.size()) {
        return std::unexpected(Error::Corruption(backend_->BundleName(same->bundle_id) +
                                                 ": its row's bundle id is not 64 hex digits"));
      }
      std::copy(stored_id.begin(), stored_id.end(), id.begin());
      if (expected_id && *expected_id != id) {
        return std::unexpected(
            Error::InvalidArgument("bundle id in the request (" + HexEncode(*expected_id) +
                                   ") is not the bundle's (" + same->bundle_id + ")"));
      }
      return DuplicateOf(*same, id);
    }
  }
  // (1) and (5): the expensive check, outside any lock.
  LONTAR_ASSIGN_OR_RETURN(bundle::BundleHeader h, bundle::VerifyBundle(hashed, enrolled_keys_));
  const terminal::Enrollment& en = enrolled_.at(envelope.signer);
  if (h.terminal_id != en.terminal_id) {
    return std::unexpected(Error::Untrusted("bundle names terminal " + h.terminal_id +
                                            " but is signed by " + en.terminal_id));
  }
  if (h.site != en.site) {
    return std::unexpected(Error::Untrusted(
        "bundle from terminal " + en.terminal_id + " names site " + h.site +
        ", but the terminal is enrolled at site " + en.site +
        " (its enrollment record): a terminal reports only for its own site. If it moved, "
        "enroll it again for the new site"));
  }
  const std::string id_hex = HexEncode(h.bundle_id);
  if (expected_id && *expected_id != h.bundle_id) {
    return std::unexpected(Error::InvalidArgument("bundle id in the request (" +
                                                  HexEncode(*expected_id) +
                                                  ") is not the bundle's (" + id_hex + ")"));
  }
  // (3) for every other case (another bundle with this id; a re-sent one whose row has an
  // older digest or none) is decided in the batch (InsertRow), which looks the id up anyway:
  // a lookup here too would cost every new bundle a second one (with PostgreSQL a round trip).

  // (2) and (5): the bundle goes to the group commit (store_commit.cpp), bytes and row together.
  PendingRow row{&h, &envelope, bytes, {}, {}, nullptr};
  row.row.digest = digest;
  LONTAR_TRY(PrepareRow(row));
  return GroupCommit(row);
}

std::unique_lock<std::mutex> Store::ReadLock() {
  if (backend_->ConcurrentReads()) return {};
  return std::unique_lock(read_mu_);
}

// The stored receipt text is answered as it is, without checking its signature again: this
// server wrote it into its own store in the same transaction as the row, so a store that could
// have been altered there could as well have been altered anywhere else, and the terminal
// checks it anyway (VerifyReceipt against the server key it trusts) before it marks the bundle
// delivered, so a damaged one is refused there and never taken for a delivery.
Accepted Store::DuplicateOf(const StoredBundle& existing, const crypto::Hash256& bundle_id) {
  bundle::Receipt r;
  r.bundle_id = bundle_id;  // = existing.bundle_id, decoded
  r.terminal_id = existing.terminal_id;
  r.seq = existing.seq;
  r.stored_ms = existing.stored_ms;
  return Accepted{std::move(r), existing.receipt_text, /*duplicate=*/true, {}};
}

Result<std::optional<StoredFlag>> Store::Conflict(const StoredBundle& existing,
                                                  const std::string& digest,
                                                  const bundle::BundleEnvelope& envelope,
                                                  const bundle::BundleHeader& h, ByteView bytes) {
  std::string why;
  if (existing.terminal_id != h.terminal_id) {
    why = "signed by " + h.terminal_id + ", while the stored one came from " + existing.terminal_id;
  } else if (existing.bytes != bytes.size()) {
    why = "of " + std::to_string(bytes.size()) + " bytes, while the stored one has " +
          std::to_string(existing.bytes);
  } else if (!existing.digest.empty()) {
    // The file digest (rows stored since 6 Dec 2026), or BundleBytesDigest (rows stored on
    // 5 Dec 2026): their domains differ, so a digest equals one of them only for these bytes.
    if (crypto::ConstantTimeEqual(AsBytes(existing.digest), AsBytes(digest)) ||
        crypto::ConstantTimeEqual(AsBytes(existing.digest),
                                  AsBytes(BundleBytesDigest(envelope, h.bundle_id)))) {
      return std::nullopt;  // the same bundle again
    }
    why = "with other bytes than the stored one";
  } else {
    // Same signer and size, a row without a digest: compare the bytes stored. (Such a row is
    // never one of this batch, whose rows all have a digest: the batch's own uploads with this
    // id, this one included, are not what was stored.)
    std::optional<Bytes> stored;
    {
      const auto lock = ReadLock();
      LONTAR_ASSIGN_OR_RETURN(stored, backend_->ReadBundle(existing.bundle_id));
    }
    if (stored->size() == bytes.size() &&
        std::equal(stored->begin(), stored->end(), bytes.begin())) {
      return std::nullopt;  // the same bundle again
    }
    why = "with other bytes than the stored one";
  }
  return StoredFlag{existing.terminal_id,
                    existing.seq,
                    existing.bundle_id,
                    kIdConflictFlag,
                    "bundle " + existing.bundle_id.substr(0, 16) + " (#" +
                        std::to_string(existing.seq) + ", participant " + existing.participant +
                        ") arrived again " + why + ", naming participant " + h.participant +
                        ": refused. Check which terminal really holds it",
                    clock_.WallMs()};
}

Error Store::ConflictError(const StoredFlag& flag) {
  return Error::Conflict("a different bundle already has this id: " + flag.detail);
}

bundle::Receipt FillStoredRow(const bundle::BundleHeader& h, std::size_t bytes, std::int64_t now,
                              const crypto::SigningKey& key, StoredBundle& row) {
  bundle::Receipt receipt;
  receipt.bundle_id = h.bundle_id;
  receipt.terminal_id = h.terminal_id;
  receipt.seq = h.seq;
  receipt.stored_ms = now;
  receipt.signed_ms = now;
  receipt.server_key_id = key.id();
  row.bundle_id = HexEncode(h.bundle_id);
  row.receipt_code = bundle::ReceiptCodeFor(h.bundle_id);
  row.terminal_id = h.terminal_id;
  row.site = h.site;
  row.exam_id = h.exam_id;
  row.pack_id = h.pack_id;
  row.participant = h.participant;
  row.kind = bundle::KindName(h.kind);
  row.seq = h.seq;
  row.journal_seq = h.journal_seq;
  row.created_ms = h.created_ms;
  row.stored_ms = now;
  row.bytes = bytes;
  row.receipt_text = bundle::WriteReceipt(receipt, key);
  return receipt;
}

lontar::Status Store::PrepareRow(PendingRow& p) {
  p.receipt = FillStoredRow(*p.header, p.bytes.size(), clock_.WallMs(), server_key_, p.row);
  LONTAR_ASSIGN_OR_RETURN(p.prepared, backend_->PrepareInsert(p.row, p.bytes));
  return Ok();
}

Result<Accepted> Store::InsertRow(StoreBatch& batch, PendingRow& p) {
  const bundle::BundleHeader& h = *p.header;
  const std::string& id_hex = p.row.bundle_id;
  // Another upload of the same bundle may have committed (or be earlier in this batch): its
  // receipt stands, and the one made for this upload is dropped.
  LONTAR_ASSIGN_OR_RETURN(std::optional<StoredBundle> existing, batch.FindById(id_hex));
  if (existing) {
    LONTAR_ASSIGN_OR_RETURN(std::optional<StoredFlag> conflict,
                            Conflict(*existing, p.row.digest, *p.envelope, h, p.bytes));
    if (conflict) {
      LONTAR_TRY(batch.AddFlag(*conflict));
      p.refused = ConflictError(*conflict);
      return Accepted{};
    }
    return DuplicateOf(*existing, h.bundle_id);
  }
  // (4): compare with this terminal's other bundles.
  const std::int64_t now = p.row.stored_ms;
  std::vector<StoredFlag> flags;
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredBundle> others,
                          batch.Disagreeing(h.terminal_id, h.seq, h.journal_seq));
  for (const StoredBundle& other : others) {
    std::string kind, detail;
    if (other.seq == h.seq) {
      kind = "seq-reused";
      detail = "bundle #" + std::to_string(h.seq) + " arrived again as " + id_hex.substr(0, 16) +
               " after " + other.bundle_id.substr(0, 16) + ": the terminal's vault was rolled back";
    } else if ((other.seq < h.seq && other.journal_seq >= h.journal_seq) ||
               (other.seq > h.seq && other.journal_seq <= h.journal_seq)) {
      kind = "journal-rollback";
      detail = "bundle #" + std::to_string(h.seq) + " has journal head " +
               std::to_string(h.journal_seq) + ", bundle #" + std::to_string(other.seq) + " has " +
               std::to_string(other.journal_seq) +
               ": the journal did not advance with the bundle number";
    } else {
      continue;
    }
    flags.push_back({h.terminal_id, h.seq, id_hex, std::move(kind), std::move(detail), now});
  }
  LONTAR_TRY(batch.Insert(p.row, p.bytes, flags, p.prepared.get()));
  Accepted out{p.receipt, p.row.receipt_text, false, {}};
  for (const auto& f : flags) out.flags.push_back(f.kind + ": " + f.detail);
  return out;
}

std::string Store::SignReceiptNow(bundle::Receipt receipt) const {
  receipt.signed_ms = clock_.WallMs();
  receipt.server_key_id = server_key_.id();
  return bundle::WriteReceipt(receipt, server_key_);
}

Result<StoredBundle> Store::FindByCode(std::string_view code) {
  LONTAR_ASSIGN_OR_RETURN(std::string canonical, bundle::ParseReceiptCode(code));
  const auto lock = ReadLock();
  LONTAR_ASSIGN_OR_RETURN(std::optional<StoredBundle> found, backend_->FindByCode(canonical));
  if (!found) {
    return std::unexpected(
        Error::NotFound("no bundle with receipt code " + canonical + " has reached this server"));
  }
  return std::move(*found);
}

Result<std::uint64_t> Store::CountBundles() {
  const auto lock = ReadLock();
  return backend_->CountBundles();
}

bundle::BundleFacts FactsOf(const StoredBundle& row) {
  return bundle::BundleFacts{.receipt_code = row.receipt_code,
                             .bundle_id = row.bundle_id,
                             .terminal_id = row.terminal_id,
                             .site = row.site,
                             .exam_id = row.exam_id,
                             .seq = row.seq,
                             .kind = row.kind};
}

}  // namespace lontar::server
