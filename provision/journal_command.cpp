// `lontar journal verify|show`: audit a terminal's journal.
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/journal/journal.hpp"
#include "core/terminal/terminal.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

struct JournalArgs {
  std::filesystem::path home;
  bool json = false;
  std::uint64_t from = 1;
  std::size_t limit = 100;
};

Status Verify(const JournalArgs& args) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(args.home, clock));
  LONTAR_ASSIGN_OR_RETURN(journal::VerifyReport r,
                          journal::VerifyJournal(t.vault(), t.signing_key().public_key()));
  if (args.json) {
    nlohmann::ordered_json j;
    j["terminal_id"] = t.id();
    j["ok"] = r.ok;
    j["records"] = r.records;
    j["checkpoints"] = r.checkpoints;
    j["head_seq"] = r.head.seq;
    j["head_hash"] = HexEncode(r.head.hash);
    j["last_checkpoint_seq"] = r.last_checkpoint_seq;
    if (!r.ok) {
      j["first_bad_seq"] = r.first_bad_seq;
      j["problem"] = r.problem;
    }
    std::cout << j.dump(2) << "\n";
  } else if (r.ok) {
    std::cout << "journal OK: " << r.records << " records, chain head " << r.head.seq << " "
              << HexEncode(r.head.hash).substr(0, 16) << ", " << r.checkpoints
              << " signed checkpoints (latest at " << r.last_checkpoint_seq << ")\n";
  }
  if (!r.ok) {
    return std::unexpected(Error::Corruption(
        "journal of " + t.id() + " is broken at record " + std::to_string(r.first_bad_seq) + ": " +
        r.problem +
        ". Do not run exams on this terminal; keep the vault as evidence and report it"));
  }
  return Ok();
}

Status Show(const JournalArgs& args) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(args.home, clock));
  LONTAR_ASSIGN_OR_RETURN(std::vector<journal::Record> records,
                          t.journal().Read(args.from, args.limit));
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const journal::Record& r : records) {
    if (args.json) {
      nlohmann::ordered_json j;
      j["seq"] = r.seq;
      j["mono_ns"] = r.mono_ns;
      j["wall_ms"] = r.wall_ms;
      j["type"] = r.type;
      auto payload = nlohmann::ordered_json::parse(r.payload, nullptr, false);
      j["payload"] = payload.is_discarded() ? nlohmann::ordered_json(r.payload) : payload;
      j["hash"] = HexEncode(r.hash);
      out.push_back(std::move(j));
    } else {
      std::cout << r.seq << "  " << r.wall_ms << "  " << r.type << "  " << r.payload << "\n";
    }
  }
  if (args.json) std::cout << out.dump(2) << "\n";
  return Ok();
}

}  // namespace

void RegisterJournalCommands(CLI::App& app, Runner& runner) {
  auto* journal = AddCommandGroup(app, "journal", "audit a terminal's hash-chained journal");
  auto args = std::make_shared<JournalArgs>();

  auto* verify = journal->add_subcommand(
      "verify", "check the hash chain and every signed checkpoint; names the first bad record");
  AddHomeOption(*verify, args->home);
  AddJsonFlag(*verify, args->json);
  runner.RunOnCall(*verify, [args] { return Verify(*args); });

  auto* show = journal->add_subcommand("show", "print journal records");
  AddHomeOption(*show, args->home);
  AddJsonFlag(*show, args->json);
  show->add_option("--from", args->from, "first sequence number")->capture_default_str();
  show->add_option("--limit", args->limit, "at most this many records")->capture_default_str();
  runner.RunOnCall(*show, [args] { return Show(*args); });
}

}  // namespace lontar::cli
