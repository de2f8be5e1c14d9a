#include "core/pack/results_access.hpp"

#include "core/pack/payload_reader.hpp"

namespace lontar::pack {

Result<AuthorityView> OpenPackForResults(const std::filesystem::path& file,
                                         const std::vector<crypto::VerifyKey>& trusted,
                                         const crypto::BoxSecretKey& results_key) {
  const std::string name = file.string();
  LONTAR_ASSIGN_OR_RETURN(Envelope envelope, ReadEnvelope(file));
  auto signer = VerifyEnvelope(envelope, trusted);
  if (!signer && signer.error().kind() == ErrorKind::kUntrusted) {
    std::string signers, keys;
    for (const PackSignature& s : envelope.signatures) {
      signers += (signers.empty() ? "" : ", ") + s.key_id.ToString();
    }
    for (const crypto::VerifyKey& k : trusted) {
      keys += (keys.empty() ? "" : ", ") + k.id().ToString();
    }
    return std::unexpected(
        Error::Untrusted(name + ": signed by " + signers + ", not by the authority key given (" +
                         keys + "); give --trust with the exam authority's public key"));
  }
  if (!signer) return std::unexpected(signer.error().WithContext(name));
  auto parsed = ParseHeader(envelope.header_json);
  if (!parsed) return std::unexpected(parsed.error().WithContext(name));
  AuthorityView view{std::move(*parsed), *signer, {}};
  const PackHeader& h = view.header;
  if (!(h.results_key == results_key.public_key())) {
    return std::unexpected(Error::WrongKey(name + ": this pack sends its results to key " +
                                           h.results_key.id().ToString() + ", not to " +
                                           results_key.id().ToString() +
                                           "; use the results key the pack was built with"));
  }
  if (h.results_slot.empty()) {
    return std::unexpected(Error::InvalidArgument(
        name +
        ": this pack was built before packs carried a results slot; open the results "
        "with --exam and the exam source it was built from"));
  }
  LONTAR_TRY(VerifyPayload(file, envelope, h));
  auto content_key = crypto::OpenSealed(results_key, h.results_slot);
  if (!content_key) return std::unexpected(content_key.error().WithContext(name + " results slot"));
  LONTAR_ASSIGN_OR_RETURN(view.exam, ReadPackExam(file, *content_key));
  if (view.exam.id != h.exam_id) {
    return std::unexpected(Error::Corruption(name + ": the payload holds exam '" + view.exam.id +
                                             "' but the signed header names '" + h.exam_id + "'"));
  }
  return view;
}

}  // namespace lontar::pack
