// Decrypting a pack file's payload as a stream, with the content key already in hand: shared by
// a terminal reading its released pack and by the exam authority opening results.
#pragma once

#include <filesystem>
#include <functional>

#include "core/crypto/secret.hpp"
#include "core/model/exam.hpp"
#include "core/pack/archive.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

// Decrypts the payload of the pack at `file` with `content_key` through `parser`, chunk by chunk
// (memory stays bounded whatever the pack's size). kCorruption / kMalformed, prefixed with the
// file name, when the stream does not authenticate or the archive is cut short. When `enough`
// is given and returns true after a chunk, reading stops there with success: only the chunks read
// so far were authenticated (each chunk is, on its own; the whole file was checked against the
// signed hash at load). Reads disk.
[[nodiscard]] Status DecryptPayload(const std::filesystem::path& file,
                                    const crypto::SecretBytes& content_key, ArchiveParser& parser,
                                    const std::function<bool()>& enough = {});

// The exam and roster in the pack at `file`, read up to where they end (the media after them are
// not decrypted). Reads disk.
[[nodiscard]] Result<model::Exam> ReadPackExam(const std::filesystem::path& file,
                                               const crypto::SecretBytes& content_key);

// Checks that every image an item of the pack at `file` names is in the pack: one pass over the
// payload, which keeps only the exam and roster. kCorruption naming the item and the file when
// one is missing, and the stream's errors as DecryptPayload. Reads disk.
[[nodiscard]] Status CheckPackMedia(const std::filesystem::path& file,
                                    const crypto::SecretBytes& content_key);

}  // namespace lontar::pack
