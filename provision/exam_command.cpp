// `lontar session open`, `lontar exam run`, `lontar exam show`: the exam engine without a screen,
// for proctors at a console, for scripted sittings and for tests.
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/exam/engine.hpp"
#include "core/pack/pack_choice.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"
#include "provision/exam_view.hpp"

namespace lontar::cli {
namespace {

using Json = OrderedJson;

// The system clock plus simulated time: a script's `wait` moves the monotonic clock forward
// without sleeping, so the engine charges the time to the sitting. The wall clock is left alone:
// it is what the journal and the bundle record for people (when a record was written, when a
// bundle was made), and moving it would write times in the future, which the next command on
// the terminal (with the real clock) follows with earlier ones.
class ScriptClock final : public Clock {
 public:
  std::int64_t MonotonicNs() const override { return system_.MonotonicNs() + offset_ns_; }
  std::int64_t WallMs() const override { return system_.WallMs(); }
  void Advance(std::int64_t ns) { offset_ns_ += ns; }

 private:
  SystemClock system_;
  std::int64_t offset_ns_ = 0;
};

struct ExamArgs {
  std::filesystem::path home, proctor_code_file, pin_file, script;
  std::string participant, token, pack;
  int from_line = 1;
  bool json = false, progress = false;
};

// `session open --pack SPEC`: the released pack named (pack_choice.hpp) becomes the session this
// terminal runs, if it was not already; without --pack, the one it runs.
Status OpenSession(const ExamArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  std::string pack_id, was;
  if (!a.pack.empty()) {
    LONTAR_ASSIGN_OR_RETURN(std::vector<pack::LoadedPack> packs, pack::ListPacks(t));
    LONTAR_ASSIGN_OR_RETURN(pack::PackChoice choice, pack::FindPack(packs, a.pack));
    pack_id = choice.pack->header.pack_id;
    if (const pack::LoadedPack* runs = pack::RunningPack(packs); runs && runs != choice.pack) {
      was = pack::DescribePack(runs->header);
    }
  }
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock, pack_id));
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code, ReadCodeFile(a.proctor_code_file));
  LONTAR_ASSIGN_OR_RETURN(std::string token, engine.OpenSession(code.view()));
  const std::string runs = engine.exam().id + "@" + std::to_string(engine.exam_version()) +
                           " (pack " + engine.pack_id().substr(0, 8) + ")";
  if (a.json) {
    std::cout << Json{{"exam_id", engine.exam().id},
                      {"pack_id", engine.pack_id()},
                      {"token", token},
                      {"was_running", was}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << token << "\n";
    if (!was.empty()) {
      std::cerr << "this terminal now runs " << runs << " instead of " << was
                << "; the sittings of " << was << " stay as they are\n";
    }
    std::cerr << "session open for " << runs << "; show the token to the candidates\n";
  }
  return Ok();
}

// One script step: a command, or a simulated wait.
struct Step {
  int line = 0;
  std::optional<exam::Command> command;
  std::int64_t wait_ns = 0;
};

Result<std::string> TextField(const Json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (!required) return std::string();
    return std::unexpected(Error::Malformed(std::string("\"") + key + "\" is missing"));
  }
  if (!it->is_string()) {
    return std::unexpected(Error::Malformed(std::string("\"") + key + "\" must be text"));
  }
  return it->get<std::string>();
}

// One script line, e.g. {"cmd":"answer","item":"tiu-07","option":"B"}.
Result<Step> ParseScriptLine(const Json& j) {
  if (!j.is_object()) return std::unexpected(Error::Malformed("not a JSON object"));
  LONTAR_ASSIGN_OR_RETURN(std::string cmd, TextField(j, "cmd", true));
  const bool needs_item =
      cmd == "answer" || cmd == "clear" || cmd == "flag" || cmd == "unflag" || cmd == "goto";
  LONTAR_ASSIGN_OR_RETURN(std::string item, TextField(j, "item", needs_item));
  Step step;
  if (cmd == "answer") {
    std::vector<std::string> keys;
    if (j.contains("options")) {
      if (!j["options"].is_array())
        return std::unexpected(Error::Malformed("\"options\" must be a list"));
      for (const auto& k : j["options"]) {
        if (!k.is_string()) return std::unexpected(Error::Malformed("\"options\" must hold text"));
        keys.push_back(k.get<std::string>());
      }
    } else {
      LONTAR_ASSIGN_OR_RETURN(std::string key, TextField(j, "option", true));
      keys.push_back(key);
    }
    step.command = exam::Answer{item, keys};
  } else if (cmd == "clear") {
    step.command = exam::Clear{item};
  } else if (cmd == "flag") {
    step.command = exam::Flag{item, true};
  } else if (cmd == "unflag") {
    step.command = exam::Flag{item, false};
  } else if (cmd == "goto") {
    step.command = exam::Goto{item};
  } else if (cmd == "next-section") {
    step.command = exam::NextSection{};
  } else if (cmd == "submit") {
    step.command = exam::Submit{};
  } else if (cmd == "wait") {
    auto it = j.find("seconds");
    if (it == j.end() || !it->is_number() || it->get<double>() < 0 || it->get<double>() > 86400) {
      return std::unexpected(Error::Malformed("wait: \"seconds\" must be a number 0..86400"));
    }
    step.wait_ns = static_cast<std::int64_t>(it->get<double>() * 1e9);
  } else {
    return std::unexpected(
        Error::Malformed("unknown command '" + cmd +
                         "' (answer, clear, flag, unflag, goto, next-section, wait, submit)"));
  }
  return step;
}

// Reads and checks the whole script before anything runs, so that a typo on line 40 does not
// leave a sitting half-scripted.
Result<std::vector<Step>> ReadScript(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes data, ReadFile(path, 16 << 20));
  std::vector<Step> steps;
  std::string_view rest = AsChars(data);
  for (int n = 1; !rest.empty(); ++n) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos || line[0] == '#') continue;
    const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto step = j.is_discarded() ? Result<Step>(std::unexpected(Error::Malformed("not JSON")))
                                 : ParseScriptLine(j);
    if (!step)
      return std::unexpected(step.error().WithContext(path.string() + ":" + std::to_string(n)));
    step->line = n;
    steps.push_back(std::move(*step));
  }
  return steps;
}

Status Run(const ExamArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<Step> steps, ReadScript(a.script));
  ScriptClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock));
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes pin, ReadCodeFile(a.pin_file));
  LONTAR_TRY(engine.Login(a.participant, pin.view(), a.token));
  for (const Step& step : steps) {
    if (step.line < a.from_line) continue;
    if (engine.State(a.participant).phase != exam::Phase::kInProgress) break;
    if (!step.command) {
      clock.Advance(step.wait_ns);
      LONTAR_TRY(engine.Checkpoint());
    } else if (auto next = engine.Execute(a.participant, *step.command); !next) {
      std::cerr << a.script.string() << ":" << step.line << ": refused: " << next.error().message()
                << "\n";
      continue;
    }
    if (a.progress) std::cout << "done " << step.line << std::endl;  // durable: tell at once
  }
  Print(SittingJson(engine, engine.State(a.participant)), a.json);
  return Ok();
}

Status Show(const ExamArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock));
  Print(SittingJson(engine, engine.State(a.participant)), a.json);
  return Ok();
}

}  // namespace

void RegisterExamCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<ExamArgs>();
  CLI::App* session = app.get_subcommand("session");
  auto* open =
      session->add_subcommand("open", "open the session with the proctor code; prints the token");
  AddHomeOption(*open, args->home);
  open->add_option("--proctor-code-file", args->proctor_code_file, "file holding the proctor code")
      ->required();
  open->add_option("--pack", args->pack,
                   "the released pack to open: EXAM_ID@VERSION, or the pack id or its first 8 "
                   "characters (default: the one this terminal runs; another becomes the one it "
                   "runs)");
  AddJsonFlag(*open, args->json);
  runner.RunOnCall(*open, [args] { return OpenSession(*args); });

  auto* exam = AddCommandGroup(app, "exam", "run and inspect sittings without the kiosk");
  auto* run =
      exam->add_subcommand("run", "log in and run a sitting from a script (docs/proctor.md)");
  AddHomeOption(*run, args->home);
  run->add_option("--participant", args->participant, "participant number")->required();
  run->add_option("--pin-file", args->pin_file, "file holding the participant's PIN")->required();
  run->add_option("--token", args->token, "the session token")->required();
  run->add_option("--script", args->script, "JSON lines, one command each")->required();
  run->add_option("--from-line", args->from_line,
                  "skip the script's lines before this one (resuming a script after a crash)");
  run->add_flag("--progress", args->progress,
                "print 'done LINE' as each script line is durable in the journal");
  AddJsonFlag(*run, args->json);
  runner.RunOnCall(*run, [args] { return Run(*args); });

  auto* show = exam->add_subcommand("show", "a sitting's state, rebuilt from the journal");
  AddHomeOption(*show, args->home);
  show->add_option("--participant", args->participant, "participant number")->required();
  AddJsonFlag(*show, args->json);
  runner.RunOnCall(*show, [args] { return Show(*args); });
}

}  // namespace lontar::cli
