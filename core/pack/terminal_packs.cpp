#include "core/pack/terminal_packs.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

#include "core/pack/archive.hpp"
#include "core/pack/key_wrap.hpp"
#include "core/pack/payload_reader.hpp"
#include "core/util/fs.hpp"

namespace lontar::pack {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kFailuresMeta[] = "release_failures";
constexpr char kBlockedUntilMeta[] = "release_blocked_until_ms";

std::string Minutes(std::int64_t ms) { return std::to_string(ms / 60000) + " minutes"; }

Status CheckTarget(terminal::Terminal& t, const PackHeader& h) {
  const auto it = std::find_if(h.targets.begin(), h.targets.end(),
                               [&](const Target& x) { return x.terminal_id == t.id(); });
  if (it == h.targets.end()) {
    std::string sites;
    for (const Target& x : h.targets) {
      if (sites.find(x.site) == std::string::npos) sites += (sites.empty() ? "" : ", ") + x.site;
    }
    return std::unexpected(
        Error::InvalidArgument("this pack is not meant for this terminal: it was built for " +
                               std::to_string(h.targets.size()) + " other terminal(s) at site(s) " +
                               sites + ", not " + t.id() + " at " + t.site() +
                               ". Give this terminal's enrollment record to the exam "
                               "authority and load the pack they build for it"));
  }
  if (it->site != t.site()) {
    return std::unexpected(
        Error::InvalidArgument("this pack was built for " + t.id() + " at site " + it->site +
                               ", but this terminal is "
                               "enrolled at site " +
                               t.site() + ". Ask the exam authority for a pack for this site"));
  }
  if (it->box_key_id != t.box_key().public_key().id()) {
    return std::unexpected(
        Error::InvalidArgument("this pack was built for an earlier enrollment of " + t.id() +
                               " (box key " + it->box_key_id.ToString() + ", this terminal has " +
                               t.box_key().public_key().id().ToString() +
                               "). Send the current enrollment record to the exam authority"));
  }
  return Ok();
}

Status CheckValidity(const PackHeader& h, std::int64_t now) {
  if (now + kClockToleranceMs < h.valid_from_ms) {
    return std::unexpected(Error::InvalidArgument(
        "this pack is not valid yet: valid from " + FormatTime(h.valid_from_ms) +
        ", the terminal's clock says " + FormatTime(now) + " (tolerance " +
        Minutes(kClockToleranceMs) + "). Check the terminal's clock, or load it later"));
  }
  if (now - kClockToleranceMs > h.valid_until_ms) {
    return std::unexpected(Error::InvalidArgument(
        "this pack has expired: valid until " + FormatTime(h.valid_until_ms) +
        ", the terminal's clock says " + FormatTime(now) + " (tolerance " +
        Minutes(kClockToleranceMs) + "). Ask the exam authority for a current pack"));
  }
  return Ok();
}

Result<std::optional<std::int64_t>> MetaInt(vault::Vault& v, const char* name) {
  LONTAR_ASSIGN_OR_RETURN(auto text, v.GetMeta(name));
  if (!text) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  std::from_chars(text->data(), text->data() + text->size(), value);
  return std::optional<std::int64_t>(value);
}

}  // namespace

std::int64_t ReleaseBackoffSeconds(std::int64_t failures) {
  if (failures <= 3) return 0;
  const std::int64_t seconds = std::int64_t{5} << std::min<std::int64_t>(failures - 4, 20);
  return std::min<std::int64_t>(seconds, 15 * 60);
}

Result<LoadResult> LoadPack(terminal::Terminal& t, const std::filesystem::path& file,
                            const Clock& clock) {
  auto with_file = [&](Error e) { return std::unexpected(e.WithContext(file.string())); };
  LONTAR_ASSIGN_OR_RETURN(std::vector<terminal::TrustedKey> trusted_keys, t.TrustedKeys());
  std::vector<crypto::VerifyKey> trusted;
  for (const auto& k : trusted_keys) trusted.push_back(k.key);

  LONTAR_ASSIGN_OR_RETURN(Envelope envelope, ReadEnvelope(file));
  auto signer = VerifyEnvelope(envelope, trusted);
  if (!signer) return with_file(signer.error());
  auto parsed = ParseHeader(envelope.header_json);
  if (!parsed) return with_file(parsed.error());
  PackHeader& h = *parsed;
  if (auto st = CheckTarget(t, h); !st) return with_file(st.error());
  if (auto st = CheckValidity(h, clock.WallMs()); !st) return with_file(st.error());

  vault::Vault& v = t.vault();
  LONTAR_ASSIGN_OR_RETURN(vault::Statement known,
                          v.db().Prepare("SELECT 1 FROM packs WHERE pack_id = ?"));
  known.Bind(1, h.pack_id);
  LONTAR_ASSIGN_OR_RETURN(bool already, known.Step());
  if (already) return LoadResult{h, true};
  LONTAR_ASSIGN_OR_RETURN(vault::Statement highest,
                          v.db().Prepare("SELECT highest FROM exam_versions WHERE exam_id = ?"));
  highest.Bind(1, h.exam_id);
  LONTAR_ASSIGN_OR_RETURN(bool has_highest, highest.Step());
  if (has_highest && h.exam_version <= static_cast<std::uint64_t>(highest.ColumnInt(0))) {
    return with_file(Error::InvalidArgument(
        "version " + std::to_string(h.exam_version) + " of exam " + h.exam_id +
        " is not newer than version " + std::to_string(highest.ColumnInt(0)) +
        ", already loaded on this terminal: an old pack is never loaded again. Load the newest "
        "pack from the exam authority"));
  }

  const std::filesystem::path dir = t.vault().home() / "packs";
  LONTAR_TRY(EnsureDir(dir, 0700));
  const std::filesystem::path stored = dir / (h.pack_id + ".lpk");
  LONTAR_ASSIGN_OR_RETURN(TempFile copy, TempFile::Beside(stored));
  LONTAR_TRY(VerifyPayload(file, envelope, h, &copy));
  // A file left by an earlier load that crashed before journaling is simply replaced.
  LONTAR_TRY(copy.Publish(0600, Overwrite::kReplace));

  Json payload = {{"pack_id", h.pack_id},
                  {"exam_id", h.exam_id},
                  {"exam_version", h.exam_version},
                  {"signer", signer->ToString()},
                  {"payload_hash", HexEncode(h.payload_hash)}};
  const std::uint64_t seq = t.journal().head().seq + 1;
  const journal::Event event{"pack.loaded", payload.dump()};
  auto record = [&]() -> Status {
    LONTAR_ASSIGN_OR_RETURN(
        vault::Statement ins,
        v.db().Prepare("INSERT INTO packs(pack_id, exam_id, exam_version, header, file, "
                       "loaded_seq) VALUES (?, ?, ?, ?, ?, ?)"));
    ins.Bind(1, h.pack_id)
        .Bind(2, h.exam_id)
        .Bind(3, static_cast<std::int64_t>(h.exam_version))
        .Bind(4, envelope.header_json)
        .Bind(5, stored.filename().string())
        .Bind(6, static_cast<std::int64_t>(seq));
    LONTAR_TRY(ins.Run());
    LONTAR_ASSIGN_OR_RETURN(
        vault::Statement up,
        v.db().Prepare("INSERT OR REPLACE INTO exam_versions(exam_id, highest) VALUES (?, ?)"));
    up.Bind(1, h.exam_id).Bind(2, static_cast<std::int64_t>(h.exam_version));
    return up.Run();
  };
  LONTAR_TRY(t.journal().Append(std::span<const journal::Event>(&event, 1), record));
  return LoadResult{h, false};
}

Result<std::vector<LoadedPack>> ListPacks(terminal::Terminal& t) {
  LONTAR_ASSIGN_OR_RETURN(
      vault::Statement s,
      t.vault().db().Prepare(
          "SELECT p.header, p.file, COALESCE(r.released_seq, 0) FROM packs p LEFT JOIN "
          "released_keys r "
          "ON r.pack_id = p.pack_id ORDER BY p.loaded_seq DESC"));
  std::vector<LoadedPack> out;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    // Stored headers were verified at load; a damaged row here means a damaged vault.
    auto h = ParseHeader(s.ColumnText(0));
    if (!h) return std::unexpected(Error::Corruption("a stored pack header is damaged"));
    const auto released_seq = static_cast<std::uint64_t>(s.ColumnInt(2));
    out.push_back({std::move(*h), t.vault().home() / "packs" / s.ColumnText(1), released_seq != 0,
                   released_seq});
  }
  return out;
}

const LoadedPack* RunningPack(const std::vector<LoadedPack>& packs) {
  const LoadedPack* running = nullptr;
  for (const LoadedPack& p : packs) {
    if (p.released && (!running || p.released_seq > running->released_seq)) running = &p;
  }
  return running;
}

Status SelectPack(terminal::Terminal& t, std::string_view pack_id) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<LoadedPack> packs, ListPacks(t));
  const auto chosen = std::find_if(
      packs.begin(), packs.end(), [&](const LoadedPack& p) { return p.header.pack_id == pack_id; });
  if (chosen == packs.end()) {
    return std::unexpected(
        Error::NotFound("no pack " + std::string(pack_id) + " is loaded on this terminal"));
  }
  if (!chosen->released) {
    return std::unexpected(
        Error::InvalidArgument("pack " + std::string(pack_id) +
                               " is not released: release it first (lontar session release)"));
  }
  const LoadedPack* running = RunningPack(packs);
  if (running == &*chosen) return Ok();
  const journal::Event event{"session.selected", Json{{"pack_id", chosen->header.pack_id},
                                                      {"exam_id", chosen->header.exam_id},
                                                      {"was", running->header.pack_id}}
                                                     .dump()};
  // The new record's seq goes into released_keys in the same transaction, so the append must
  // land right after the head read here: another process's record in between is a conflict,
  // and the head it leaves is read again.
  for (int attempt = 1;; ++attempt) {
    const std::uint64_t seq = t.journal().head().seq + 1;
    auto head = t.journal().Append(
        std::span<const journal::Event>(&event, 1),
        [&]() -> Status {
          LONTAR_ASSIGN_OR_RETURN(
              vault::Statement up,
              t.vault().db().Prepare(
                  "UPDATE released_keys SET released_seq = ? WHERE pack_id = ?"));
          up.Bind(1, static_cast<std::int64_t>(seq)).Bind(2, chosen->header.pack_id);
          return up.Run();
        },
        journal::Journal::Mode::kIfUnchanged);
    if (head) return Ok();
    if (head.error().kind() != ErrorKind::kConflict || attempt == 5) {
      return std::unexpected(head.error());
    }
  }
}

Result<crypto::SecretBytes> ContentKey(terminal::Terminal& t, std::string_view pack_id) {
  LONTAR_ASSIGN_OR_RETURN(
      vault::Statement s,
      t.vault().db().Prepare("SELECT content_key FROM released_keys WHERE pack_id = ?"));
  s.Bind(1, pack_id);
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return std::unexpected(Error::NotFound("pack " + std::string(pack_id) + " is not released"));
  }
  return crypto::SecretBytes::CopyOf(s.ColumnBlobView(0));
}

Result<PackHeader> ReleasePack(terminal::Terminal& t, std::string_view pack_id,
                               ByteView release_code, const Clock& clock) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<LoadedPack> packs, ListPacks(t));
  const std::int64_t now = clock.WallMs();
  std::vector<const LoadedPack*> candidates;
  for (const LoadedPack& p : packs) {
    if (!pack_id.empty() ? p.header.pack_id == pack_id : CheckValidity(p.header, now).has_value()) {
      candidates.push_back(&p);
    }
  }
  if (candidates.empty()) {
    return std::unexpected(Error::NotFound(
        pack_id.empty() ? "no loaded pack is valid now: load the session's pack first (lontar "
                          "terminal load), and check the terminal's clock"
                        : "no pack " + std::string(pack_id) + " is loaded on this terminal"));
  }
  if (candidates.size() > 1) {
    return std::unexpected(Error::InvalidArgument(
        "more than one loaded pack is valid now; name the one to release with --pack (see "
        "`lontar terminal status`)"));
  }
  const LoadedPack& pack = *candidates.front();
  if (pack.released) return pack.header;

  vault::Vault& v = t.vault();
  LONTAR_ASSIGN_OR_RETURN(auto failures_opt, MetaInt(v, kFailuresMeta));
  LONTAR_ASSIGN_OR_RETURN(auto blocked_opt, MetaInt(v, kBlockedUntilMeta));
  const std::int64_t failures = failures_opt.value_or(0);
  if (blocked_opt && now < *blocked_opt) {
    return std::unexpected(Error::InvalidArgument(
        "too many wrong release codes: wait " + std::to_string((*blocked_opt - now + 999) / 1000) +
        " seconds before trying again, and check the code with the session coordinator"));
  }
  const auto target = std::find_if(pack.header.targets.begin(), pack.header.targets.end(),
                                   [&](const Target& x) { return x.terminal_id == t.id(); });
  if (target == pack.header.targets.end()) {  // loaded before this terminal was re-keyed
    return std::unexpected(
        Error::InvalidArgument("pack " + pack.header.pack_id + " has no key slot for " + t.id()));
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code_key,
                          DeriveCodeKey(release_code, pack.header.kdf_salt, pack.header.kdf));
  auto key = UnwrapContentKey(target->slot, t.box_key(), code_key, pack.header.pack_id);
  if (!key && key.error().kind() == ErrorKind::kWrongKey) {
    const std::int64_t count = failures + 1;
    const std::int64_t wait = ReleaseBackoffSeconds(count);
    const journal::Event event{"session.release_failed",
                               Json{{"pack_id", pack.header.pack_id}, {"failures", count}}.dump()};
    LONTAR_TRY(t.journal().Append(std::span<const journal::Event>(&event, 1), [&]() -> Status {
      LONTAR_TRY(v.SetMeta(kFailuresMeta, std::to_string(count)));
      return v.SetMeta(kBlockedUntilMeta, std::to_string(now + wait * 1000));
    }));
    return std::unexpected(Error::WrongKey(
        "wrong release code (" + std::to_string(count) + " wrong in a row" +
        (wait > 0 ? "; the next attempt is possible in " + std::to_string(wait) + " seconds" : "") +
        "). Check the code with the session coordinator"));
  }
  if (!key) return std::unexpected(key.error());
  // The payload verified against the signed hash at load; what it must also hold is every image
  // its items name (a pack from an older or another builder may not), checked before release.
  LONTAR_TRY(CheckPackMedia(pack.file, *key));
  const journal::Event event{
      "session.released",
      Json{{"pack_id", pack.header.pack_id}, {"exam_id", pack.header.exam_id}}.dump()};
  const std::uint64_t seq = t.journal().head().seq + 1;
  LONTAR_TRY(t.journal().Append(std::span<const journal::Event>(&event, 1), [&]() -> Status {
    LONTAR_ASSIGN_OR_RETURN(
        vault::Statement ins,
        v.db().Prepare(
            "INSERT INTO released_keys(pack_id, content_key, released_seq) VALUES (?, ?, ?)"));
    ins.Bind(1, pack.header.pack_id)
        .BindBlob(2, key->view())
        .Bind(3, static_cast<std::int64_t>(seq));
    LONTAR_TRY(ins.Run());
    LONTAR_TRY(v.SetMeta(kFailuresMeta, "0"));
    return v.SetMeta(kBlockedUntilMeta, "0");
  }));
  return pack.header;
}

namespace {

// Decrypts the released pack's payload as a stream through `parser`. Reads disk.
Status StreamReleased(terminal::Terminal& t, std::string_view pack_id, ArchiveParser& parser) {
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes key, ContentKey(t, pack_id));
  return DecryptPayload(t.vault().home() / "packs" / (std::string(pack_id) + ".lpk"), key, parser);
}

}  // namespace

std::filesystem::path StoredPackFile(terminal::Terminal& t, std::string_view pack_id) {
  return t.vault().home() / "packs" / (std::string(pack_id) + ".lpk");
}

Result<model::Exam> ReadReleasedExam(terminal::Terminal& t, std::string_view pack_id) {
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes key, ContentKey(t, pack_id));
  return ReadPackExam(t.vault().home() / "packs" / (std::string(pack_id) + ".lpk"), key);
}

Result<std::map<std::string, Bytes>> ReadReleasedMedia(terminal::Terminal& t,
                                                       std::string_view pack_id,
                                                       std::uint64_t max_each,
                                                       std::uint64_t max_total) {
  std::map<std::string, Bytes> media;
  std::uint64_t total = 0;
  ArchiveParser parser(
      [&](const std::string& name, std::uint64_t size) {
        if (!name.starts_with("media/") || size > max_each || total + size > max_total) {
          return false;
        }
        total += size;
        return true;
      },
      [&](const std::string& name, Bytes data) { media[name] = std::move(data); }, max_each);
  LONTAR_TRY(StreamReleased(t, pack_id, parser));
  return media;
}

}  // namespace lontar::pack
