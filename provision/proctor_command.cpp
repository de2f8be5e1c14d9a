// The proctor's actions at a terminal's console: `lontar session pause|resume|add-time|
// accommodate|unlock|void|handoff|import-handoff|status`. Each takes the proctor code from a file;
// each is journaled with its reason by the engine (core/exam/engine.hpp).
#include <iostream>

#include "core/exam/engine.hpp"
#include "core/model/accommodations.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"
#include "provision/exam_view.hpp"

namespace lontar::cli {
namespace {

struct ProctorArgs {
  std::filesystem::path home, proctor_code_file, to, from;
  std::string participant, reason;
  std::string read_aloud, text_size, high_contrast;  // accommodate: "" keeps what is in force
  double minutes = 0;
  bool json = false;
};

// Opens the terminal and engine and checks the proctor code, then runs `action`.
Status WithProctor(const ProctorArgs& a,
                   const std::function<Status(exam::Engine&, const exam::ProctorAuth&)>& action) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock));
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code, ReadCodeFile(a.proctor_code_file));
  LONTAR_ASSIGN_OR_RETURN(exam::ProctorAuth auth, engine.AuthorizeProctor(code.view()));
  return action(engine, auth);
}

Status ShowAfter(const ProctorArgs& a, exam::Engine& engine, const exam::SittingState& s) {
  Print(StateJson(engine, s), a.json);
  return Ok();
}

Status PauseOrResume(const ProctorArgs& a, bool pause) {
  return WithProctor(a, [&](exam::Engine& engine, const exam::ProctorAuth& auth) -> Status {
    if (a.participant.empty()) {
      LONTAR_TRY(pause ? engine.PauseRoom(auth, a.reason) : engine.ResumeRoom(auth, a.reason));
      std::cerr << (pause ? "paused" : "resumed") << " every sitting on this terminal\n";
      return Ok();
    }
    exam::ProctorCommand command = exam::Resume{a.reason};
    if (pause) command = exam::Pause{a.reason, false};
    LONTAR_ASSIGN_OR_RETURN(exam::SittingState s, engine.Proctor(auth, a.participant, command));
    return ShowAfter(a, engine, s);
  });
}

Status AddTime(const ProctorArgs& a) {
  return WithProctor(a, [&](exam::Engine& engine, const exam::ProctorAuth& auth) -> Status {
    const auto ns = static_cast<std::int64_t>(a.minutes * 60e9);
    LONTAR_ASSIGN_OR_RETURN(exam::SittingState s,
                            engine.Proctor(auth, a.participant, exam::AddTime{ns, a.reason}));
    return ShowAfter(a, engine, s);
  });
}

// Read-aloud, text size and high contrast for one sitting, as the kiosk's proctor panel sets
// them: the options given change, the rest stay as in force (the roster's or an earlier
// proctor's). Time is add-time's. The engine journals the result with the reason.
Status Accommodate(const ProctorArgs& a) {
  if (a.read_aloud.empty() && a.text_size.empty() && a.high_contrast.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "say what to change: --read-aloud yes|no, --text-size normal|large|larger, "
        "--high-contrast yes|no (more time: lontar session add-time)"));
  }
  return WithProctor(a, [&](exam::Engine& engine, const exam::ProctorAuth& auth) -> Status {
    model::Accommodations acc = engine.State(a.participant).accommodations;
    const auto yes_no = [](const std::string& cell, const char* option, bool& out) -> Status {
      if (cell.empty()) return Ok();
      auto v = model::ParseYesNo(cell);
      if (!v) {
        return std::unexpected(
            Error::InvalidArgument(std::string(option) + ": " + v.error().message()));
      }
      out = *v;
      return Ok();
    };
    LONTAR_TRY(yes_no(a.read_aloud, "--read-aloud", acc.read_aloud));
    LONTAR_TRY(yes_no(a.high_contrast, "--high-contrast", acc.high_contrast));
    if (!a.text_size.empty()) {
      Status size = model::ParseTextSize(a.text_size, acc);
      if (!size) {
        return std::unexpected(Error::InvalidArgument("--text-size: " + size.error().message()));
      }
    }
    LONTAR_ASSIGN_OR_RETURN(exam::SittingState s,
                            engine.Proctor(auth, a.participant, exam::Accommodate{acc, a.reason}));
    return ShowAfter(a, engine, s);
  });
}

Status Void(const ProctorArgs& a) {
  return WithProctor(a, [&](exam::Engine& engine, const exam::ProctorAuth& auth) -> Status {
    LONTAR_ASSIGN_OR_RETURN(exam::SittingState s,
                            engine.Proctor(auth, a.participant, exam::Void{a.reason}));
    return ShowAfter(a, engine, s);
  });
}

Status Unlock(const ProctorArgs& a) {
  return WithProctor(a, [&](exam::Engine& engine, const exam::ProctorAuth& auth) -> Status {
    LONTAR_TRY(engine.Unlock(auth, a.participant, a.reason));
    std::cerr << "unlocked " << a.participant << "\n";
    return Ok();
  });
}

Status HandOff(const ProctorArgs& a) {
  return WithProctor(a, [&](exam::Engine& engine, const exam::ProctorAuth& auth) -> Status {
    LONTAR_ASSIGN_OR_RETURN(std::string record, engine.HandOff(auth, a.participant, a.reason));
    LONTAR_TRY(EnsureDir(a.to, 0700));
    const std::filesystem::path file =
        a.to /
        (a.participant + "." + engine.State(a.participant).handoff_id.substr(0, 8) + ".handoff");
    LONTAR_TRY(WriteFileAtomic(file, AsBytes(record), 0600, Overwrite::kReplace));
    // Read it back: a USB stick that lies about writes is found here, not at the spare terminal.
    LONTAR_ASSIGN_OR_RETURN(Bytes back, ReadFile(file, exam::kMaxHandoffBytes));
    if (AsChars(back) != record) {
      return std::unexpected(Error::Io("the hand-off record read back from " + file.string() +
                                       " differs from what was written; use another stick and "
                                       "run the same command again"));
    }
    std::cout << file.string() << "\n";
    std::cerr << "sitting handed off; on the spare terminal run: lontar session import-handoff "
                 "--from "
              << file.string() << "\n";
    return Ok();
  });
}

Status Import(const ProctorArgs& a) {
  return WithProctor(a, [&](exam::Engine& engine, const exam::ProctorAuth& auth) -> Status {
    LONTAR_ASSIGN_OR_RETURN(Bytes record, ReadFile(a.from, exam::kMaxHandoffBytes));
    LONTAR_ASSIGN_OR_RETURN(exam::SittingState s, engine.ImportHandoff(auth, record));
    std::cerr << "sitting taken over; participant " << s.participant
              << " logs in here to continue\n";
    return ShowAfter(a, engine, s);
  });
}

Status SessionStatus(const ProctorArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock));
  OrderedJson j;
  j["exam_id"] = engine.exam().id;
  j["pack_id"] = engine.pack_id();
  j["session_open"] = !engine.session_token().empty();
  j["room_paused"] = engine.room_paused();
  j["sittings"] = OrderedJson::array();
  for (const std::string& p : engine.Participants()) {
    OrderedJson s = StateJson(engine, engine.State(p));
    s.erase("answers");
    s.erase("flagged");
    j["sittings"].push_back(s);
  }
  OrderedJson locked = OrderedJson::array();
  for (const auto& p : engine.exam().roster) {
    if (engine.locked(p.number)) locked.push_back(p.number);
  }
  j["locked"] = locked;
  // Images a candidate could not be shown (damaged on disk, no memory): the proctor must act.
  OrderedJson unshown = OrderedJson::array();
  for (const exam::Engine::ImageFault& f : engine.image_faults()) {
    unshown.push_back({{"participant", f.participant},
                       {"item", f.item},
                       {"media", f.media},
                       {"reason", f.reason}});
  }
  j["images_unshown"] = unshown;
  Print(j, a.json);
  return Ok();
}

CLI::App* Proctor(CLI::App& session, const char* name, const char* help, ProctorArgs& a) {
  CLI::App* c = session.add_subcommand(name, help);
  AddHomeOption(*c, a.home);
  c->add_option("--proctor-code-file", a.proctor_code_file, "file holding the proctor code")
      ->required();
  AddJsonFlag(*c, a.json);
  return c;
}

}  // namespace

void RegisterProctorCommands(CLI::App& app, Runner& runner) {
  auto a = std::make_shared<ProctorArgs>();
  CLI::App& session = *app.get_subcommand("session");
  auto* pause = Proctor(session, "pause", "pause one sitting, or every sitting here", *a);
  pause->add_option("--participant", a->participant, "participant number (default: everyone)");
  pause->add_option("--reason", a->reason, "why; kept in the journal")->required();
  runner.RunOnCall(*pause, [a] { return PauseOrResume(*a, true); });

  auto* resume = Proctor(session, "resume", "resume a paused sitting, or the whole room", *a);
  resume->add_option("--participant", a->participant, "participant number (default: the room)");
  resume->add_option("--reason", a->reason, "why; kept in the journal");
  runner.RunOnCall(*resume, [a] { return PauseOrResume(*a, false); });

  auto* add = Proctor(session, "add-time", "give a sitting more time", *a);
  add->add_option("--participant", a->participant, "participant number")->required();
  add->add_option("--minutes", a->minutes, "minutes to add (up to 240)")->required();
  add->add_option("--reason", a->reason, "why; kept in the journal")->required();
  runner.RunOnCall(*add, [a] { return AddTime(*a); });

  auto* acc =
      Proctor(session, "accommodate", "read-aloud, text size or high contrast for one sitting", *a);
  acc->add_option("--participant", a->participant, "participant number")->required();
  acc->add_option("--read-aloud", a->read_aloud, "yes or no (default: as in force)");
  acc->add_option("--text-size", a->text_size, "normal, large or larger (default: as in force)");
  acc->add_option("--high-contrast", a->high_contrast, "yes or no (default: as in force)");
  acc->add_option("--reason", a->reason, "why; kept in the journal")->required();
  runner.RunOnCall(*acc, [a] { return Accommodate(*a); });

  auto* unlock = Proctor(session, "unlock", "unlock a participant after wrong logins", *a);
  unlock->add_option("--participant", a->participant, "participant number")->required();
  unlock->add_option("--reason", a->reason, "why; kept in the journal")->required();
  runner.RunOnCall(*unlock, [a] { return Unlock(*a); });

  auto* void_ = Proctor(session, "void", "void a sitting for good", *a);
  void_->add_option("--participant", a->participant, "participant number")->required();
  void_->add_option("--reason", a->reason, "why; kept in the journal")->required();
  runner.RunOnCall(*void_, [a] { return Void(*a); });

  auto* handoff =
      Proctor(session, "handoff", "end a sitting here and write it for a spare terminal", *a);
  handoff->add_option("--participant", a->participant, "participant number")->required();
  handoff->add_option("--to", a->to, "directory to write the hand-off record to (a USB stick)")
      ->required();
  handoff->add_option("--reason", a->reason, "why; kept in the journal")->required();
  runner.RunOnCall(*handoff, [a] { return HandOff(*a); });

  auto* import =
      Proctor(session, "import-handoff", "continue a handed-off sitting on this terminal", *a);
  import->add_option("--from", a->from, "the .handoff file")->required();
  runner.RunOnCall(*import, [a] { return Import(*a); });

  auto* status = session.add_subcommand("status", "the session and every sitting on this terminal");
  AddHomeOption(*status, a->home);
  AddJsonFlag(*status, a->json);
  runner.RunOnCall(*status, [a] { return SessionStatus(*a); });
}

}  // namespace lontar::cli
