// `lontar pack build|inspect|verify` and `lontar roster hash-pin`: the exam authority's side.
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "core/authoring/source.hpp"
#include "core/authoring/synth.hpp"
#include "core/crypto/key_file.hpp"
#include "core/pack/build.hpp"
#include "core/util/clock.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

struct PackArgs {
  std::filesystem::path source, key, release_code_file, proctor_code_file, results_pub, out, file,
      trust;
  std::vector<std::filesystem::path> targets;
  std::uint64_t version = 0;
  std::string valid_from, valid_until, kdf = "release", pin;
  authoring::SynthOptions synth;
  std::uint64_t media_mb = 0;
  bool no_proctor_code = false;
  bool json = false;
};

void ProgressBar(std::uint64_t done, std::uint64_t total) {
  if (!::isatty(2) || total == 0) return;
  const int width = 40;
  const int filled = static_cast<int>(width * done / total);
  std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
            << (100 * done / total) << "% " << (done >> 20) << "/" << (total >> 20) << " MiB"
            << std::flush;
  if (done >= total) std::cerr << "\n";
}

Json HeaderJson(const pack::PackHeader& h, const pack::Envelope& e) {
  Json j;
  j["pack_id"] = h.pack_id;
  j["exam_id"] = h.exam_id;
  j["exam_version"] = h.exam_version;
  j["title"] = {{"id", h.title.id}, {"en", h.title.en}};
  j["valid_from"] = pack::FormatTime(h.valid_from_ms);
  j["valid_until"] = pack::FormatTime(h.valid_until_ms);
  j["created"] = pack::FormatTime(h.created_ms);
  Json signers = Json::array();
  for (const auto& s : e.signatures) signers.push_back(s.key_id.ToString());
  j["signers"] = signers;
  Json targets = Json::array();
  for (const auto& t : h.targets) {
    targets.push_back({{"terminal_id", t.terminal_id},
                       {"site", t.site},
                       {"box_key_id", t.box_key_id.ToString()}});
  }
  j["targets"] = targets;
  j["results_key_id"] = h.results_key.id().ToString();
  j["release_kdf"] = {{"opslimit", h.kdf.opslimit}, {"memlimit", h.kdf.memlimit}};
  j["proctor_code"] = pack::ProctorCodeState(h);
  j["payload"] = {{"bytes", h.payload_bytes},
                  {"hash", HexEncode(h.payload_hash)},
                  {"items", h.items},
                  {"media_bytes", h.media_bytes},
                  {"participants", h.participants}};
  return j;
}

std::string ProctorCodeLine(const std::string& state) {
  if (state == "yes") return "code set: session open, pause, add time and unlock need it";
  if (state == "no") {
    return "NO code (built with --no-proctor-code): the session cannot be opened and no proctor "
           "action is possible at the terminal";
  }
  return "unknown: the pack was built before packs recorded it (`lontar session open` tells)";
}

void PrintHeader(const Json& j) {
  std::cout << "exam        " << j["exam_id"].get<std::string>() << " version " << j["exam_version"]
            << "\n"
            << "title       " << j["title"]["id"].get<std::string>() << " / "
            << j["title"]["en"].get<std::string>() << "\n"
            << "pack        " << j["pack_id"].get<std::string>() << "\n"
            << "valid       " << j["valid_from"].get<std::string>() << " .. "
            << j["valid_until"].get<std::string>() << "\n"
            << "signed by   " << j["signers"].dump() << "\n"
            << "results key " << j["results_key_id"].get<std::string>() << "\n"
            << "proctor     " << ProctorCodeLine(j["proctor_code"].get<std::string>()) << "\n"
            << "release kdf Argon2id, " << (j["release_kdf"]["memlimit"].get<std::uint64_t>() >> 20)
            << " MiB, " << j["release_kdf"]["opslimit"] << " passes\n"
            << "payload     " << j["payload"]["bytes"] << " bytes, " << j["payload"]["items"]
            << " items, " << j["payload"]["participants"] << " participants, "
            << j["payload"]["media_bytes"] << " bytes of media\n";
  for (const auto& t : j["targets"]) {
    std::cout << "target      " << t["terminal_id"].get<std::string>() << " at "
              << t["site"].get<std::string>() << "\n";
  }
}

Status Build(const PackArgs& a) {
  // A pack without a proctor code loads and releases, and only `session open` at the site says
  // that no proctor action is possible: so the authority must say which it means, here.
  if (a.proctor_code_file.empty() && !a.no_proctor_code) {
    return std::unexpected(Error::InvalidArgument(
        "no proctor code given: add --proctor-code-file FILE (the code a proctor types to open "
        "the session, pause, add time and unlock), or --no-proctor-code for a pack that is only "
        "loaded and released, never sat; nothing was built"));
  }
  auto source = authoring::LoadSource(a.source);
  if (!source) {
    for (const auto& d : source.error()) std::cerr << d.ToString() << "\n";
    return std::unexpected(Error::InvalidArgument(std::to_string(source.error().size()) +
                                                  " problem(s) in " + a.source.string() +
                                                  "; nothing was built"));
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::ReadSigningSecretKeyFile(a.key));
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code, ReadCodeFile(a.release_code_file));
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxPublicKey results,
                          crypto::ReadBoxPublicKeyFile(a.results_pub));
  pack::BuildOptions o;
  o.authority = &key;
  o.version = a.version;
  LONTAR_ASSIGN_OR_RETURN(o.valid_from_ms, pack::ParseTime(a.valid_from));
  LONTAR_ASSIGN_OR_RETURN(o.valid_until_ms, pack::ParseTime(a.valid_until));
  o.now_ms = SystemClock().WallMs();
  for (const auto& path : a.targets) {
    LONTAR_ASSIGN_OR_RETURN(terminal::Enrollment e, terminal::ReadEnrollmentFile(path));
    o.targets.push_back(std::move(e));
  }
  o.release_code = &code;
  std::optional<crypto::SecretBytes> proctor;
  if (!a.proctor_code_file.empty()) {
    LONTAR_ASSIGN_OR_RETURN(proctor, ReadCodeFile(a.proctor_code_file));
    o.proctor_code = &*proctor;
  }
  o.results_key = results;
  // As --help says: "release" (the default) is the release-code preset, not Interactive's.
  o.kdf = a.kdf == "moderate"      ? crypto::Argon2Params::Moderate()
          : a.kdf == "interactive" ? crypto::Argon2Params::Interactive()
                                   : crypto::Argon2Params::ReleaseCode();
  o.out = a.out;
  o.progress = ProgressBar;
  LONTAR_ASSIGN_OR_RETURN(pack::PackHeader h, pack::BuildPack(*source, o));
  // exam.lpk.minisig: anyone can check the pack with the stock tool, `minisign -V -p
  // authority.pub -m exam.lpk`, which prints this trusted comment (docs/keys.md).
  LONTAR_TRY(crypto::WriteMinisignSignature(
      key, a.out,
      "lontar pack exam " + h.exam_id + " version " + std::to_string(h.exam_version) + " valid " +
          pack::FormatTime(h.valid_from_ms) + " to " + pack::FormatTime(h.valid_until_ms),
      Overwrite::kReplace));
  if (a.json) {
    LONTAR_ASSIGN_OR_RETURN(pack::Envelope e, pack::ReadEnvelope(a.out));
    std::cout << HeaderJson(h, e).dump(2) << "\n";
  } else {
    std::cout << h.pack_id << "\n";
    std::cerr << "built " << a.out.string() << ": exam " << h.exam_id << " version "
              << h.exam_version << ", " << h.items << " items, " << h.targets.size()
              << " terminal(s), " << h.payload_bytes << " bytes, "
              << (o.proctor_code != nullptr ? "proctor code set" : "NO proctor code") << "\n";
  }
  return Ok();
}

Status Inspect(const PackArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(pack::Envelope e, pack::ReadEnvelope(a.file));
  auto h = pack::ParseHeader(e.header_json);
  if (!h) return std::unexpected(h.error().WithContext(a.file.string()));
  Json j = HeaderJson(*h, e);
  j["signature_checked"] = false;
  if (a.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    PrintHeader(j);
    std::cerr << "(signatures not checked: use `lontar pack verify --trust authority.pub`)\n";
  }
  return Ok();
}

Status Verify(const PackArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey trust, crypto::ReadSigningPublicKeyFile(a.trust));
  LONTAR_ASSIGN_OR_RETURN(pack::Envelope e, pack::ReadEnvelope(a.file));
  auto signer = pack::VerifyEnvelope(e, {trust});
  if (!signer) return std::unexpected(signer.error().WithContext(a.file.string()));
  auto h = pack::ParseHeader(e.header_json);
  if (!h) return std::unexpected(h.error().WithContext(a.file.string()));
  LONTAR_TRY(pack::VerifyPayload(a.file, e, *h));
  if (a.json) {
    Json j = HeaderJson(*h, e);
    j["verified_by"] = signer->ToString();
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "OK: " << a.file.string() << " is intact and signed by " << signer->ToString()
              << " (exam " << h->exam_id << " version " << h->exam_version << ")\n";
  }
  return Ok();
}

Status Synth(const PackArgs& a) {
  authoring::SynthOptions o = a.synth;
  o.media_bytes = a.media_mb << 20;
  LONTAR_TRY(authoring::WriteSynthSource(a.out, o));
  std::cerr << "wrote a synthetic exam (" << (o.skd ? "SKD shape, 110" : std::to_string(o.items))
            << " items, " << a.media_mb << " MiB of media, " << o.participants
            << " participants) to " << a.out.string() << "\n";
  return Ok();
}

Status HashPin(const PackArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(std::string hash,
                          crypto::HashPin(a.pin, crypto::Argon2Params::Interactive()));
  std::cout << hash << "\n";
  return Ok();
}

}  // namespace

void RegisterPackCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<PackArgs>();
  auto* pack =
      AddCommandGroup(app, "pack", "build, inspect and verify signed, encrypted item packs");

  auto* build = pack->add_subcommand("build", "turn an authoring directory into a pack");
  build->add_option("source", args->source, "authoring directory (docs/authoring.md)")
      ->required()
      ->check(CLI::ExistingDirectory);
  build->add_option("--key", args->key, "authority secret key")->required();
  build->add_option("--version", args->version, "exam version, higher than any before")->required();
  build->add_option("--valid-from", args->valid_from, "UTC, e.g. 2026-11-24T00:00:00Z")->required();
  build->add_option("--valid-until", args->valid_until, "UTC, e.g. 2026-11-30T23:59:59Z")
      ->required();
  build->add_option("--for", args->targets, "target terminal enrollment record (repeatable)")
      ->required();
  build->add_option("--release-code-file", args->release_code_file, "file holding the release code")
      ->required();
  auto* proctor_code = build->add_option(
      "--proctor-code-file", args->proctor_code_file,
      "file holding the proctor code (authorises proctor actions at the terminal); required "
      "unless --no-proctor-code");
  build
      ->add_flag("--no-proctor-code", args->no_proctor_code,
                 "build a pack with no proctor code: it loads and releases, but no session "
                 "can be opened on it and no proctor action is possible at the terminal")
      ->excludes(proctor_code);
  build->add_option("--results-pub", args->results_pub, "results public key")->required();
  build->add_option("--out", args->out, "pack file to write (.lpk)")->required();
  build
      ->add_option("--kdf", args->kdf,
                   "release code hardness: release (32 MiB), interactive (64 MiB) or moderate "
                   "(256 MiB, slow on terminals)")
      ->check(CLI::IsMember({"release", "interactive", "moderate"}))
      ->capture_default_str();
  AddJsonFlag(*build, args->json);
  runner.RunOnCall(*build, [args] { return Build(*args); });

  auto* inspect = pack->add_subcommand("inspect", "show a pack's header without decrypting it");
  inspect->add_option("file", args->file, "pack file")->required();
  AddJsonFlag(*inspect, args->json);
  runner.RunOnCall(*inspect, [args] { return Inspect(*args); });

  auto* verify = pack->add_subcommand("verify", "check a pack's signature and every byte");
  verify->add_option("file", args->file, "pack file")->required();
  verify->add_option("--trust", args->trust, "authority public key")->required();
  AddJsonFlag(*verify, args->json);
  runner.RunOnCall(*verify, [args] { return Verify(*args); });

  auto* synth = pack->add_subcommand(
      "synth", "write a large synthetic authoring source, for benchmarks and load tests");
  synth->add_option("--items", args->synth.items, "number of items")->capture_default_str();
  synth->add_option("--media-mb", args->media_mb, "MiB of media in total")->capture_default_str();
  synth->add_option("--participants", args->synth.participants, "roster size")
      ->capture_default_str();
  synth->add_flag("--skd", args->synth.skd,
                  "CAT SKD's shape: TWK 30, TIU 35, TKP 45 items, BKN's thresholds and pass rules "
                  "(--items is ignored)");
  synth->add_option("--out", args->out, "directory to create")->required();
  runner.RunOnCall(*synth, [args] { return Synth(*args); });

  auto* roster = AddCommandGroup(app, "roster", "participant rosters");
  auto* hash =
      roster->add_subcommand("hash-pin", "print the Argon2id hash of a PIN for roster.csv");
  hash->add_option("pin", args->pin, "the participant's PIN")->required();
  runner.RunOnCall(*hash, [args] { return HashPin(*args); });
}

}  // namespace lontar::cli
