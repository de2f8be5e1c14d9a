// What the collection server expects: the sessions (packs) it should hear from, read from the
// packs' signed headers, and how far each site has got with each of them.
//
// A pack's header is public and signed by the exam authority: it names the exam, the version,
// the validity window, the target terminals with their sites, and the number of candidates on the
// roster. The server reads only that (ReadEnvelope, then the signature against the trusted
// authority keys, then ParseHeader); it never needs to open a pack. The roster itself is inside
// the encrypted payload, so candidates are expected per pack, not per site: a pack for three
// sites expects its whole roster across the three.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/crypto/sign.hpp"
#include "core/util/error.hpp"

namespace lontar::server {

struct ExpectedSession {
  std::string pack_id, exam_id, title;
  std::uint64_t exam_version = 0;
  std::int64_t valid_from_ms = 0, valid_until_ms = 0;
  std::uint64_t candidates = 0;                              // on the pack's roster
  std::vector<std::pair<std::string, std::string>> targets;  // (site, terminal id)
};

// Every *.lpk in `dir`. Any pack not signed by a key in `trusted`, or with a bad header, is an
// error naming the file (the operator gave the wrong directory or key). Reads disk (headers only).
[[nodiscard]] Result<std::vector<ExpectedSession>> LoadExpectedSessions(
    const std::filesystem::path& dir, const std::vector<crypto::VerifyKey>& trusted);

// What arrived for one pack at one site (from the store).
struct SessionDelivered {
  std::string site, pack_id, exam_id;
  std::uint64_t bundles = 0;
  std::uint64_t participants = 0;      // distinct
  std::vector<std::string> terminals;  // that sent at least one bundle, sorted
};

// One row of the status page: a (site, pack) pair that is expected, delivered, or both.
struct SessionRow {
  std::string site, pack_id, exam_id, title;
  std::uint64_t exam_version = 0;
  std::int64_t valid_from_ms = 0, valid_until_ms = 0;
  bool expected = false;                        // a known pack targets this site
  std::vector<std::string> terminals_expected;  // sorted
  std::vector<std::string> terminals_reporting;
  std::vector<std::string> terminals_silent;  // expected, nothing received yet
  std::uint64_t candidates_expected = 0;      // the pack's roster (all its sites)
  std::size_t pack_sites = 0;                 // sites the pack targets
  std::uint64_t candidates_delivered = 0;     // at this site
  std::uint64_t candidates_delivered_all_sites = 0;
  std::uint64_t bundles = 0;
};

// Joins expectations and deliveries; rows sorted by site, then valid_from, then pack id. Pure.
std::vector<SessionRow> CompareSessions(const std::vector<ExpectedSession>& expected,
                                        const std::vector<SessionDelivered>& delivered);

}  // namespace lontar::server
