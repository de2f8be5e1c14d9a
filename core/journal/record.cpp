#include "core/journal/record.hpp"

namespace lontar::journal {

crypto::Hash256 ComputeRecordHash(const Record& r) {
  Bytes header;
  header.reserve(64);
  Append(header, AsBytes("lontar-journal-v1"));
  AppendU64(header, r.seq);
  AppendU64(header, static_cast<std::uint64_t>(r.mono_ns));
  AppendU64(header, static_cast<std::uint64_t>(r.wall_ms));
  AppendU32(header, static_cast<std::uint32_t>(r.type.size()));
  crypto::Blake2bHasher h(32);
  h.Update(header).Update(AsBytes(r.type));
  Bytes length;
  AppendU32(length, static_cast<std::uint32_t>(r.payload.size()));
  h.Update(length).Update(AsBytes(r.payload)).Update(r.prev_hash);
  Bytes digest = h.Finish();
  crypto::Hash256 out{};
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

Status ValidateEvent(std::string_view type, std::string_view payload) {
  if (type.empty() || type.size() > kMaxTypeBytes) {
    return std::unexpected(Error::InvalidArgument("journal event type must be 1..64 bytes"));
  }
  for (char c : type) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return std::unexpected(Error::InvalidArgument("journal event type '" + std::string(type) +
                                                    "' may use only a-z 0-9 . _ -"));
    }
  }
  if (payload.size() > kMaxPayloadBytes) {
    return std::unexpected(Error::InvalidArgument(
        "journal payload of " + std::to_string(payload.size()) + " bytes exceeds the 1 MiB limit"));
  }
  return Ok();
}

Bytes CheckpointMessage(std::uint64_t seq, const crypto::Hash256& head) {
  Bytes m;
  Append(m, AsBytes("lontar-checkpoint-v1"));
  AppendU64(m, seq);
  Append(m, head);
  return m;
}

}  // namespace lontar::journal
