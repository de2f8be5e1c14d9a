#include "core/health/health.hpp"

#include "core/pack/terminal_packs.hpp"
#include "core/sync/clock_offset.hpp"
#include "core/terminal/terminal.hpp"

namespace lontar::health {

Result<ClockHealth> ReadClockHealth(vault::Vault& vault, const Clock& clock) {
  ClockHealth c;
  c.now_ms = clock.WallMs();
  LONTAR_ASSIGN_OR_RETURN(std::optional<sync::ClockOffset> r, sync::ReadClockOffset(vault));
  if (!r) {
    c.summary =
        "not measured yet: `lontar sync` reads the server's signed time when it delivers results";
    return c;
  }
  c.measured = true;
  c.offset_ms = r->offset_ms;
  c.uncertainty_ms = r->uncertainty_ms;
  c.last_sync_ms = r->measured_ms;
  c.relay = r->relay;
  c.signer_key_id = r->signer_key_id;
  c.off = r->Off();
  c.summary = sync::DescribeClockOffset(r->offset_ms) + " the " +
              (r->relay ? "site relay's" : "collection server's") + " (within " +
              std::to_string(r->uncertainty_ms) + " ms), at the last sync";
  c.advice = sync::ClockAdvice(*r);
  return c;
}

Result<TerminalStatus> ReadStatus(const std::filesystem::path& home) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(home, clock));
  TerminalStatus s;
  s.home = home;
  s.terminal_id = t.id();
  s.site = t.site();
  s.name = t.name();
  s.signing_key_id = t.signing_key().id().ToString();
  s.box_key_id = t.box_key().public_key().id().ToString();
  LONTAR_ASSIGN_OR_RETURN(std::vector<terminal::TrustedKey> trusted, t.TrustedKeys());
  for (const terminal::TrustedKey& k : trusted)
    s.trusted_keys.push_back({k.key.id().ToString(), k.label});
  s.key_source = std::string(vault::KeySourceName(t.vault().key_source()));
  s.schema_version = t.vault().schema_version();
  std::error_code ec;
  for (const char* f : {"vault.db", "vault.db-wal"}) {
    auto size = std::filesystem::file_size(home / f, ec);
    if (!ec) s.vault_bytes += size;
  }
  LONTAR_ASSIGN_OR_RETURN(std::vector<pack::LoadedPack> packs, pack::ListPacks(t));
  const pack::LoadedPack* running = pack::RunningPack(packs);
  for (const pack::LoadedPack& p : packs) {
    const pack::PackHeader& h = p.header;
    s.packs.push_back({h.pack_id, h.exam_id, h.exam_version, h.title.id, h.title.en,
                       pack::FormatTime(h.valid_from_ms), pack::FormatTime(h.valid_until_ms),
                       p.released, std::string(pack::ProctorCodeState(h))});
    s.packs.back().running = &p == running;
    // Packs built before headers recorded it: once released, the exam inside tells. A pack
    // that no longer decrypts stays "unknown" here; releasing and opening report that.
    if (!h.proctor_code.has_value() && p.released) {
      if (auto exam = pack::ReadReleasedExam(t, h.pack_id)) {
        s.packs.back().proctor_code = exam->proctor_code_hash.empty() ? "no" : "yes";
      }
    }
  }
  LONTAR_ASSIGN_OR_RETURN(journal::VerifyReport report,
                          journal::VerifyJournal(t.vault(), t.signing_key().public_key()));
  s.journal_records = report.records;
  s.head_seq = report.head.seq;
  s.head_hash = HexEncode(report.head.hash);
  s.last_checkpoint_seq = report.last_checkpoint_seq;
  s.journal_ok = report.ok;
  s.journal_problem = report.problem;
  LONTAR_ASSIGN_OR_RETURN(s.clock, ReadClockHealth(t.vault(), clock));
  return s;
}

}  // namespace lontar::health
