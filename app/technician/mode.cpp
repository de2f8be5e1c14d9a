#include "app/technician/mode.hpp"

#include <sodium.h>
#include <sys/statvfs.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <system_error>

#include "app/read_aloud.hpp"
#include "app/technician/clock.hpp"
#include "app/technician/code.hpp"
#include "app/technician/init.hpp"
#include "app/technician/leaving.hpp"
#include "app/technician/menu.hpp"
#include "app/technician/packs.hpp"
#include "app/technician/server.hpp"
#include "core/bundle/export.hpp"
#include "core/crypto/key_file.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/terminal/technician.hpp"
#include "core/terminal/technician_code.hpp"
#include "core/util/fs.hpp"

namespace lontar::app {

void TechnicianForm::Clear() {
  sodium_memzero(code.data(), code.size());
  sodium_memzero(server.data(), server.size());
  sodium_memzero(site.data(), site.size());
  sodium_memzero(name.data(), name.size());
  date.fill('\0');
  time.fill('\0');
  zone.fill('\0');
  key_choice = 0;
  relay_choice = 0;
  focus = true;
}

namespace {

std::uint64_t DiskFree(const std::filesystem::path& dir) {
  struct statvfs st {};
  std::filesystem::path at = dir;
  while (::statvfs(at.c_str(), &st) != 0) {
    if (!at.has_parent_path() || at.parent_path() == at) return 0;
    at = at.parent_path();
  }
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

// LONTAR_SERVER from HOME/sync.conf, or "" when it is not set.
std::string ConfiguredServer(const std::filesystem::path& home) {
  std::ifstream in(home / terminal::kSyncConfName);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("LONTAR_SERVER=")) return line.substr(14);
  }
  return "";
}

std::vector<std::string> Names(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.filename().string());
  return names;
}

}  // namespace

Technician::Technician(std::filesystem::path home, std::filesystem::path code_file,
                       terminal::UsbGateClient gate, terminal::ClockSetter clock,
                       std::filesystem::path localtime)
    : home_(std::move(home)),
      code_file_(std::move(code_file)),
      gate_(std::move(gate)),
      clock_setter_(std::move(clock)),
      localtime_(std::move(localtime)) {}

const char* Technician::ShownName() const {
  switch (view_.page) {
    case TechnicianPage::kCode:
      return view_.checking ? "technician-checking" : "technician-code";
    case TechnicianPage::kMenu:
      return "technician";
    case TechnicianPage::kPacks:
      return "technician-packs";
    case TechnicianPage::kServer:
      return "technician-server";
    case TechnicianPage::kInit:
      return "technician-init";
    case TechnicianPage::kClock:
      return "technician-clock";
    case TechnicianPage::kLeaving:
      return "technician-leaving";
  }
  return "technician";
}

void Technician::Begin() {
  const std::time_t now = Seconds();
  if (active_) return;
  active_ = true;
  now_ = last_input_ = now;
  form_.Clear();
  view_ = TechnicianView{};
  view_.page = TechnicianPage::kCode;
  view_.code_file = code_file_.string();
  std::error_code ec;
  view_.available = std::filesystem::exists(code_file_, ec);
  OpenTerminal();
}

void Technician::OpenTerminal() {
  if (terminal_) return;
  auto t = terminal::Terminal::Open(home_, clock_);
  if (t) {
    terminal_ = std::make_unique<terminal::Terminal>(std::move(*t));
    view_.status_problem.clear();
  } else {
    view_.status_problem = t.error().message();
  }
}

void Technician::Say(std::string text, bool bad) {
  view_.message = std::move(text);
  view_.message_bad = bad;
}

void Technician::Journal(const char* action, const nlohmann::json& details) {
  if (!terminal_) return;  // no journal yet on an uninitialised terminal
  if (auto st = terminal::JournalTechnician(*terminal_, action, details); !st) {
    Say(view_.message + (view_.message.empty() ? "" : "\n") + "journal: " + st.error().message(),
        true);
  }
}

std::optional<std::filesystem::path> Technician::Stick() const {
  if (view_.usb.kind != terminal::UsbStateKind::kMounted) return std::nullopt;
  return view_.usb.mount;
}

void Technician::PollUsb() {
  if (view_.page == TechnicianPage::kCode) return;  // USB stays off until the code is right
  auto s = gate_.Poll();
  if (!s) {
    view_.usb = terminal::UsbState{};
    view_.usb.kind = terminal::UsbStateKind::kError;
    view_.usb.message = s.error().message();
    view_.usb.answered = true;
  } else {
    view_.usb = std::move(*s);
  }
  if (auto stick = Stick()) {
    view_.packs = Names(terminal::FilesOnStick(*stick, ".lpk"));
    view_.public_keys = Names(terminal::FilesOnStick(*stick, ".pub"));
  } else {
    view_.packs.clear();
    view_.public_keys.clear();
  }
  if (view_.public_keys.empty()) {
    form_.key_choice = 0;
  } else if (form_.key_choice >= view_.public_keys.size()) {
    form_.key_choice = view_.public_keys.size() - 1;
  }
  if (form_.relay_choice > view_.public_keys.size()) form_.relay_choice = 0;
}

void Technician::Refresh() {
  OpenTerminal();
  view_.status.reset();
  if (terminal_) {
    auto s = health::ReadStatus(home_);
    if (s) {
      view_.status = std::move(*s);
    } else {
      view_.status_problem = s.error().message();
    }
    auto outbox = bundle::ListOutbox(*terminal_);
    view_.bundles_pending = view_.bundles_delivered = 0;
    if (outbox) {
      for (const auto& e : *outbox)
        ++(e.delivered ? view_.bundles_delivered : view_.bundles_pending);
    }
  }
  view_.disk_free_bytes = DiskFree(home_);
  view_.server = ConfiguredServer(home_);
  view_.audio = DescribeAudioOutput();
  view_.zone = terminal::ReadSystemZone(localtime_);
}

void Technician::Tick() {
  if (!active_) return;
  const std::time_t now = Seconds();
  now_ = now;
  view_.locked_seconds = locked_until_ > now ? locked_until_ - now : 0;
  PollUsb();
  if (view_.page == TechnicianPage::kLeaving) {
    const bool closed = view_.usb.kind == terminal::UsbStateKind::kClosed || gate_.fixed();
    if (closed || now - leave_started_ >= kCloseWaitSeconds) End();
    return;
  }
  if (now - last_input_ >= kIdleSeconds) {
    if (view_.page == TechnicianPage::kCode) {
      End();
    } else {
      Leave("idle");
    }
  }
}

void Technician::Leave(const char* why) {
  Journal("left", {{"why", why}});
  if (auto st = gate_.Close(); !st) Say(st.error().message(), true);
  view_.page = TechnicianPage::kLeaving;
  leave_started_ = now_;
}

void Technician::End() {
  if (check_.valid()) check_.wait();  // left while a code was being checked: its answer is moot
  check_ = {};
  checking_.reset();
  active_ = false;
  ended_ = true;
  form_.Clear();
  view_ = TechnicianView{};
  terminal_.reset();  // the kiosk opens the terminal again, seeing what was loaded
}

bool Technician::TakeEnded() {
  const bool ended = ended_;
  ended_ = false;
  return ended;
}

void Technician::Draw(const ScreenContext& ctx) {
  if (check_.valid() && check_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    FinishCheck(ctx.tr);
  }
  if (clock_change_) PollClock(ctx.tr);
  std::optional<TechnicianAction> action;
  switch (view_.page) {
    case TechnicianPage::kCode:
      action = DrawTechnicianCode(ctx, view_, form_);
      break;
    case TechnicianPage::kMenu:
      action = DrawTechnicianMenu(ctx, view_);
      break;
    case TechnicianPage::kPacks:
      action = DrawTechnicianPacks(ctx, view_);
      break;
    case TechnicianPage::kServer:
      action = DrawTechnicianServer(ctx, view_, form_);
      break;
    case TechnicianPage::kInit:
      action = DrawTechnicianInit(ctx, view_, form_);
      break;
    case TechnicianPage::kClock:
      action = DrawTechnicianClock(ctx, view_, form_);
      break;
    case TechnicianPage::kLeaving:
      DrawTechnicianLeaving(ctx, view_);
      break;
  }
  if (action) Act(ctx, *action);
}

void Technician::SubmitCode(const Catalog& tr) {
  if (check_.valid() || view_.locked_seconds > 0 || !view_.available) return;
  auto code = crypto::SecretBytes::CopyOf(AsBytes(std::string_view(form_.code.data())));
  sodium_memzero(form_.code.data(), form_.code.size());
  form_.focus = true;
  ++form_.attempt;
  if (!code) return Say(code.error().message(), true);
  if (code->empty()) return Say(tr("technician.code.empty"), true);
  checking_ = std::move(*code);
  view_.checking = true;
  view_.message.clear();
  auto verify = [file = code_file_, code = checking_->view()] {
    return terminal::VerifyTechnicianCode(file, code);
  };
  try {
    check_ = std::async(std::launch::async, verify);
  } catch (const std::system_error&) {
    // No thread to be had: check here, with the screen held meanwhile, as it was before.
    std::promise<Result<bool>> now;
    now.set_value(verify());
    check_ = now.get_future();
  }
}

void Technician::FinishCheck(const Catalog& tr) {
  Result<bool> match = check_.get();
  view_.checking = false;
  form_.focus = true;
  if (!match || !*match) checking_.reset();
  if (!match) return Say(match.error().message(), true);
  if (!*match) {
    view_.failures = ++failures_;
    const bool locked = failures_ >= kMaxFailures;
    Journal("code_refused", {{"failures", failures_}, {"locked", locked}});
    if (locked) {
      locked_until_ = now_ + kLockSeconds;
      view_.locked_seconds = kLockSeconds;
      failures_ = 0;
      return Say(tr("technician.code.wrong_locked"), true);
    }
    return Say(tr.Format("technician.code.wrong",
                         std::to_string(view_.failures) + " / " + std::to_string(kMaxFailures)),
               true);
  }
  failures_ = view_.failures = 0;
  view_.message.clear();
  // The root service checks the code again before it turns USB storage on.
  if (auto st = gate_.Open(checking_->view()); !st) Say(st.error().message(), true);
  checking_.reset();  // wiped now
  Journal("entered", {{"via", "kiosk"}});
  view_.page = TechnicianPage::kMenu;
  Refresh();
  PollUsb();
}

void Technician::ShowClock() {
  view_.page = TechnicianPage::kClock;
  view_.message.clear();
  view_.zone = terminal::ReadSystemZone(localtime_);
  form_.focus = true;
  // The fields start at the terminal's own clock, in its zone (WIB when it runs on UTC or
  // another zone): a technician changes only what is wrong.
  const terminal::Zone zone = terminal::ParseZone(view_.zone).value_or(terminal::Zone::kWib);
  const terminal::ZoneInfo& info = terminal::Describe(zone);
  const auto local = terminal::UtcToLocal(clock_.WallMs() / 1000, info.utc_offset_hours);
  auto put = [](auto& field, const std::string& text) {
    field.fill('\0');
    std::copy_n(text.begin(), std::min(text.size(), field.size() - 1), field.begin());
  };
  put(form_.date, local.date);
  put(form_.time, local.time);
  put(form_.zone, info.abbreviation);
}

void Technician::SetClock(const Catalog& tr) {
  if (clock_change_) return;  // one change at a time
  const auto zone = terminal::ParseZone(form_.zone.data());
  if (!zone) return Say(tr("technician.clock.bad_zone"), true);
  auto utc = terminal::LocalToUtc(form_.date.data(), form_.time.data(), *zone);
  if (!utc) return Say(utc.error().message(), true);
  const auto request = terminal::NewClockRequest(*utc, *zone);
  terminal::ClockChange change;
  change.old_utc_ms = clock_.WallMs();
  change.old_zone = terminal::ReadSystemZone(localtime_);
  change.new_utc_ms = *utc * 1000;
  change.new_zone = terminal::Describe(*zone).iana;
  if (auto st = clock_setter_.Send(request); !st) {
    change.message = st.error().message();
    Say(change.message, true);
    if (terminal_) {
      if (auto j = terminal::JournalClockSet(*terminal_, change); !j) {
        Say(view_.message + "\njournal: " + j.error().message(), true);
      }
    }
    return;
  }
  clock_change_ = std::move(change);
  clock_sent_ = now_;
  view_.clock_pending = true;
  view_.message.clear();
}

void Technician::PollClock(const Catalog& tr) {
  auto answer = clock_setter_.Poll();
  if (!answer) {
    if (now_ - clock_sent_ < kClockWaitSeconds) return;
    answer = terminal::ClockAnswer{false, tr("technician.clock.no_answer")};
  }
  terminal::ClockChange change = std::move(*clock_change_);
  clock_change_.reset();
  view_.clock_pending = false;
  change.applied = answer->applied;
  change.message = answer->message;
  // The zone file may have changed under this process: localtime_r reads it again only after
  // tzset, and the kiosk's clock and dates are drawn in local time.
  ::tzset();
  view_.zone = terminal::ReadSystemZone(localtime_);
  if (answer->applied) {
    const terminal::Zone zone = terminal::ParseZone(change.new_zone).value_or(terminal::Zone::kWib);
    const auto local =
        terminal::UtcToLocal(change.new_utc_ms / 1000, terminal::Describe(zone).utc_offset_hours);
    Say(tr.Format("technician.clock.done",
                  local.date + " " + local.time + " " + terminal::ZoneLabel(change.new_zone)) +
            (clock_setter_.record_only() ? "\n" + answer->message : ""),
        false);
  } else {
    Say(tr.Format("technician.clock.refused", answer->message), true);
  }
  if (terminal_) {
    if (auto st = terminal::JournalClockSet(*terminal_, change); !st) {
      Say(view_.message + "\njournal: " + st.error().message(), true);
    }
  }
  if (answer->applied) {  // the fields follow the clock just set; the message stays
    std::string message = std::move(view_.message);
    ShowClock();
    Say(std::move(message), false);
  }
}

void Technician::Act(const ScreenContext& ctx, const TechnicianAction& a) {
  const Catalog& tr = ctx.tr;
  const auto stick = Stick();
  switch (a.kind) {
    case TechnicianAction::kSubmitCode:
      return SubmitCode(tr);
    case TechnicianAction::kCancel:
      return End();
    case TechnicianAction::kReturn:
      return Leave("return");
    case TechnicianAction::kMenu:
      view_.page = TechnicianPage::kMenu;
      view_.message.clear();
      return Refresh();
    case TechnicianAction::kShowPacks:
      view_.page = TechnicianPage::kPacks;
      view_.message.clear();
      return;
    case TechnicianAction::kShowServer:
      view_.page = TechnicianPage::kServer;
      view_.message.clear();
      form_.focus = true;
      if (form_.server[0] == '\0' && !view_.server.empty()) {
        const std::string s = view_.server.substr(0, form_.server.size() - 1);
        std::copy(s.begin(), s.end(), form_.server.begin());
      }
      return;
    case TechnicianAction::kShowInit:
      view_.page = TechnicianPage::kInit;
      view_.message.clear();
      form_.focus = true;
      return;
    case TechnicianAction::kShowClock:
      return ShowClock();
    case TechnicianAction::kSetClock:
      return SetClock(tr);
    default:
      break;
  }
  if (!stick) return Say(tr("technician.needs_stick"), true);
  switch (a.kind) {
    case TechnicianAction::kLoadPack: {
      if (!terminal_ || a.index >= view_.packs.size()) return;
      const std::string name = view_.packs[a.index];
      auto r = pack::LoadPack(*terminal_, *stick / name, clock_);
      if (r) {
        const auto& h = r->header;
        const std::string what = h.exam_id + " v" + std::to_string(h.exam_version);
        Say(tr.Format(r->already_loaded ? "technician.packs.already" : "technician.packs.loaded",
                      what),
            false);
      } else {
        Say(name + ": " + r.error().message(), true);
      }
      Journal("pack_load", {{"file", name}, {"ok", r.has_value()}, {"message", view_.message}});
      return Refresh();
    }
    case TechnicianAction::kExport: {
      if (!terminal_) return;
      auto r = bundle::ExportOutbox(*terminal_, *stick);
      nlohmann::json j = {{"dir", stick->string()}, {"ok", r.has_value()}};
      if (r) {
        Say(tr.Format("technician.exported", std::to_string(r->total)) + " (" + r->dir.string() +
                ")",
            false);
        j["total"] = r->total;
        j["written"] = r->written;
      } else {
        Say(r.error().message(), true);
      }
      j["message"] = view_.message;
      return Journal("bundles_export", j);
    }
    case TechnicianAction::kEnrollment: {
      if (!terminal_) return;
      const std::filesystem::path out = *stick / (terminal_->id() + ".enroll");
      const std::string record = terminal::WriteEnrollment(*terminal_, clock_.WallMs());
      auto st = WriteFileAtomic(out, AsBytes(record), 0644, Overwrite::kReplace);
      if (st) {
        Say(tr.Format("technician.enrollment_written", out.filename().string()), false);
      } else {
        Say(st.error().message(), true);
      }
      return Journal("enrollment_write",
                     {{"file", out.string()}, {"ok", st.has_value()}, {"message", view_.message}});
    }
    case TechnicianAction::kSaveServer: {
      if (view_.public_keys.empty()) return;
      const std::filesystem::path key = *stick / view_.public_keys[form_.key_choice];
      std::optional<std::filesystem::path> relay;
      if (form_.relay_choice > 0 && form_.relay_choice <= view_.public_keys.size()) {
        relay = *stick / view_.public_keys[form_.relay_choice - 1];
      }
      auto r = terminal::WriteSyncSettings(home_, form_.server.data(), key, relay);
      nlohmann::json j = {{"server", std::string(form_.server.data())}, {"ok", r.has_value()}};
      if (r) {
        Say(tr.Format("technician.server.saved", r->server), false);
        j["server"] = r->server;
        j["server_key_id"] = r->server_key_id;
        if (!r->relay_key_id.empty()) j["relay_key_id"] = r->relay_key_id;
        view_.page = TechnicianPage::kMenu;
        Refresh();
      } else {
        Say(r.error().message(), true);
      }
      j["message"] = view_.message;
      return Journal("server_set", j);
    }
    case TechnicianAction::kInit: {
      if (terminal_ || view_.public_keys.empty()) return;
      const std::string key_name = view_.public_keys[form_.key_choice];
      auto key = crypto::ReadSigningPublicKeyFile(*stick / key_name);
      if (!key) return Say(key_name + ": " + key.error().message(), true);
      terminal::InitOptions options;
      options.site = form_.site.data();
      options.name = form_.name.data();
      options.trusted.push_back({*key, key_name});
      auto t = terminal::Terminal::Init(home_, options, clock_);
      if (!t) return Say(t.error().message(), true);
      terminal_ = std::make_unique<terminal::Terminal>(std::move(*t));
      Say(tr.Format("technician.init.done", terminal_->id()), false);
      Journal("initialised", {{"site", options.site}, {"authority_key", key_name}});
      view_.page = TechnicianPage::kMenu;
      return Refresh();
    }
    default:
      return;
  }
}

}  // namespace lontar::app
