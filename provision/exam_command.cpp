// `lontar session open`, `lontar exam run`, `lontar exam show`: the exam engine without a screen,
// for proctors at a console, for scripted sittings and for tests.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/exam/engine.hpp"
#include "core/scoring/score.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

// The system clock plus simulated time: a script's `wait` moves time forward without sleeping.
class ScriptClock final : public Clock {
 public:
  std::int64_t MonotonicNs() const override { return system_.MonotonicNs() + offset_ns_; }
  std::int64_t WallMs() const override { return system_.WallMs() + offset_ns_ / 1'000'000; }
  void Advance(std::int64_t ns) { offset_ns_ += ns; }

 private:
  SystemClock system_;
  std::int64_t offset_ns_ = 0;
};

struct ExamArgs {
  std::filesystem::path home, proctor_code_file, pin_file, script;
  std::string participant, token;
  bool json = false;
};

Json StateJson(const exam::Engine& engine, const exam::SittingState& s) {
  Json j;
  j["participant"] = s.participant;
  j["phase"] = s.phase == exam::Phase::kNotStarted   ? "not-started"
               : s.phase == exam::Phase::kInProgress ? "in-progress"
                                                     : "submitted";
  if (s.phase == exam::Phase::kSubmitted) {
    j["submitted_by"] = s.reason == exam::SubmitReason::kTimeUp ? "time-up" : "candidate";
  }
  if (s.phase != exam::Phase::kNotStarted) {
    j["section"] = engine.exam().sections.at(s.section).id;
    j["current_item"] = s.current_item;
    j["remaining_seconds"] = exam::RemainingNs(engine.exam(), s) / 1'000'000'000;
    j["section_remaining_seconds"] = exam::SectionRemainingNs(engine.exam(), s) / 1'000'000'000;
  }
  j["answers"] = s.answers;
  j["flagged"] = s.flagged;
  std::size_t items = engine.exam().items.size();
  j["answered"] = s.answers.size();
  j["unanswered"] = items - s.answers.size();
  return j;
}

Json ScoreJson(const exam::Engine& engine, const exam::SittingState& s) {
  std::string position;
  for (const auto& p : engine.exam().roster) {
    if (p.number == s.participant) position = p.position;
  }
  auto report = scoring::Score(engine.exam(), s.answers, position);
  if (!report) return Json{{"error", report.error().message()}};
  Json j;
  j["total"] = report->total;
  j["max"] = report->max_total;
  j["passed"] = report->passed;
  for (const auto& sec : report->sections) {
    j["sections"].push_back({{"id", sec.id}, {"total", sec.total}, {"passed", sec.passed}});
  }
  for (const auto& c : report->competencies) {
    j["competencies"].push_back({{"id", c.id}, {"raw", c.raw}, {"level", c.level}});
  }
  if (report->jpm) {
    j["job_person_match"] = {{"position", report->jpm->position},
                             {"percent", report->jpm->percent},
                             {"category", report->jpm->category.en}};
  }
  return j;
}

void Print(const Json& j, bool json) {
  if (json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  for (const auto& [key, value] : j.items()) {
    std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump())
              << "\n";
  }
}

Status OpenSession(const ExamArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock));
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code, ReadCodeFile(a.proctor_code_file));
  LONTAR_ASSIGN_OR_RETURN(std::string token, engine.OpenSession(code.view()));
  if (a.json) {
    std::cout << Json{{"exam_id", engine.exam().id}, {"token", token}}.dump(2) << "\n";
  } else {
    std::cout << token << "\n";
    std::cerr << "session open for " << engine.exam().id << "; show the token to the candidates\n";
  }
  return Ok();
}

// One script line, e.g. {"cmd":"answer","item":"tiu-07","option":"B"}.
Result<std::optional<exam::Command>> ParseScriptLine(const Json& j, ScriptClock& clock) {
  if (!j.is_object() || !j.contains("cmd") || !j["cmd"].is_string()) {
    return std::unexpected(Error::Malformed("each line must be an object with a \"cmd\""));
  }
  const std::string cmd = j["cmd"];
  const std::string item = j.value("item", "");
  if (cmd == "answer") {
    std::vector<std::string> keys;
    if (j.contains("options") && j["options"].is_array()) {
      for (const auto& k : j["options"]) keys.push_back(k.get<std::string>());
    } else {
      keys.push_back(j.value("option", ""));
    }
    return exam::Command{exam::Answer{item, keys}};
  }
  if (cmd == "clear") return exam::Command{exam::Clear{item}};
  if (cmd == "flag") return exam::Command{exam::Flag{item, true}};
  if (cmd == "unflag") return exam::Command{exam::Flag{item, false}};
  if (cmd == "goto") return exam::Command{exam::Goto{item}};
  if (cmd == "next-section") return exam::Command{exam::NextSection{}};
  if (cmd == "submit") return exam::Command{exam::Submit{}};
  if (cmd == "wait") {
    const double seconds = j.value("seconds", 0.0);
    if (seconds < 0 || seconds > 86400) {
      return std::unexpected(Error::Malformed("wait: seconds must be 0..86400"));
    }
    clock.Advance(static_cast<std::int64_t>(seconds * 1e9));
    return std::optional<exam::Command>();  // time only: charged by a checkpoint
  }
  return std::unexpected(Error::Malformed("unknown command '" + cmd + "'"));
}

Status Run(const ExamArgs& a) {
  ScriptClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock));
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes pin, ReadCodeFile(a.pin_file));
  LONTAR_ASSIGN_OR_RETURN(exam::SittingState state,
                          engine.Login(a.participant, pin.view(), a.token));
  std::ifstream script(a.script);
  if (!script) return std::unexpected(Error::NotFound("cannot read script " + a.script.string()));
  std::string line;
  int n = 0;
  while (std::getline(script, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    auto command = ParseScriptLine(j, clock);
    if (!command) {
      return std::unexpected(
          command.error().WithContext(a.script.string() + ":" + std::to_string(n)));
    }
    if (!*command) {
      LONTAR_TRY(engine.Checkpoint());
      continue;
    }
    auto next = engine.Execute(a.participant, **command);
    if (!next) {
      std::cerr << a.script.string() << ":" << n << ": refused: " << next.error().message() << "\n";
      if (engine.State(a.participant).phase == exam::Phase::kSubmitted) break;
      continue;
    }
  }
  state = engine.State(a.participant);
  Json j = StateJson(engine, state);
  if (state.phase == exam::Phase::kSubmitted) j["score"] = ScoreJson(engine, state);
  Print(j, a.json);
  return Ok();
}

Status Show(const ExamArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(exam::Engine engine, exam::Engine::Open(t, clock));
  const exam::SittingState state = engine.State(a.participant);
  Json j = StateJson(engine, state);
  if (state.phase == exam::Phase::kSubmitted) j["score"] = ScoreJson(engine, state);
  Print(j, a.json);
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
  open->add_flag("--json", args->json, "machine-readable output");
  open->callback([&runner, args] { runner.Run([&] { return OpenSession(*args); }); });

  auto* exam = app.add_subcommand("exam", "run and inspect sittings without the kiosk");
  exam->require_subcommand(1);
  auto* run =
      exam->add_subcommand("run", "log in and run a sitting from a script (docs/proctor.md)");
  AddHomeOption(*run, args->home);
  run->add_option("--participant", args->participant, "participant number")->required();
  run->add_option("--pin-file", args->pin_file, "file holding the participant's PIN")->required();
  run->add_option("--token", args->token, "the session token")->required();
  run->add_option("--script", args->script, "JSON lines, one command each")->required();
  run->add_flag("--json", args->json, "machine-readable output");
  run->callback([&runner, args] { runner.Run([&] { return Run(*args); }); });

  auto* show = exam->add_subcommand("show", "a sitting's state, rebuilt from the journal");
  AddHomeOption(*show, args->home);
  show->add_option("--participant", args->participant, "participant number")->required();
  show->add_flag("--json", args->json, "machine-readable output");
  show->callback([&runner, args] { runner.Run([&] { return Show(*args); }); });
}

}  // namespace lontar::cli
