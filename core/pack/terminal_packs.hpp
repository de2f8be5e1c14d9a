// Packs on a terminal: loading (verify, store still encrypted, journal) and releasing (the
// proctor's release code unwraps the content key).
//
// Invariants:
//  (1) Nothing in a pack file is parsed before a signature by one of the terminal's trusted
//      keys has verified over its header, and nothing is stored before the payload hash has.
//  (2) A load is all or nothing: the file lands in HOME/packs/<pack_id>.lpk (temporary name,
//      fsync, rename) and then one journal transaction records it in `packs` and raises
//      `exam_versions`. A crash in between leaves an unreferenced file, never a half load.
//  (3) exam_versions.highest never decreases: a pack whose version is not above it is refused
//      (rollback), whatever its signature.
//  (4) Until release no content key is in the vault; the pack on disk stays encrypted, so items
//      are unreadable even to someone holding the vault key.
//  (5) Release failures are journaled and counted; from the 4th on, each one doubles a waiting
//      time (5 s, 10 s, ... up to 15 minutes) during which no attempt is accepted. The count and
//      the time are in the vault, so restarting does not reset them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/exam.hpp"
#include "core/pack/pack_format.hpp"
#include "core/terminal/terminal.hpp"

namespace lontar::pack {

// How far the terminal's clock may be from the pack's validity window: terminals at remote
// sites drift, and a pack valid from 07:00 must load at 06:58.
inline constexpr std::int64_t kClockToleranceMs = 10 * 60 * 1000;

struct LoadResult {
  PackHeader header;
  bool already_loaded = false;  // the same pack was loaded before: nothing was changed
};

// Loads `file` onto the terminal. Refusals, each kUntrusted / kBadSignature / kCorruption /
// kMalformed / kInvalidArgument with what to do, leave the vault unchanged. Touches disk.
[[nodiscard]] Result<LoadResult> LoadPack(terminal::Terminal& terminal,
                                          const std::filesystem::path& file, const Clock& clock);

struct LoadedPack {
  PackHeader header;
  std::filesystem::path file;
  bool released = false;
  // The journal record that last made this pack the session running (0 before release): its
  // release, or a later `session open --pack` that chose it again (SelectPack). Of several
  // released packs, the one with the highest is the session this terminal runs (RunningPack).
  std::uint64_t released_seq = 0;
};

// The released pack this terminal runs: of several (a morning's and an afternoon's, or two
// versions of one exam), the one released or chosen last. nullptr when none is released. Pure.
const LoadedPack* RunningPack(const std::vector<LoadedPack>& packs);

// Every pack loaded on this terminal, newest first. Reads disk.
[[nodiscard]] Result<std::vector<LoadedPack>> ListPacks(terminal::Terminal& terminal);

// Releases the pack `pack_id` (or, when empty, the one loaded pack valid now) with the release
// code. kWrongKey "wrong release code" (journaled, counted), kInvalidArgument "wait N seconds"
// while backing off, kCorruption when an item names an image the pack does not hold (nothing is
// released: a candidate must never see an item without its figure). Idempotent once released.
// Touches disk.
[[nodiscard]] Result<PackHeader> ReleasePack(terminal::Terminal& terminal, std::string_view pack_id,
                                             ByteView release_code, const Clock& clock);

// Makes the released pack `pack_id` the session this terminal runs (it was released before
// another): journals `session.selected` {pack_id, exam_id, was} and raises its released_seq in
// the same transaction. Nothing happens when it already runs. kNotFound when it is not loaded,
// kInvalidArgument when it is not released. The caller checks that no sitting of the pack
// running now is in progress. Touches disk.
[[nodiscard]] Status SelectPack(terminal::Terminal& terminal, std::string_view pack_id);

// Seconds to wait after `failures` consecutive wrong codes (0 for the first three).
std::int64_t ReleaseBackoffSeconds(std::int64_t failures);

// The released content key of `pack_id`; kNotFound before release. Reads disk.
[[nodiscard]] Result<crypto::SecretBytes> ContentKey(terminal::Terminal& terminal,
                                                     std::string_view pack_id);

// Where the terminal keeps the pack `pack_id` (HOME/packs/<pack_id>.lpk): what a MediaReader
// (media_reader.hpp) opens with ContentKey. Pure.
std::filesystem::path StoredPackFile(terminal::Terminal& terminal, std::string_view pack_id);

// The exam and roster of a released pack, decrypted from the stored file as a stream (media are
// skipped, so memory stays small whatever the pack's size). kNotFound before release;
// kCorruption if the stored file no longer decrypts. Reads disk.
[[nodiscard]] Result<model::Exam> ReadReleasedExam(terminal::Terminal& terminal,
                                                   std::string_view pack_id);

// The media files of a released pack ("media/x.png" -> bytes), decrypted from the stored file as
// a stream; each file larger than `max_each` bytes, and any file after `max_total` bytes in all,
// is left out (the kiosk shows a placeholder instead). kNotFound before release; kCorruption if
// the stored file no longer decrypts. Reads disk.
[[nodiscard]] Result<std::map<std::string, Bytes>> ReadReleasedMedia(
    terminal::Terminal& terminal, std::string_view pack_id, std::uint64_t max_each = 8ull << 20,
    std::uint64_t max_total = 256ull << 20);

}  // namespace lontar::pack
