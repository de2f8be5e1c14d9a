// The kiosk's session controller: which screen shows, whose sitting it is, and carrying out what
// the screens and the proctor panel ask for, through the exam engine (which decides and journals
// everything; no exam state lives here). The frame loop (app/kiosk.cpp) owns the window, fonts,
// input and test mode, and calls this once a frame: Tick, UpdateImages, Draw, then Act on what a
// screen returned.
//
// Screens, and what moves between them:
//   kError    the terminal cannot be read (Recheck)          kHealth  its journal needs a
//   technician kWaiting  healthy, no released pack (Recheck, every 5 s; the proctor panel releases
//   one) kLogin    the engine is open on the released pack; after a restart, the one sitting in
//             progress here goes straight to kItem
//   kInstructions -> kItem <-> kReview / kNextSection -> kFinished when the sitting ends
// The proctor panel (Ctrl+Alt+P) covers whichever screen shows.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "app/accommodations.hpp"
#include "app/image_cache.hpp"
#include "app/screens/exam_view.hpp"
#include "app/screens/login.hpp"
#include "app/screens/proctor.hpp"
#include "app/screens/screen.hpp"
#include "app/theme.hpp"
#include "app/window.hpp"
#include "core/crypto/secret.hpp"
#include "core/exam/engine.hpp"
#include "core/health/health.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"

namespace lontar::app {

enum class Screen {
  kError,
  kHealth,
  kWaiting,
  kLogin,
  kInstructions,
  kItem,
  kReview,
  kNextSection,
  kFinished
};

// "login", "next-section", ...: the name scripts and reports see.
const char* ScreenName(Screen s);

struct SessionOptions {
  std::filesystem::path home;
  // Open the session at startup with the proctor code in this file (demo, tests).
  std::optional<std::filesystem::path> open_session_with;
  std::filesystem::path handoff_dir;  // where the proctor panel writes hand-off records
};

class SessionController {
 public:
  // `look` is the frame loop's; a sitting's accommodations may enlarge it (TakeLookChanged),
  // and `base` (the terminal's own look) comes back after them.
  SessionController(SessionOptions options, const Window& window, const Look& base, Look& look);

  // Terminal health, then the engine on the released pack when there is one. Reads disk.
  void Recheck();
  // Recheck when it is due: every 5 s on the waiting screen, else every minute; never while the
  // engine is open.
  void RecheckIfDue(std::time_t now);
  // Technician mode has ended: packs, the terminal or its settings may have changed, so read
  // everything again unless a sitting is under way.
  void AfterTechnician();
  // Technician mode may open from the terminal's own screens and the login screen, never while
  // a candidate's sitting is on screen or the proctor panel is open.
  bool TechnicianAllowed() const;
  // Ctrl+Alt+P: opens the panel (where there is something for a proctor to do) or closes it.
  void ToggleProctor();

  // Every frame: charges time at least every five seconds, and at once when the clock shows 0.
  void Tick();
  // Every frame: wants the images around the current item and journals one that cannot show.
  // Never waits for a decode. True when decoded images wait for upload (draw again soon).
  bool UpdateImages();
  // Images of the item on screen still being decoded (0 off the item screen): test mode holds
  // its script and screenshots until they show, and benchmarks time the wait.
  int ImagesLoading() const;
  // Images the item on screen names (0 off the item screen).
  int ImagesOnScreen() const;
  // Every frame before drawing, with `shown` (screen and item): read-aloud follows the screen.
  void Frame(const std::string& shown, bool english);
  // Draws the current screen, or the proctor panel (whose actions are carried out at once).
  std::optional<Action> Draw(const ScreenContext& ctx);
  // Carries out a screen's action. Display intents (language, text size, contrast) are the frame
  // loop's and do nothing here.
  void Act(const Action& action, bool english);
  // True once after a sitting's accommodations changed the look: rebuild fonts and theme.
  bool TakeLookChanged();

  // "proctor" while the panel covers the screen, else ScreenName.
  const char* ShownName() const;
  std::string current_item() const { return Sitting().current_item; }
  // Section/item the image cache was last told about (test mode: frames that showed an item).
  const std::string& images_at() const { return images_at_; }
  // Test mode: the sitting's part of the report (participant, phase, answers, time, ...).
  void AddToReport(nlohmann::json& j, bool time_warning) const;

 private:
  void Fail(Error error);
  void OpenEngine();
  void OpenImages();
  std::vector<std::string> ImageFaultLines(const Catalog& tr) const;
  exam::SittingState Sitting() const;
  void Synced();
  void FollowState();
  std::pair<std::int64_t, std::int64_t> Remaining(const exam::SittingState& s) const;
  std::string ParticipantName(const std::string& number) const;
  bool Execute(const exam::Command& command);
  void Move(int step);
  void ShowReview();
  void Login();
  void Refuse(const exam::LoginRefused& refused, const std::string& number);
  // The proctor panel (app/session_proctor.cpp).
  // The loaded packs again (after a recheck, a release, when the panel opens). Reads disk.
  void ReadPacks();
  // Loaded packs valid now and not released: the sessions that may come next.
  std::vector<const pack::LoadedPack*> NextSessions() const;
  // The next session's pack: the proctor's choice, or the only one; nullptr when none.
  const pack::LoadedPack* ChosenSession() const;
  // A pack's title, and its time window ("Sabtu, 5 Desember 2026 13:00 - 15:30"), in the
  // catalog's language.
  static std::string SessionTitle(const Catalog& tr, const pack::PackHeader& h);
  std::string DescribeSession(const Catalog& tr, const pack::PackHeader& h) const;
  // Releases the chosen pack with the code in the panel and opens the engine on it.
  void ReleaseNext(const Catalog& tr);
  void DrawPanel(const ScreenContext& ctx, const exam::SittingState& sitting);
  void ActProctor(const Catalog& tr, ProctorAction a);
  void CloseProctor();

  SessionOptions options_;
  const Window& window_;
  const Look& base_look_;
  Look& look_;
  bool look_changed_ = false;
  SystemClock clock_;
  std::variant<health::TerminalStatus, Error> status_ = Error::Internal("not checked yet");
  std::time_t checked_at_ = 0;
  Screen screen_ = Screen::kError;

  // The exam: the engine owns the sitting; the kiosk only remembers whose it is.
  std::unique_ptr<terminal::Terminal> terminal_;  // heap: the engine keeps a pointer to it
  std::optional<exam::Engine> engine_;
  std::unique_ptr<ImageCache> images_;
  bool images_opened_ = false;  // OpenImages ran for this engine (images_ may still be null)
  std::string images_at_;       // section/item the cache was last told about
  std::map<std::string, std::string> image_failures_;  // media name -> why it cannot be shown
  std::set<std::string> images_reported_;              // participant/item/media journaled
  std::string token_shown_;
  std::string participant_;
  std::size_t shown_section_ = 0;
  std::int64_t charged_ns_ = 0;
  Saved saved_ = Saved::kNothing;
  std::string saved_item_, save_error_;
  SittingAids aids_;        // accommodations on screen, read-aloud
  std::string last_shown_;  // screen and item of the last frame

  // The login form: typed text and the last refusal (as a catalog key, so it follows the
  // language).
  LoginForm form_;
  std::string refusal_key_, refusal_arg_;
  bool locked_ = false;

  bool proctor_open_ = false;
  ProctorForm proctor_form_;
  std::optional<exam::ProctorAuth> proctor_auth_;
  std::optional<crypto::SecretBytes> proctor_code_;
  std::vector<pack::LoadedPack> packs_;  // as ReadPacks last found them
  std::string next_pack_id_;             // the session the proctor chose to come next
};

}  // namespace lontar::app
