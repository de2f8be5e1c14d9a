// `lontar session release`: the proctor's release code opens the session's pack.
#include <iostream>

#include "core/pack/pack_choice.hpp"
#include "core/pack/terminal_packs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

struct SessionArgs {
  std::filesystem::path home, code_file;
  std::string pack;
};

Status Release(const SessionArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code, ReadCodeFile(a.code_file));
  // Which pack: as named with --pack (pack_choice.hpp), else the one valid now (the newest of
  // several versions of one exam, said on stderr).
  LONTAR_ASSIGN_OR_RETURN(std::vector<pack::LoadedPack> packs, pack::ListPacks(t));
  LONTAR_ASSIGN_OR_RETURN(pack::PackChoice choice, a.pack.empty()
                                                       ? pack::DefaultPack(packs, clock.WallMs())
                                                       : pack::FindPack(packs, a.pack));
  if (!choice.note.empty()) std::cerr << "session release: " << choice.note << "\n";
  const bool already = choice.pack->released;
  LONTAR_ASSIGN_OR_RETURN(pack::PackHeader h,
                          pack::ReleasePack(t, choice.pack->header.pack_id, code.view(), clock));
  std::cout << "released: exam " << h.exam_id << " version " << h.exam_version << " (pack "
            << h.pack_id << ")\n";
  // Say which session runs now, and what became of every other released pack, so that two
  // released packs are never left to guessing.
  LONTAR_ASSIGN_OR_RETURN(packs, pack::ListPacks(t));
  const pack::LoadedPack* runs = pack::RunningPack(packs);
  if (runs && runs->header.pack_id != h.pack_id) {
    std::cerr << "session release: " << pack::DescribePack(h)
              << (already ? " was released already" : "") << "; this terminal runs "
              << pack::DescribePack(runs->header) << ", released or opened after it; to run "
              << h.exam_id << "@" << h.exam_version << " instead: lontar session open --pack "
              << h.exam_id << "@" << h.exam_version << "\n";
    return Ok();
  }
  for (const pack::LoadedPack& p : packs) {
    if (!p.released || p.header.pack_id == h.pack_id) continue;
    std::cerr << "session release: " << pack::DescribePack(p.header)
              << (p.header.exam_id == h.exam_id ? " (an earlier version of this exam)" : "")
              << " no longer runs: this terminal runs " << pack::DescribePack(h)
              << " from now on; the sittings and result bundles of " << p.header.exam_id << "@"
              << p.header.exam_version
              << " stay as they are (back to it: lontar session open --pack " << p.header.exam_id
              << "@" << p.header.exam_version << ")\n";
  }
  return Ok();
}

}  // namespace

void RegisterSessionCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<SessionArgs>();
  auto* session = AddCommandGroup(app, "session", "run exam sessions on this terminal");
  auto* release =
      session->add_subcommand("release", "open the session's pack with the release code");
  AddHomeOption(*release, args->home);
  release->add_option("--code-file", args->code_file, "file holding the release code")->required();
  release->add_option("--pack", args->pack,
                      "which loaded pack: EXAM_ID@VERSION, or the pack id or its first 8 "
                      "characters (default: the one valid now; of several versions, the newest)");
  runner.RunOnCall(*release, [args] { return Release(*args); });
}

}  // namespace lontar::cli
