#include "provision/results_inputs.hpp"

#include "core/authoring/source.hpp"
#include "core/crypto/key_file.hpp"
#include "core/pack/results_access.hpp"
#include "core/terminal/enrollment.hpp"

namespace lontar::cli {

void AddResultsInputOptions(CLI::App& command, ResultsInputs& inputs) {
  command.add_option("--store", inputs.store, "the collection server's store directory");
  command.add_option("--db", inputs.db, "or its PostgreSQL database: postgresql://USER@HOST/DB");
  command.add_option("--key", inputs.key, "the results secret key (results.key)")->required();
  command.add_option("--pack", inputs.pack,
                     "the exam's pack (.lpk); opened with --key, its signature checked with "
                     "--trust");
  command.add_option("--exam", inputs.exam,
                     "instead of --pack: the exam source directory the pack was built from");
  command.add_option("--trust", inputs.trust,
                     "authority public key(s) the pack must be signed by (default: "
                     "authority.pub beside --key)");
  command.add_option("--enrolled", inputs.enrolled,
                     "also re-verify each bundle's terminal signature against these records");
}

Result<model::Exam> LoadResultsExam(const ResultsInputs& a, const crypto::BoxSecretKey& key) {
  if (!a.pack.empty() == !a.exam.empty()) {
    return std::unexpected(
        Error::InvalidArgument("give the exam as exactly one of --pack exam.lpk or --exam SRC"));
  }
  if (!a.exam.empty()) {
    auto source = authoring::LoadSource(a.exam);
    if (!source) {
      return std::unexpected(Error::Malformed(a.exam.string() + ": the exam source has " +
                                              std::to_string(source.error().size()) +
                                              " problems; check it with `lontar pack build`"));
    }
    return std::move(source->exam);
  }
  std::vector<std::filesystem::path> trust = a.trust;
  if (trust.empty()) {
    // The authority's keys are made side by side (`lontar keys new ... --out DIR`).
    const auto beside = a.key.parent_path() / "authority.pub";
    std::error_code ec;
    if (!std::filesystem::exists(beside, ec)) {
      return std::unexpected(Error::NotFound(
          "no authority public key to check the pack's signature with: give --trust "
          "authority.pub (looked for " +
          beside.string() + ")"));
    }
    trust.push_back(beside);
  }
  std::vector<crypto::VerifyKey> trusted;
  for (const auto& t : trust) {
    LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey k, crypto::ReadSigningPublicKeyFile(t));
    trusted.push_back(k);
  }
  LONTAR_ASSIGN_OR_RETURN(pack::AuthorityView view, pack::OpenPackForResults(a.pack, trusted, key));
  return std::move(view.exam);
}

Result<std::vector<crypto::VerifyKey>> ReadEnrolledKeys(const ResultsInputs& a) {
  if (a.enrolled.empty()) return std::vector<crypto::VerifyKey>{};
  LONTAR_ASSIGN_OR_RETURN(std::vector<terminal::Enrollment> records,
                          terminal::ReadEnrollmentDir(a.enrolled));
  return terminal::SigningKeysOf(records);
}

Result<std::unique_ptr<server::StoreBackend>> OpenResultsStore(const ResultsInputs& a) {
  LONTAR_ASSIGN_OR_RETURN(
      std::unique_ptr<server::StoreBackend> store,
      server::OpenStoreBackend({a.store, a.db}, server::StoreAccess::kReadOnly));
  if (!a.store.empty()) LONTAR_TRY(server::CheckSqliteIndexIsCurrent(a.store));
  return store;
}

}  // namespace lontar::cli
