#include "core/server/expected_sessions.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/pack/pack_format.hpp"
#include "core/util/fs.hpp"

namespace lontar::server {

Result<std::vector<ExpectedSession>> LoadExpectedSessions(
    const std::filesystem::path& dir, const std::vector<crypto::VerifyKey>& trusted) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<std::filesystem::path> files,
                          ListFilesWithExtension(dir, ".lpk"));
  std::vector<ExpectedSession> out;
  for (const auto& file : files) {
    LONTAR_ASSIGN_OR_RETURN(pack::Envelope envelope, pack::ReadEnvelope(file));
    auto signer = pack::VerifyEnvelope(envelope, trusted);
    if (!signer) {
      std::string signers, keys;
      for (const pack::PackSignature& sig : envelope.signatures) {
        signers += (signers.empty() ? "" : ", ") + sig.key_id.ToString();
      }
      for (const crypto::VerifyKey& k : trusted) {
        keys += (keys.empty() ? "" : ", ") + k.id().ToString();
      }
      return std::unexpected(Error(signer.error().kind(),
                                   file.string() + ": signed by " + signers +
                                       ", not by the authority key given with --trust (" + keys +
                                       "), or its signature does not verify; give the exam "
                                       "authority's public key, or take the file out of --packs"));
    }
    auto h = pack::ParseHeader(envelope.header_json);
    if (!h) return std::unexpected(h.error().WithContext(file.string()));
    ExpectedSession s;
    s.pack_id = h->pack_id;
    s.exam_id = h->exam_id;
    s.title = h->title.id.empty() ? h->title.en : h->title.id;
    s.exam_version = h->exam_version;
    s.valid_from_ms = h->valid_from_ms;
    s.valid_until_ms = h->valid_until_ms;
    s.candidates = h->participants;
    for (const pack::Target& t : h->targets) s.targets.emplace_back(t.site, t.terminal_id);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<SessionRow> CompareSessions(const std::vector<ExpectedSession>& expected,
                                        const std::vector<SessionDelivered>& delivered) {
  std::map<std::pair<std::string, std::string>, SessionRow> rows;  // (site, pack)
  std::map<std::string, std::uint64_t> delivered_per_pack;
  for (const ExpectedSession& s : expected) {
    std::set<std::string> sites;
    for (const auto& [site, terminal] : s.targets) sites.insert(site);
    for (const auto& [site, terminal] : s.targets) {
      SessionRow& r = rows[{site, s.pack_id}];
      r.site = site;
      r.pack_id = s.pack_id;
      r.exam_id = s.exam_id;
      r.title = s.title;
      r.exam_version = s.exam_version;
      r.valid_from_ms = s.valid_from_ms;
      r.valid_until_ms = s.valid_until_ms;
      r.expected = true;
      r.candidates_expected = s.candidates;
      r.pack_sites = sites.size();
      r.terminals_expected.push_back(terminal);
    }
  }
  for (const SessionDelivered& d : delivered) {
    SessionRow& r = rows[{d.site, d.pack_id}];
    r.site = d.site;
    r.pack_id = d.pack_id;
    if (r.exam_id.empty()) r.exam_id = d.exam_id;
    r.bundles += d.bundles;
    r.candidates_delivered += d.participants;
    r.terminals_reporting.insert(r.terminals_reporting.end(), d.terminals.begin(),
                                 d.terminals.end());
    delivered_per_pack[d.pack_id] += d.participants;
  }
  std::vector<SessionRow> out;
  for (auto& [key, r] : rows) {
    std::sort(r.terminals_expected.begin(), r.terminals_expected.end());
    r.terminals_expected.erase(
        std::unique(r.terminals_expected.begin(), r.terminals_expected.end()),
        r.terminals_expected.end());
    std::sort(r.terminals_reporting.begin(), r.terminals_reporting.end());
    r.terminals_reporting.erase(
        std::unique(r.terminals_reporting.begin(), r.terminals_reporting.end()),
        r.terminals_reporting.end());
    std::set_difference(r.terminals_expected.begin(), r.terminals_expected.end(),
                        r.terminals_reporting.begin(), r.terminals_reporting.end(),
                        std::back_inserter(r.terminals_silent));
    r.candidates_delivered_all_sites = delivered_per_pack[r.pack_id];
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const SessionRow& a, const SessionRow& b) {
    if (a.site != b.site) return a.site < b.site;
    if (a.valid_from_ms != b.valid_from_ms) return a.valid_from_ms < b.valid_from_ms;
    return a.pack_id < b.pack_id;
  });
  return out;
}

}  // namespace lontar::server
