// Technician mode in the kiosk: the code prompt, the USB gate, and the actions the technician
// screens ask for, carried out with the same core functions as the `lontar` command and each
// journaled (core/terminal/technician.hpp lists the records).
//
// Life of technician mode:
//   Begin (Ctrl+Alt+T) -> kCode --right code--> USB open request, "technician.entered" -> kMenu
//                         kCode --wrong code--> "technician.code_refused"; the fifth in a row
//                                               locks the prompt for kLockSeconds
//   kMenu <-> kPacks / kServer / kInit / kClock  each action journaled (the clock's change as
//                                               "terminal.clock_set" once the root service answers)
//   Return, or kIdleSeconds without input -> "technician.left", USB close request -> kLeaving
//   kLeaving --state "closed", or kCloseWaitSeconds--> ended: the kiosk re-reads the terminal
// Wrong-code counts live in this process (a candidate cannot restart the kiosk; the journal keeps
// every refusal for the record).
#pragma once

#include <ctime>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"
#include "core/crypto/secret.hpp"
#include "core/terminal/clock_set.hpp"
#include "core/terminal/terminal.hpp"
#include "core/terminal/usb_gate_client.hpp"
#include "core/util/clock.hpp"

namespace lontar::app {

class Technician {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::time_t kLockSeconds = 5 * 60;
  static constexpr std::time_t kIdleSeconds = 10 * 60;
  static constexpr std::time_t kCloseWaitSeconds = 20;
  // How long the clock's root service has to answer before the change is journaled as not made.
  static constexpr std::time_t kClockWaitSeconds = 60;

  // `clock`: how the clock is set (the root service, or the tests' record-only hook);
  // `localtime`: the system's zone file (/etc/localtime).
  Technician(std::filesystem::path home, std::filesystem::path code_file,
             terminal::UsbGateClient gate, terminal::ClockSetter clock,
             std::filesystem::path localtime);

  bool active() const { return active_; }
  // The name scripts and reports see: "technician-code", "technician", "technician-packs",
  // "technician-server", "technician-init", "technician-clock", "technician-leaving".
  const char* ShownName() const;

  // Ctrl+Alt+T: shows the code prompt.
  void Begin();
  // Input arrived while technician mode is up (for the idle timeout).
  void Touch() { last_input_ = Seconds(); }
  // Every frame while active: follows the USB stick, the idle timeout and the closing.
  void Tick();
  // Draws the page and carries out what it asks.
  void Draw(const ScreenContext& ctx);
  // True once, after technician mode has ended: the kiosk then reads the terminal again.
  bool TakeEnded();

 private:
  void Act(const ScreenContext& ctx, const TechnicianAction& action);
  void SubmitCode(const Catalog& tr);
  // The code check started by SubmitCode has its answer: refuse, or enter technician mode.
  void FinishCheck(const Catalog& tr);
  void Leave(const char* why);
  void End();
  void Refresh();
  void PollUsb();
  void ShowClock();
  void SetClock(const Catalog& tr);
  // The clock's root service has answered, or kClockWaitSeconds passed: journal the change.
  void PollClock(const Catalog& tr);
  void OpenTerminal();
  void Say(std::string text, bool bad);
  void Journal(const char* action, const nlohmann::json& details);
  std::optional<std::filesystem::path> Stick() const;

  std::filesystem::path home_, code_file_;
  terminal::UsbGateClient gate_;
  terminal::ClockSetter clock_setter_;
  std::filesystem::path localtime_;
  // The change sent to the clock's root service and not yet answered (its old values are taken
  // when the technician pressed Set).
  std::optional<terminal::ClockChange> clock_change_;
  std::time_t clock_sent_ = 0;
  SystemClock clock_;
  std::unique_ptr<terminal::Terminal> terminal_;
  TechnicianView view_;
  TechnicianForm form_;
  bool active_ = false, ended_ = false;
  int failures_ = 0;  // wrong codes in a row, kept when the prompt is closed and opened again
  // The code being checked, and the check: Argon2id at the shipped cost takes about a second on
  // a PC and much longer on a slow one, so it runs on a thread of its own while the screen keeps
  // drawing ("technician-checking"). The code stays in secure memory until the answer is used;
  // it is declared before check_ so that it outlives the thread (check_'s destructor waits).
  std::optional<crypto::SecretBytes> checking_;
  std::future<Result<bool>> check_;
  // Seconds on the monotonic clock, not the wall clock: the clock page moves the wall clock,
  // often by years (a dead CMOS battery), and the idle timeout, the code lock and the waits
  // must not jump with it.
  std::time_t Seconds() const { return clock_.MonotonicNs() / 1'000'000'000; }
  std::time_t now_ = 0, last_input_ = 0, locked_until_ = 0, leave_started_ = 0;
};

}  // namespace lontar::app
