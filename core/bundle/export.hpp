// Exporting a terminal's outbox to a directory, normally a USB stick, for a coordinator to carry
// to a machine with a link.
//
// Layout on the stick:
//   TO/lontar-bundles/<terminal id>/<seq, 6 digits>-<receipt code>.lrb
//                                    (e.g. 000012-7KQ2-M9XD-4RZN.lrb)
//   TO/lontar-bundles/<terminal id>/manifest.json
//   TO/lontar-bundles/<terminal id>/manifest.json.minisig
//   TO/lontar-bundles/<terminal id>/terminal.pub
// so several terminals can share one stick, and a person can match a candidate's receipt slip
// to a file by eye.
//
// manifest.json is a SignedEnvelope (core/format/signed_envelope.hpp), format
// "lontar-bundle-manifest", version 1, signed by the terminal's key. Body (JSON object):
//   terminal_id, site
//   bundles: [{file, seq, bundle_id (hex), receipt_code, participant, exam_id, kind, bytes}]
//            every bundle in the terminal's outbox, in seq order, delivered ones too: the
//            manifest is the terminal's complete list, so whoever imports the stick can tell a
//            missing file (listed, absent) from a bundle never made (a gap in seq).
//
// Invariants:
//  (1) Every bundle file is verified with the terminal's key before it is copied (a damaged
//      outbox file is reported, not exported).
//  (2) Each file is written under a temporary name in the same directory, fsync'd, renamed, and
//      the directory fsync'd; then its pages are dropped from the page cache
//      (POSIX_FADV_DONTNEED) and it is read back from the device and compared byte for byte and
//      verified again. A stick that lies about what it stored is caught here, not at the server.
//  (3) Idempotent: a file already on the stick with the right bytes is left alone; a file with
//      wrong bytes (a damaged earlier copy) is replaced; temporary files left by an interrupted
//      export are removed. The manifest is rewritten only when its content changes (Ed25519
//      signatures are deterministic, so an unchanged manifest is byte-identical).
//  (4) The manifest is written last, after every file it lists is on the stick.
//  (5) Beside it, for people who check with the stock `minisign` tool: manifest.json.minisig,
//      minisign's prehashed signature of manifest.json by the terminal's key (trusted comment
//      "lontar bundle manifest terminal <id> site <site> bundles <n>"), written right after the
//      manifest, and terminal.pub, the terminal's public key in minisign's format (its key id is
//      the terminal id's 16 digits). `minisign -V -p terminal.pub -m manifest.json` then checks
//      the manifest is intact; that the key is the enrolled terminal's is what `lontar bundles
//      verify` checks against the enrollment records. A stick pulled between the manifest and
//      its .minisig has a signature that does not match: export again.
// File modes are not set: USB sticks are usually FAT, where chmod fails.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/bundle/outbox.hpp"

namespace lontar::bundle {

inline constexpr char kManifestFormat[] = "lontar-bundle-manifest";
inline constexpr int kManifestVersion = 1;
inline constexpr char kExportDir[] = "lontar-bundles";  // TO/kExportDir/<terminal id>
inline constexpr char kManifestName[] = "manifest.json";
inline constexpr char kManifestSignatureName[] = "manifest.json.minisig";
inline constexpr char kTerminalPubName[] = "terminal.pub";
inline constexpr std::size_t kMaxManifestBytes = 16 << 20;

struct ExportProgress {
  std::size_t done = 0;  // bundles handled so far
  std::size_t total = 0;
  std::uint64_t bytes_written = 0;
};

struct ExportReport {
  std::filesystem::path dir;  // TO/lontar-bundles/<terminal id>
  std::size_t total = 0;      // bundles in the outbox (all now on the stick)
  std::size_t written = 0;    // copied this time
  std::size_t already = 0;    // were on the stick with the right bytes
  std::size_t replaced = 0;   // were on the stick with wrong bytes, now right (in `written`)
  std::uint64_t bytes_written = 0;
  bool manifest_written = false;
};

// The file name of a bundle on the stick. Pure.
std::string ExportFileName(const OutboxEntry& entry);

// Copies every outbox bundle to `to` per the invariants above and writes the manifest.
// `progress`, if given, is called after each bundle. Errors: the outbox's (a damaged or missing
// outbox file, naming it), the stick's (kDiskFull, kReadOnly, kIo naming the file), and kIo
// when a file read back differs from what was written. Bundles copied before an error stay and
// are verified; a re-run continues. Touches disk.
[[nodiscard]] Result<ExportReport> ExportOutbox(
    terminal::Terminal& terminal, const std::filesystem::path& to,
    const std::function<void(const ExportProgress&)>& progress = {});

// Reads and verifies a manifest written by ExportOutbox; returns its body (JSON text) and the
// signer. Errors as ReadSignedEnvelope, prefixed with the path. Reads disk.
struct Manifest {
  crypto::VerifyKey signer;
  std::string body;
};
[[nodiscard]] Result<Manifest> ReadManifest(const std::filesystem::path& path);

// What is in one terminal's directory on a stick, checked against its manifest: for the
// coordinator's laptop and the import side.
struct ExportCheck {
  std::string terminal_id;
  std::size_t listed = 0;                   // bundles the manifest lists
  std::vector<std::filesystem::path> good;  // listed, present, verified, matching the listing
  std::vector<std::string> missing;         // listed files that are absent
  std::vector<std::string> bad;             // "FILE: why" for listed files that fail
  std::vector<std::string> unlisted;        // .lrb files the manifest does not list
  std::vector<std::uint64_t> gaps;          // bundle numbers absent from 1..highest
  bool ok() const { return missing.empty() && bad.empty() && unlisted.empty() && gaps.empty(); }
};

// Checks TO/lontar-bundles/<terminal id> as written by ExportOutbox: the manifest's signature,
// that its signer is one of `terminals` and names itself, then every listed file. Problems with
// individual files are reported in the result; errors are for a manifest that is missing,
// unsigned or signed by an unknown terminal (kNotFound, kBadSignature, kUntrusted) or
// malformed. Reads disk.
[[nodiscard]] Result<ExportCheck> CheckExport(const std::filesystem::path& terminal_dir,
                                              std::span<const crypto::VerifyKey> terminals);

// The terminal directories that a stick (or a copy of one) holds: `dir` itself if it holds a
// manifest, else each directory of DIR/lontar-bundles (or, without one, of DIR) that holds one,
// in name order. Empty when there are none or `dir` cannot be read. Reads disk.
std::vector<std::filesystem::path> ExportedTerminalDirs(const std::filesystem::path& dir);

}  // namespace lontar::bundle
