// `lontar terminal init|enrollment|status`: a terminal's identity and health.
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "core/health/health.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/terminal/terminal.hpp"
#include "core/terminal/trust.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

struct TerminalArgs {
  std::filesystem::path home;
  std::string site;
  std::string name;
  std::vector<std::filesystem::path> trust;
  std::filesystem::path out;
  std::filesystem::path pack;
  bool force = false;
  bool json = false;
};

Status Init(const TerminalArgs& args) {
  terminal::InitOptions options;
  options.site = args.site;
  options.name = args.name;
  for (const auto& path : args.trust) {
    LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey key, crypto::ReadSigningPublicKeyFile(path));
    options.trusted.push_back({key, path.filename().string()});
  }
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t,
                          terminal::Terminal::Init(args.home, options, clock));
  if (args.json) {
    nlohmann::ordered_json j;
    j["terminal_id"] = t.id();
    j["site"] = t.site();
    j["name"] = t.name();
    j["home"] = args.home.string();
    j["key_source"] = vault::KeySourceName(t.vault().key_source());
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << t.id() << "\n";
    std::cerr << "terminal " << t.id() << " initialised at " << args.home.string() << " for site "
              << t.site() << " (vault key: "
              << (t.vault().key_source() == vault::KeySource::kCredential
                      ? "systemd credential"
                      : (args.home / "vault.key").string())
              << ")\nnext: lontar terminal enrollment --home " << args.home.string() << " --out "
              << t.id() << ".enroll\n";
  }
  return Ok();
}

Status Enrollment(const TerminalArgs& args) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(args.home, clock));
  std::string record = terminal::WriteEnrollment(t, clock.WallMs());
  LONTAR_TRY(WriteFileAtomic(args.out, AsBytes(record), 0644,
                             args.force ? Overwrite::kReplace : Overwrite::kRefuse));
  std::cerr << "wrote enrollment record of " << t.id() << " to " << args.out.string()
            << "; give it to the exam authority so packs can be built for this terminal\n";
  return Ok();
}

Status Load(const TerminalArgs& args) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(args.home, clock));
  LONTAR_ASSIGN_OR_RETURN(pack::LoadResult r, pack::LoadPack(t, args.pack, clock));
  const auto& h = r.header;
  if (r.already_loaded) {
    std::cout << "already loaded: exam " << h.exam_id << " version " << h.exam_version << " (pack "
              << h.pack_id << "); nothing changed\n";
  } else {
    std::cout << "loaded: exam " << h.exam_id << " version " << h.exam_version << " (pack "
              << h.pack_id << "), valid " << pack::FormatTime(h.valid_from_ms) << " .. "
              << pack::FormatTime(h.valid_until_ms) << "; items stay encrypted until the "
              << "session is released\n";
  }
  return Ok();
}

Status Trust(const TerminalArgs& args) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(args.home, clock));
  LONTAR_ASSIGN_OR_RETURN(Bytes data, ReadFile(args.pack, terminal::kMaxTrustUpdateBytes));
  auto u = terminal::ApplyTrustUpdate(t, data);
  if (!u) return std::unexpected(u.error().WithContext(args.pack.string()));
  std::cout << "applied trust update " << u->sequence << ": " << u->add.size() << " key(s) added, "
            << u->revoke.size() << " revoked\n";
  return Ok();
}

Status PrintStatus(const TerminalArgs& args) {
  LONTAR_ASSIGN_OR_RETURN(health::TerminalStatus s, health::ReadStatus(args.home));
  if (args.json) {
    nlohmann::ordered_json j;
    j["home"] = s.home.string();
    j["terminal_id"] = s.terminal_id;
    j["site"] = s.site;
    j["name"] = s.name;
    j["signing_key_id"] = s.signing_key_id;
    j["box_key_id"] = s.box_key_id;
    nlohmann::ordered_json trusted = nlohmann::ordered_json::array();
    for (const auto& k : s.trusted_keys)
      trusted.push_back({{"key_id", k.key_id}, {"label", k.label}});
    j["trusted_keys"] = trusted;
    j["vault"] = {{"ok", true},
                  {"key_source", s.key_source},
                  {"schema_version", s.schema_version},
                  {"bytes", s.vault_bytes}};
    nlohmann::ordered_json packs = nlohmann::ordered_json::array();
    for (const auto& p : s.packs) {
      packs.push_back({{"pack_id", p.pack_id},
                       {"exam_id", p.exam_id},
                       {"exam_version", p.exam_version},
                       {"valid_from", p.valid_from},
                       {"valid_until", p.valid_until},
                       {"released", p.released},
                       {"running", p.running},
                       {"proctor_code", p.proctor_code}});
    }
    j["packs"] = packs;
    j["journal"] = {{"ok", s.journal_ok},
                    {"records", s.journal_records},
                    {"head_seq", s.head_seq},
                    {"head_hash", s.head_hash},
                    {"last_checkpoint_seq", s.last_checkpoint_seq},
                    {"problem", s.journal_problem}};
    const health::ClockHealth& c = s.clock;
    j["clock"] = {
        {"now", pack::FormatTime(c.now_ms)},
        {"measured", c.measured},
        {"offset_ms", c.measured ? nlohmann::ordered_json(c.offset_ms) : nullptr},
        {"uncertainty_ms", c.measured ? nlohmann::ordered_json(c.uncertainty_ms) : nullptr},
        {"last_sync", c.measured ? pack::FormatTime(c.last_sync_ms) : ""},
        {"against", c.measured ? (c.relay ? "relay" : "server") : ""},
        {"signer_key_id", c.signer_key_id},
        {"off", c.off},
        {"warning", c.advice}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "terminal     " << s.terminal_id << "\n"
              << "site         " << s.site << "\n"
              << "name         " << s.name << "\n"
              << "home         " << s.home.string() << "\n"
              << "keys         signing " << s.signing_key_id << ", box " << s.box_key_id << "\n";
    for (const auto& k : s.trusted_keys) {
      std::cout << "trusts       " << k.key_id << " (" << k.label << ")\n";
    }
    std::cout << "vault        OK, schema " << s.schema_version << ", " << s.vault_bytes
              << " bytes, key from " << s.key_source << "\n";
    for (const auto& p : s.packs) {
      std::cout << "pack         " << p.exam_id << " version " << p.exam_version << " (pack "
                << p.pack_id.substr(0, 8) << ", --pack " << p.exam_id << "@" << p.exam_version
                << "), valid " << p.valid_from << " .. " << p.valid_until
                << (p.running    ? ", released, the session this terminal runs"
                    : p.released ? ", released, not running (another was released or opened "
                                   "after it; lontar session open --pack to run it)"
                                 : ", not released")
                << ", "
                << (p.proctor_code == "yes"  ? "proctor code set"
                    : p.proctor_code == "no" ? "NO proctor code (no session can be opened)"
                    : p.released             ? "proctor code unknown (the pack does not decrypt)"
                                             : "proctor code unknown until released")
                << "\n";
    }
    if (s.packs.empty()) std::cout << "pack         none loaded\n";
    if (s.journal_ok) {
      std::cout << "journal      OK, " << s.journal_records << " records, head " << s.head_seq
                << " " << s.head_hash.substr(0, 16) << ", last signed checkpoint "
                << s.last_checkpoint_seq << "\n";
    } else {
      std::cout << "journal      BROKEN: " << s.journal_problem << "\n";
    }
    const health::ClockHealth& c = s.clock;
    std::cout << "clock        " << pack::FormatTime(c.now_ms) << " here; " << c.summary
              << (c.measured ? " (" + pack::FormatTime(c.last_sync_ms) + ")" : "") << "\n";
    if (c.off) std::cout << "WARNING      " << c.advice << "\n";
  }
  if (!s.journal_ok) {
    return std::unexpected(Error::Corruption("journal verification failed: " + s.journal_problem));
  }
  return Ok();
}

}  // namespace

void RegisterTerminalCommands(CLI::App& app, Runner& runner) {
  auto* terminal = AddCommandGroup(app, "terminal", "create and inspect this exam terminal");
  auto args = std::make_shared<TerminalArgs>();

  auto* init = terminal->add_subcommand(
      "init", "create the terminal: encrypted vault, signing and box keys, trusted authority keys");
  AddHomeOption(*init, args->home);
  init->add_option("--site", args->site, "site code, e.g. KANREG-IV-01")->required();
  init->add_option("--trust", args->trust, "exam authority public key (repeatable)")
      ->required()
      ->check(CLI::ExistingFile);
  init->add_option("--name", args->name, "name shown on the health screen, e.g. 'Ruang 2 / PC 14'");
  AddJsonFlag(*init, args->json);
  runner.RunOnCall(*init, [args] { return Init(*args); });

  auto* enrollment = terminal->add_subcommand(
      "enrollment", "write this terminal's signed public enrollment record for the exam authority");
  AddHomeOption(*enrollment, args->home);
  enrollment->add_option("--out", args->out, "file to write, e.g. T-<terminal id>.enroll")
      ->required();
  enrollment->add_flag("--force", args->force, "replace an existing file");
  runner.RunOnCall(*enrollment, [args] { return Enrollment(*args); });

  auto* load = terminal->add_subcommand(
      "load", "verify an item pack and store it (still encrypted) on this terminal");
  AddHomeOption(*load, args->home);
  load->add_option("pack", args->pack, "pack file (.lpk)")->required();
  runner.RunOnCall(*load, [args] { return Load(*args); });

  auto* trust = terminal->add_subcommand(
      "trust", "apply a trust update signed by a currently trusted authority key");
  AddHomeOption(*trust, args->home);
  trust->add_option("update", args->pack, "trust update file")->required();
  runner.RunOnCall(*trust, [args] { return Trust(*args); });

  auto* status = terminal->add_subcommand(
      "status", "identity, trusted keys, vault health and journal state (exit 1 if unhealthy)");
  AddHomeOption(*status, args->home);
  AddJsonFlag(*status, args->json);
  runner.RunOnCall(*status, [args] { return PrintStatus(*args); });
}

}  // namespace lontar::cli
