#include "tests/support/sample_bundles.hpp"

#include "core/bundle/outbox.hpp"

namespace lontar::testing {

bundle::BundleInputs SampleBundleInputs(terminal::Terminal& terminal, const std::string& exam_id,
                                        std::uint64_t seq) {
  bundle::BundleInputs in;
  in.terminal_id = terminal.id();
  in.site = terminal.site();
  in.exam_id = exam_id;
  in.pack_id = "0123456789abcdef0123456789abcdef";
  in.exam_version = 1;
  in.seq = seq;
  in.participant = "P-00" + std::to_string(seq);
  in.created_ms = 1'795'500'000'000;
  in.journal_seq = terminal.journal().head().seq;
  in.journal_hash = terminal.journal().head().hash;
  in.payload.answers = {{"tiu-01", "A"}};
  return in;
}

Result<Bytes> AddSampleBundle(terminal::Terminal& terminal, const bundle::BundleInputs& inputs,
                              const crypto::BoxPublicKey& results) {
  LONTAR_ASSIGN_OR_RETURN(Bytes b, bundle::WriteBundle(inputs, terminal.signing_key(), results));
  LONTAR_TRY(bundle::AddToOutbox(terminal, b));
  return b;
}

bundle::Receipt SampleReceipt(const crypto::SigningKey& key, std::int64_t stored_ms) {
  bundle::Receipt r;
  for (std::size_t i = 0; i < r.bundle_id.size(); ++i) r.bundle_id[i] = static_cast<uint8_t>(i);
  r.terminal_id = "T-0123456789ABCDEF";
  r.seq = 7;
  r.stored_ms = stored_ms;
  r.server_key_id = key.id();
  return r;
}

}  // namespace lontar::testing
