// What every `lontar results` command that opens a store needs, read the same way: the results
// key, the exam (from the pack, its signature checked, or the authoring source), the enrolled
// terminals' keys, and the store itself.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/model/exam.hpp"
#include "core/server/store_backend.hpp"
#include "core/util/error.hpp"

namespace lontar::cli {

struct ResultsInputs {
  std::filesystem::path store, key, pack, exam, enrolled;
  std::vector<std::filesystem::path> trust;
  std::string db;  // postgresql://... instead of --store
};

// Adds --store, --db, --key (required), --pack, --exam, --trust and --enrolled to `command`.
void AddResultsInputOptions(CLI::App& command, ResultsInputs& inputs);

// The exam to score against: from the pack (opened with the results key, its signature checked
// against --trust, or authority.pub beside --key) or from the authoring source. Reads files.
[[nodiscard]] Result<model::Exam> LoadResultsExam(const ResultsInputs& inputs,
                                                  const crypto::BoxSecretKey& key);

// The signing keys of the enrollment records (*.enroll) in --enrolled; none when not given.
[[nodiscard]] Result<std::vector<crypto::VerifyKey>> ReadEnrolledKeys(const ResultsInputs& inputs);

// The store opened read-only; for a store directory, refused when its index lags its segments
// (server::CheckSqliteIndexIsCurrent). Reads disk or the database.
[[nodiscard]] Result<std::unique_ptr<server::StoreBackend>> OpenResultsStore(
    const ResultsInputs& inputs);

}  // namespace lontar::cli
