// `lontar sync` (a terminal's outbox to a collection server) and `lontar bundles import` (a
// coordinator's USB stick to a collection server), both over libcurl. The delivery rules are in
// core/sync (sync.hpp, deliver.hpp); this file is the transport, the retry loop of `sync` and
// the output. Every pass also sends the relay a heartbeat for its room view
// (core/sync/terminal_heartbeat.hpp), and with --watch one every kHeartbeatSeconds between passes.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/bundle/export.hpp"
#include "core/bundle/receipt.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/crypto/key_file.hpp"
#include "core/sync/clock_offset.hpp"
#include "core/sync/deliver.hpp"
#include "core/sync/sync.hpp"
#include "core/sync/terminal_heartbeat.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"
#include "provision/heartbeat_client.hpp"
#include "provision/http_upload.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

std::atomic<bool> g_stop = false;
extern "C" void OnStopSignal(int) { g_stop = true; }

struct SyncArgs {
  std::filesystem::path home, server_key, relay_key, from, enrolled;
  std::string server, seat;
  bool watch = false, json = false, until_central = false;
  int attempts = 5;
  double max_backoff_s = 60;
  double poll_s = 30;
};

constexpr double kHeartbeatSeconds = 5;

// Sends one heartbeat; says on stderr when it fails, once per distinct reason (a relay that is
// away would otherwise fill the log every few seconds). Never stops the sync.
class Heartbeats {
 public:
  Heartbeats(const SyncArgs& a, const Clock& clock) : a_(a), clock_(clock), http_(a.server) {}
  // With the terminal this pass opened, or (between passes) one opened for the heartbeat.
  void Beat(terminal::Terminal* open = nullptr) {
    std::string problem;
    std::optional<terminal::Terminal> own;
    if (open == nullptr) {
      auto t = terminal::Terminal::Open(a_.home, clock_);
      if (t) {
        own.emplace(std::move(*t));
        open = &*own;
      } else {
        problem = t.error().message();
      }
    }
    if (open != nullptr) {
      const std::string seat = a_.seat.empty() ? DefaultSeat(*open) : a_.seat;
      auto sent = sync::SendHeartbeat(
          *open, a_.home, seat, [this](std::string_view hb) { return http_.Post(hb); }, clock_);
      if (!sent) problem = sent.error().message();
    }
    if (!problem.empty() && problem != last_problem_) {
      std::cerr << "sync: heartbeat not sent: " << problem << "\n";
    }
    last_problem_ = problem;
  }

 private:
  // The terminal's name when it fits on a seat tile, else its id.
  static std::string DefaultSeat(const terminal::Terminal& t) {
    return sync::ValidateSeat(t.name()) ? t.name() : t.id();
  }
  const SyncArgs& a_;
  const Clock& clock_;
  HeartbeatClient http_;
  std::string last_problem_;
};

void SleepInterruptibly(double seconds) {
  (void)sync::PauseUnlessStopped(g_stop)(
      std::chrono::milliseconds(static_cast<long>(seconds * 1e3)));
}

// "held by the relay: N, confirmed centrally: M" and what it means for the terminal.
void PrintSyncReport(const std::string& terminal_id, const sync::SyncReport& r,
                     std::size_t delivered_now, const SyncArgs& a,
                     const crypto::VerifyKey& server_key,
                     const std::optional<sync::ClockOffset>& clock) {
  if (a.json) {
    Json j;
    j["terminal_id"] = terminal_id;
    j["delivered"] = delivered_now;
    j["pending"] = r.total - r.confirmed;
    j["total"] = r.total;
    j["confirmed_centrally"] = r.confirmed;
    j["held_by_relay"] = r.held;
    j["may_switch_off"] = r.AllSafe();
    if (!r.relay_note.empty() && !r.AllConfirmed()) j["relay_note"] = r.relay_note;
    // The clock as this run's receipts measured it (core/sync/clock_offset.hpp); null when no
    // answer could be timed.
    j["clock"] = clock ? Json{{"offset_ms", clock->offset_ms},
                              {"uncertainty_ms", clock->uncertainty_ms},
                              {"signer_key_id", clock->signer_key_id},
                              {"relay", clock->relay},
                              {"off", clock->Off()},
                              {"advice", sync::ClockAdvice(*clock)}}
                       : Json();
    std::cout << j.dump(2) << "\n";
    return;
  }
  if (clock && clock->Off()) std::cout << "WARNING: " << sync::ClockAdvice(*clock) << "\n";
  if (a.relay_key.empty()) {  // straight to the collection server (or a relay not vouched for)
    std::cout << "sync " << terminal_id << ": " << delivered_now
              << " delivered now, each with a receipt signed by " << server_key.id().ToString()
              << "; " << r.total - r.confirmed << " pending, " << r.confirmed << " of " << r.total
              << " delivered in all\n";
    return;
  }
  std::cout << "sync " << terminal_id << ": held by the relay: " << r.held
            << ", confirmed centrally: " << r.confirmed << " (of " << r.total << " bundles; "
            << delivered_now << " confirmed now, receipts signed by " << server_key.id().ToString()
            << ")\n";
  if (r.AllConfirmed()) {
    std::cout << "every bundle is confirmed by the collection server: this terminal may be "
                 "switched off\n";
  } else if (r.AllSafe()) {
    std::cout << "every bundle is at least held by the relay, which signed for each: this "
                 "terminal may be switched off; the relay forwards them when the link returns";
    if (!r.relay_note.empty()) std::cout << " (it says: " << r.relay_note << ")";
    std::cout << "\n";
  }
}

Status Sync(const SyncArgs& a) {
  sync::SyncKeys keys{.server_key = {}, .relay_key = std::nullopt};
  LONTAR_ASSIGN_OR_RETURN(keys.server_key, crypto::ReadSigningPublicKeyFile(a.server_key));
  if (!a.relay_key.empty()) {
    LONTAR_ASSIGN_OR_RETURN(keys.relay_key, crypto::ReadSigningPublicKeyFile(a.relay_key));
  }
  SystemClock clock;
  HttpUploader http(a.server);
  http.set_send_clock(true);  // for the relay's list of terminals whose clock is off
  auto upload = [&http](const std::string& id, ByteView b) { return http.Send(id, b); };
  ::signal(SIGINT, OnStopSignal);
  ::signal(SIGTERM, OnStopSignal);

  Heartbeats heartbeats(a, clock);
  std::optional<sync::ClockOffset> clock_reading;  // the latest of this run
  // Waits `seconds`, with a heartbeat every kHeartbeatSeconds under --watch.
  auto wait = [&](double seconds) {
    while (a.watch && seconds > kHeartbeatSeconds && !g_stop) {
      SleepInterruptibly(kHeartbeatSeconds);
      seconds -= kHeartbeatSeconds;
      if (!g_stop) heartbeats.Beat();
    }
    SleepInterruptibly(seconds);
  };
  std::size_t delivered = 0;
  int failed_passes = 0;
  double backoff = 1;
  sync::SyncReport r;
  std::string terminal_id;
  for (;;) {
    // Each pass opens the vault afresh: the engine (kiosk, exam run) appends bundles and journal
    // records from its own process while --watch runs, and a Terminal opened once keeps the
    // journal head it read at open (appending after it would collide with theirs).
    LONTAR_ASSIGN_OR_RETURN(terminal::Terminal pass, terminal::Terminal::Open(a.home, clock));
    terminal_id = pass.id();
    LONTAR_ASSIGN_OR_RETURN(std::uint64_t next, bundle::NextBundleSeq(pass));
    http.set_outbox_highest(next - 1);
    LONTAR_ASSIGN_OR_RETURN(r, sync::SyncOutbox(pass, keys, upload, clock));
    heartbeats.Beat(&pass);
    delivered += r.delivered;
    for (const auto& e : r.errors) std::cerr << "sync: " << e << "\n";
    if (!r.clock_error.empty())
      std::cerr << "sync: clock reading not kept: " << r.clock_error << "\n";
    if (r.clock) {
      // Under --watch, said once when the clock goes off, not on every pass.
      if (r.clock->Off() && a.watch && (!clock_reading || !clock_reading->Off())) {
        std::cerr << "sync: WARNING: " << sync::ClockAdvice(*r.clock) << "\n";
      }
      clock_reading = r.clock;
    }
    const bool done = a.until_central ? r.AllConfirmed() : r.AllSafe();
    const std::string counts = "(held by the relay: " + std::to_string(r.held) +
                               ", confirmed centrally: " + std::to_string(r.confirmed) + " of " +
                               std::to_string(r.total) + ")";
    if (done) {
      failed_passes = 0;
      backoff = 1;
      if (!a.watch) break;
      wait(a.poll_s);
    } else if (!r.retryable && !a.watch) {
      // The server refused a bundle for a reason retrying will not change: say so and stop.
      // With --watch it keeps going (backing off): a refused bundle must not hold back the
      // others, and the operator may fix the cause (an enrollment record) while it runs.
      return std::unexpected(
          Error::Malformed(std::to_string(r.failed) + " of " + std::to_string(r.pending) +
                           " bundles not delivered " + counts + ": " + r.errors.front()));
    } else {
      ++failed_passes;
      if (!a.watch && failed_passes >= a.attempts) {
        const std::string what =
            r.AllSafe() ? std::to_string(r.total - r.confirmed) +
                              " bundles held by the relay, not yet confirmed centrally,"
                        : std::to_string(r.total - r.confirmed - r.held) + " bundles still pending";
        return std::unexpected(
            Error::Io(what + " after " + std::to_string(failed_passes) + " attempts " + counts +
                      (r.errors.empty() ? (r.relay_note.empty() ? "" : ": " + r.relay_note)
                                        : ": " + r.errors.front())));
      }
      if (!r.AllSafe()) std::cerr << "sync: retrying in " << backoff << " s\n";
      wait(backoff);
      backoff = std::min(backoff * 2, a.max_backoff_s);
    }
    if (g_stop) break;
  }
  PrintSyncReport(terminal_id, r, delivered, a, keys.server_key, clock_reading);
  return Ok();
}

Result<std::vector<crypto::VerifyKey>> EnrolledKeys(const std::filesystem::path& dir) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<terminal::Enrollment> records,
                          terminal::ReadEnrollmentDir(dir));
  if (records.empty()) {
    return std::unexpected(Error::NotFound(dir.string() + " holds no enrollment records"));
  }
  return terminal::SigningKeysOf(records);
}

Status Import(const SyncArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey server_key,
                          crypto::ReadSigningPublicKeyFile(a.server_key));
  LONTAR_ASSIGN_OR_RETURN(std::vector<crypto::VerifyKey> keys, EnrolledKeys(a.enrolled));
  const auto dirs = bundle::ExportedTerminalDirs(a.from);
  if (dirs.empty()) {
    return std::unexpected(
        Error::NotFound(a.from.string() + " holds no exported bundles (no manifest.json)"));
  }
  ::signal(SIGINT, OnStopSignal);
  ::signal(SIGTERM, OnStopSignal);
  HttpUploader http(a.server);
  auto upload = [&http](const std::string& id, ByteView b) { return http.Send(id, b); };
  const sync::RetryPolicy retry{.attempts = a.attempts,
                                .first_backoff = std::chrono::seconds(1),
                                .pause = sync::PauseUnlessStopped(g_stop)};
  std::size_t uploaded = 0, failed = 0, problems = 0, unproven = 0;
  std::string first_error;
  Json report = Json::array();
  for (const auto& d : dirs) {
    Json j;
    j["dir"] = d.string();
    // The stick is checked against its signed manifest first, so that what is missing from it
    // is reported here, on the coordinator's laptop, and not discovered at the server.
    auto check = bundle::CheckExport(d, keys);
    if (!check) {
      ++problems;
      if (first_error.empty()) first_error = check.error().message();
      std::cerr << "import: " << d.string() << ": " << check.error().message() << "\n";
      j["error"] = check.error().message();
      report.push_back(std::move(j));
      continue;
    }
    if (!check->ok()) ++problems;
    for (const auto& m : check->missing)
      std::cerr << "import: missing from the stick: " << m << "\n";
    for (const auto& b : check->bad) std::cerr << "import: damaged, not sent: " << b << "\n";
    std::size_t sent = 0, stored = 0, already = 0, not_proven = 0;
    for (const auto& f : check->good) {
      auto outcome = sync::DeliverBundleFile(f, keys, server_key, upload, retry);
      if (!outcome) {
        ++failed;
        if (first_error.empty()) first_error = outcome.error().message();
        std::cerr << "import: " << outcome.error().message() << "\n";
      } else {
        ++sent;
        (outcome->answer.already_stored ? already : stored) += 1;
        not_proven += outcome->Proven() ? 0 : 1;
        if (outcome->receipt_check == sync::ReceiptCheck::kDoesNotVerify) {
          std::cerr << "import: " << f.string()
                    << ": the server stored it, but its receipt did not verify: "
                    << outcome->receipt_error->message()
                    << ". Check that --server-key is this server's public key and import again "
                       "(nothing is stored twice)\n";
        } else if (!outcome->Proven()) {
          std::cerr << "import: " << f.string()
                    << ": the server's receipt names another bundle; import again\n";
        }
      }
      if (g_stop) break;
    }
    uploaded += sent;
    unproven += not_proven;
    j["terminal_id"] = check->terminal_id;
    j["listed"] = check->listed;
    j["uploaded"] = sent;
    j["stored"] = stored;
    j["already_stored"] = already;
    j["receipts_not_verified"] = not_proven;
    j["missing"] = check->missing;
    j["bad"] = check->bad;
    j["gaps"] = check->gaps;
    if (!a.json) {
      std::cout << check->terminal_id << ": " << sent << " of " << check->listed
                << " bundles uploaded (" << stored << " new, " << already << " already stored)";
      if (not_proven > 0) {
        std::cout << "; " << not_proven << " receipts did not verify with "
                  << server_key.id().ToString();
      } else if (sent > 0) {
        std::cout << ", each receipt verified";
      }
      std::cout << (check->ok() ? "" : " (the stick has problems: see above)") << "\n";
    }
    report.push_back(std::move(j));
    if (g_stop) break;
  }
  if (a.json) std::cout << report.dump(2) << "\n";
  if (unproven > 0 && failed == 0 && problems == 0) {
    return std::unexpected(Error::Untrusted(
        std::to_string(uploaded) + " bundles uploaded and stored, but " + std::to_string(unproven) +
        " receipts did not verify with --server-key (key " + server_key.id().ToString() +
        "): check that it is this server's public key (server.pub) and import again"));
  }
  if (failed > 0 || problems > 0) {
    return std::unexpected(Error::Io(
        std::to_string(uploaded) + " uploaded (" + std::to_string(unproven) +
        " receipts not verified), " + std::to_string(failed) + " not uploaded, " +
        std::to_string(problems) + " terminal directories with problems; first: " + first_error));
  }
  return Ok();
}

}  // namespace

void RegisterSyncCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<SyncArgs>();
  auto* sync = app.add_subcommand(
      "sync", "upload pending outbox bundles to a collection server; keep its signed receipts");
  AddHomeOption(*sync, args->home);
  sync->add_option("--server", args->server, "e.g. http://10.0.0.2:8470")->required();
  sync->add_option("--server-key", args->server_key,
                   "the collection server's Ed25519 public key (server.pub)")
      ->required();
  sync->add_option("--relay-key", args->relay_key,
                   "through a site relay: the relay's public key (relay.pub), so that bundles "
                   "the relay signs for count as held while the collection server is out of reach");
  sync->add_flag("--until-central", args->until_central,
                 "keep asking until the collection server has confirmed every bundle (without "
                 "it, sync succeeds once every bundle is at least held by the relay)");
  sync->add_flag("--watch", args->watch, "keep running: retry while the link comes and goes");
  sync->add_option("--attempts", args->attempts, "passes before giving up (without --watch)")
      ->capture_default_str();
  sync->add_option("--poll", args->poll_s, "seconds between passes with --watch")
      ->capture_default_str();
  sync->add_option("--seat", args->seat,
                   "seat label shown on the relay's room view, e.g. A-07 (default: the "
                   "terminal's name, or its id when the name is over 32 characters)");
  AddJsonFlag(*sync, args->json);
  runner.RunOnCall(*sync, [args] { return Sync(*args); });

  CLI::App* bundles = app.get_subcommand("bundles");
  auto* import = bundles->add_subcommand(
      "import", "upload every bundle on an exported USB stick to a collection server");
  import->add_option("--from", args->from, "the stick (or lontar-bundles/, or one terminal's)")
      ->required();
  import->add_option("--server", args->server, "e.g. http://10.0.0.2:8470")->required();
  import->add_option("--server-key", args->server_key, "the server's Ed25519 public key (.pub)")
      ->required();
  import->add_option("--enrolled", args->enrolled, "directory of enrollment records (*.enroll)")
      ->required();
  import->add_option("--attempts", args->attempts, "tries per bundle on transport errors")
      ->capture_default_str();
  AddJsonFlag(*import, args->json);
  runner.RunOnCall(*import, [args] { return Import(*args); });
}

}  // namespace lontar::cli
