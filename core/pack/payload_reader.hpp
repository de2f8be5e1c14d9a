// Decrypting a pack file's payload as a stream, with the content key already in hand: shared by
// a terminal reading its released pack and by the exam authority opening results.
#pragma once

#include <filesystem>

#include "core/authoring/exam.hpp"
#include "core/crypto/secret.hpp"
#include "core/pack/archive.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

// Decrypts the payload of the pack at `file` with `content_key` through `parser`, chunk by chunk
// (memory stays bounded whatever the pack's size). kCorruption / kMalformed, prefixed with the
// file name, when the stream does not authenticate or the archive is cut short. Reads disk.
[[nodiscard]] Status DecryptPayload(const std::filesystem::path& file,
                                    const crypto::SecretBytes& content_key, ArchiveParser& parser);

// The exam and roster in the pack at `file` (media are skipped). Reads disk.
[[nodiscard]] Result<authoring::Exam> ReadPackExam(const std::filesystem::path& file,
                                                   const crypto::SecretBytes& content_key);

}  // namespace lontar::pack
