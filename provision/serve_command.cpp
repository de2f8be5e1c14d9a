// `lontar serve`: the collection server over HTTP. Everything that is not HTTP lives in
// core/server/ (Store, receipts); this file maps requests to it and errors to status codes.
//
//   PUT /v1/bundles/{bundle id hex}   body: the .lrb bytes. 201 + receipt (new), 200 + the
//                                     original receipt (duplicate), 4xx {"error": "..."}.
//   GET /v1/receipts/{receipt code}   what the code names (no participant number), and the receipt
//   GET /receipt[?code=CODE]          the same for people: a form and a plain answer (HTML)
//   GET /v1/status.json               per site: terminals, bundles, seq gaps, flags, last seen
//   GET /status, GET /                the same as an HTML page, every string escaped, with the
//                                     room view (tiles per seat from terminals' heartbeats)
//   POST /v1/heartbeat, GET /v1/room.json   the room view (provision/room_routes.hpp)
//
// A PUT may carry X-Lontar-Outbox-Highest: N (the terminal's highest bundle number; sent by
// `lontar sync`), kept in memory for the status page (core/server/outbox_reports.hpp). A relay
// passes it on: each bundle it forwards carries what that bundle's terminal said here last. A PUT
// may also carry X-Lontar-Terminal-Clock: MS (the terminal's wall clock as it sent), which puts a
// terminal whose clock is off on the status page's list even when it sends no heartbeats
// (core/server/room.hpp).
//
// Times on the HTML pages are written in the site's zone, named (--time-zone, default WIB:
// "2026-12-06 08:15 WITA"); JSON carries UTC, as the store does.
//
// With --relay-to URL (a site relay): a PUT is stored here as above, queued for upstream
// (core/server/relay.hpp), and answered with the upstream's receipt when it comes within
// --relay-wait (or at once when the upstream is out of reach); otherwise 202 {"error": why,
// "held": true, "relay_receipt": this relay's own receipt, signed as it answers so that its
// signed_ms is the relay's clock now}: the bundle is durably here, which a terminal given the
// relay's key (`lontar sync --relay-key`) counts as held (and reads the relay's time from), and
// it asks again later for the upstream receipt.
//
// What one client can make the server hold is bounded in provision/http_limits.hpp: the request
// head is read and checked before the library sees it, a body must declare its size (411 for
// chunked or unsized bodies, 413 over the cap, both before any body byte is read), and each
// request has a time limit (--request-timeout) besides the per-read one (--read-timeout).
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/crypto/key_file.hpp"
#include "core/pack/pack_format.hpp"
#include "core/server/outbox_reports.hpp"
#include "core/server/relay.hpp"
#include "core/server/room.hpp"
#include "core/server/room_page.hpp"
#include "core/server/store.hpp"
#include "core/sync/clock_offset.hpp"
#include "core/sync/protocol.hpp"
#include "core/util/time_zone.hpp"
#include "provision/cli.hpp"
#include "provision/http_limits.hpp"
#include "provision/http_upload.hpp"
#include "provision/receipt_page.hpp"
#include "provision/room_routes.hpp"
#include "provision/status_page.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

// Connections waiting to be accepted. cpp-httplib as Debian builds it (0.11) listens with a
// backlog of 5, fixed when the library was compiled: with more uploaders than that connecting at
// once, the accept queue overflows and their SYNs are dropped and retransmitted after 1 s (then
// 3 s), which made the 99th percentile of an upload about a second with 16 clients. The kernel
// caps it at net.core.somaxconn (4096 on current kernels).
constexpr int kListenBacklog = 1024;

struct ServeArgs {
  std::string listen = "127.0.0.1:8470";
  std::filesystem::path store, enrolled, key;
  std::string db;  // postgresql://... instead of --store
  std::uint64_t max_bundle_mb = 16;
  bool pipelined_commits = false;
  int read_timeout_s = 10;
  int request_timeout_s = 60;
  int threads = 32;
  std::string relay_to;
  std::filesystem::path relay_key;
  int relay_wait_ms = 5000;
  std::filesystem::path packs;
  std::vector<std::filesystem::path> trust;
  int room_silent_after_s = 60;
  std::string time_zone = "WIB";
  // Tests only: this server's clock runs this many ms ahead of the machine's (negative: behind),
  // so that a test can sync a terminal against a server whose clock is off.
  std::int64_t clock_offset_for_tests_ms = 0;
};

// The machine's clock shifted by a fixed amount (--clock-offset-for-tests).
class ShiftedClock final : public Clock {
 public:
  explicit ShiftedClock(std::int64_t offset_ms) : offset_ms_(offset_ms) {}
  std::int64_t MonotonicNs() const override { return system_.MonotonicNs(); }
  std::int64_t WallMs() const override { return system_.WallMs() + offset_ms_; }

 private:
  SystemClock system_;
  std::int64_t offset_ms_;
};

void JsonError(httplib::Response& res, int status, const std::string& message,
               std::string_view kind) {
  res.status = status;
  Json j;
  j["error"] = message;
  j["kind"] = kind;
  res.set_content(j.dump() + "\n", "application/json");
}

// The terminal's own word on its outbox (sync::kOutboxHighestHeader): digits only, else ignored.
std::optional<std::uint64_t> OutboxHighest(const httplib::Request& req) {
  const std::string v = req.get_header_value(sync::kOutboxHighestHeader);
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(v);
}

// What the terminal that signed `bundle` last said here about its outbox's highest number; 0
// (nothing to pass on) when it said nothing or the bytes do not name a terminal. The bundle was
// verified when this server accepted it; this only reads its header.
std::uint64_t ReportedHighest(const server::OutboxReports& reports, ByteView bundle) {
  auto envelope = bundle::ParseEnvelope(bundle);
  if (!envelope) return 0;
  auto header = bundle::ParseHeader(envelope->header_json);
  if (!header) return 0;
  const auto all = reports.Snapshot();
  const auto it = all.find(header->terminal_id);
  return it == all.end() ? 0 : it->second.highest;
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return std::unexpected(Error::InvalidArgument("--listen " + listen + ": expected HOST:PORT"));
  }
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return std::unexpected(Error::InvalidArgument("--listen " + listen + ": bad port"));
  }
  return std::pair{listen.substr(0, colon), std::stoi(port)};
}

// The terminal's wall clock as it sent (sync::kTerminalClockHeader): digits, an optional minus,
// else ignored.
std::optional<std::int64_t> TerminalClock(const httplib::Request& req) {
  std::string v = req.get_header_value(sync::kTerminalClockHeader);
  const bool negative = v.starts_with("-");
  if (negative) v.erase(0, 1);
  if (v.empty() || v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const std::int64_t ms = std::stoll(v);
  return negative ? -ms : ms;
}

// A relay's answer to an upload it has stored: the upstream receipt if it comes in time, else a
// 202 that the uploader takes as "not delivered yet", with the relay's own receipt signed now.
void RelayReply(server::Relay& relay, const server::Store& store, const std::string& id,
                const std::string& body, const server::Accepted& accepted,
                std::chrono::milliseconds wait, httplib::Response& res) {
  if (auto st = relay.Enqueue(id, AsBytes(body)); !st) {
    // Stored here but not queued: no receipt of any kind, so the terminal sends it again.
    JsonError(res, 503, "relay could not queue the bundle: " + st.error().message(), "io");
    return;
  }
  auto upstream = relay.AwaitUpstream(id, wait);
  if (upstream && upstream->has_value()) {
    res.status = accepted.duplicate ? sync::kStatusDuplicate : sync::kStatusStored;
    res.set_content(**upstream, "application/json");
    return;
  }
  std::string why = "held by this relay, not yet confirmed by the collection server";
  if (auto stats = relay.Stats(); stats && !stats->last_error.empty()) {
    // One plain sentence for the terminal's operator: the upstream's address, not the URL of
    // whichever bundle failed last (its 64 hex digits are on the relay's status page).
    std::string failed = stats->last_error;
    if (const auto at = failed.find(sync::kBundlesPath); at != std::string::npos) {
      const auto end = failed.find_first_not_of("0123456789abcdef", at + sync::kBundlesPath.size());
      failed.erase(at, (end == std::string::npos ? failed.size() : end) - at);
    }
    if (const auto colon = failed.find(": "); colon != std::string::npos) {
      why += ": the relay's last attempt to reach " + failed.substr(0, colon) +
             " failed: " + failed.substr(colon + 2);
    } else {
      why += ": the relay's last attempt to reach it failed: " + failed;
    }
  }
  Json j;
  j["error"] = why;
  j["held"] = true;
  j["relay_receipt"] = store.SignReceiptNow(accepted.receipt);
  res.status = sync::kStatusRelayHeld;
  res.set_content(j.dump() + "\n", "application/json");
}

// The sessions the server should hear from: the signed headers of the packs in --packs.
Result<std::vector<server::ExpectedSession>> LoadExpected(const ServeArgs& a) {
  if (a.trust.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "--packs needs --trust authority.pub: the packs' signatures are checked before their "
        "headers are read"));
  }
  std::vector<crypto::VerifyKey> trusted;
  for (const auto& t : a.trust) {
    LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey k, crypto::ReadSigningPublicKeyFile(t));
    trusted.push_back(k);
  }
  return server::LoadExpectedSessions(a.packs, trusted);
}

// The relay's queue and its upstream connection (used by the forwarder thread only). Each bundle
// goes upstream with what its terminal last said here about its outbox (`reports`), so that the
// central status page shows bundles held on terminals behind this relay too.
Result<std::unique_ptr<server::Relay>> OpenRelay(const ServeArgs& a, const Clock& clock,
                                                 const server::OutboxReports& reports) {
  if (a.relay_to.empty() || a.relay_key.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "a relay needs both --relay-to URL and --relay-key (the upstream server's public key, "
        "to check the receipts it sends back)"));
  }
  if (a.store.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "a relay keeps its forwarding queue beside its store: give --store DIR (a site relay "
        "needs no database server)"));
  }
  if (!a.relay_to.starts_with("http://") && !a.relay_to.starts_with("https://")) {
    return std::unexpected(Error::InvalidArgument("--relay-to " + a.relay_to +
                                                  ": expected http://HOST:PORT or https://..."));
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey upstream,
                          crypto::ReadSigningPublicKeyFile(a.relay_key));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto http = std::make_shared<HttpUploader>(a.relay_to);
  auto upload = [http, &reports](const std::string& id, ByteView bytes) {
    http->set_outbox_highest(ReportedHighest(reports, bytes));
    return http->Put(id, bytes);
  };
  return server::Relay::Open(a.store, upstream, upload, clock);
}

// The room view's board: heartbeats are taken from the terminals enrolled with the store.
server::RoomBoard RoomBoardFor(const server::Store& s, const ServeArgs& a, const TimeZone& zone) {
  std::vector<terminal::Enrollment> enrolled;
  for (const auto& [id, e] : s.enrolled()) enrolled.push_back(e);
  return server::RoomBoard(enrolled, {.silent_after_ms = std::int64_t{a.room_silent_after_s} * 1000,
                                      .clock_off_ms = sync::kClockWarnMs,
                                      .zone = zone});
}

Status Serve(const ServeArgs& a) {
  // Each upload's body (tens of KB) is allocated and freed by its worker thread. By default
  // glibc gives the freed top of a thread's heap back to the kernel (madvise) as soon as it
  // passes 128 KB, and each give-back flushes the TLB of every core the process runs on: a
  // few percent of the server's CPU under load. Keep up to 64 MB per heap instead.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  LONTAR_ASSIGN_OR_RETURN(auto hostport, ParseListen(a.listen));
  LONTAR_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::ReadSigningSecretKeyFile(a.key));
  LONTAR_ASSIGN_OR_RETURN(const TimeZone zone, ParseTimeZone(a.time_zone));
  const ShiftedClock clock(a.clock_offset_for_tests_ms);
  server::StoreOptions options;
  options.max_bundle_bytes = a.max_bundle_mb << 20;
  options.pipelined_commits = a.pipelined_commits;
  LONTAR_ASSIGN_OR_RETURN(
      std::unique_ptr<server::StoreBackend> backend,
      server::OpenStoreBackend({a.store, a.db}, server::StoreAccess::kReadWrite));
  for (const std::string& note : backend->OpenNotes()) {
    std::cerr << "lontar serve: " << note << "\n";
  }
  LONTAR_ASSIGN_OR_RETURN(
      std::unique_ptr<server::Store> store,
      server::Store::Open(std::move(backend), a.enrolled, std::move(key), clock, options));
  std::vector<server::ExpectedSession> expected;
  if (!a.packs.empty()) {
    LONTAR_ASSIGN_OR_RETURN(expected, LoadExpected(a));
  }
  // What terminals say about their outboxes; outlives the relay, whose forwarder reads it.
  server::OutboxReports outbox_reports;
  std::unique_ptr<server::Relay> relay_ptr;
  if (!a.relay_to.empty() || !a.relay_key.empty()) {
    LONTAR_ASSIGN_OR_RETURN(relay_ptr, OpenRelay(a, clock, outbox_reports));
  }

  // SIGTERM / SIGINT are taken by one thread with sigwait, which stops the server; the workers
  // inherit the blocked mask, so no handler runs in the middle of a request.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  BoundedServer http(HttpLimits{.max_body_bytes = options.max_bundle_bytes,
                                .io_timeout = std::chrono::seconds(a.read_timeout_s),
                                .request_timeout = std::chrono::seconds(a.request_timeout_s)});
  // A second line of defence: the bounded stream has refused larger bodies already.
  http.set_payload_max_length(options.max_bundle_bytes);
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    // The bounded stream cut the body off at the request's time limit: say so (408), not 400.
    if (auto cut = CurrentRequestCutOff()) {
      JsonError(res, cut->first, cut->second, "io");
      return;
    }
    std::string message = "HTTP " + std::to_string(res.status);
    if (res.status == 413) message = "bundle oversized: the body exceeds this server's size cap";
    if (res.status == 404) message = "no such endpoint";
    Json j;
    j["error"] = message;
    res.set_content(j.dump() + "\n", "application/json");
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        JsonError(res, 500, "internal error", "internal");
      });

  server::Store& s = *store;
  server::Relay* relay = relay_ptr.get();
  const std::chrono::milliseconds relay_wait(a.relay_wait_ms);
  server::RoomBoard room = RoomBoardFor(s, a, zone);
  AddRoomRoutes(http, room, clock);
  const std::uint64_t max_bundle_bytes = options.max_bundle_bytes;
  // The body is read by the handler itself (ReadCurrentRequestBody: into one buffer of its
  // declared size, straight from the socket), not by the library, which would step it through a
  // 4 KiB buffer into a string grown by appending: three copies of every bundle and a zero fill.
  http.Put(
      std::string(sync::kBundlesPath) + "([^/]*)",
      [&s, relay, relay_wait, &outbox_reports, &room, &clock, max_bundle_bytes](
          const httplib::Request& req, httplib::Response& res, const httplib::ContentReader&) {
        std::string body;
        if (!ReadCurrentRequestBody(body)) {
          // As the library answers a body it could not read: the time limit's message, else 400.
          const auto cut = CurrentRequestCutOff();
          JsonError(res, cut ? cut->first : 400,
                    cut ? cut->second : "the request's body ended before its Content-Length",
                    cut ? "io" : "malformed");
          return;
        }
        const std::string id = req.matches[1];
        if (!sync::IsBundleIdHex(id)) {
          JsonError(
              res, 400,
              "malformed bundle id '" + id.substr(0, 80) + "': expected 64 lower-case hex digits",
              "malformed");
          return;
        }
        // Over the cap: refused by its size (the bounded stream has refused larger declared bodies
        // already; this is the second line), not by reading the store's message.
        if (body.size() > max_bundle_bytes) {
          JsonError(res, sync::kStatusTooLarge,
                    "bundle oversized: " + std::to_string(body.size()) +
                        " bytes, this server takes at most " + std::to_string(max_bundle_bytes),
                    "malformed");
          return;
        }
        auto raw = HexDecode(id);
        crypto::Hash256 expected{};
        std::copy(raw->begin(), raw->end(), expected.begin());
        auto accepted = s.Accept(AsBytes(body), expected);
        if (!accepted) {
          JsonError(res, sync::StatusFor(accepted.error().kind()), accepted.error().message(),
                    ErrorKindName(accepted.error().kind()));
          std::cerr << "serve: refused PUT " << id.substr(0, 16) << " from " << req.remote_addr
                    << ": " << accepted.error().message() << "\n";
          return;
        }
        for (const auto& f : accepted->flags) {
          std::cerr << "serve: " << accepted->receipt.terminal_id << " " << f << "\n";
        }
        if (auto highest = OutboxHighest(req)) {
          outbox_reports.Note(accepted->receipt.terminal_id, *highest, clock.WallMs());
        }
        if (auto terminal_ms = TerminalClock(req)) {
          room.NoteUploadClock(accepted->receipt.terminal_id, *terminal_ms, clock.WallMs());
        }
        if (relay != nullptr) return RelayReply(*relay, s, id, body, *accepted, relay_wait, res);
        res.status = accepted->duplicate ? sync::kStatusDuplicate : sync::kStatusStored;
        res.set_content(accepted->receipt_text, "application/json");
      });
  http.Get(std::string(sync::kReceiptsPath) + "([^/]*)",
           [&s](const httplib::Request& req, httplib::Response& res) {
             auto b = s.FindByCode(req.matches[1].str());
             if (!b) {
               JsonError(res, sync::StatusFor(b.error().kind()), b.error().message(),
                         ErrorKindName(b.error().kind()));
               return;
             }
             Json j = bundle::BundleFactsJson(server::FactsOf(*b));
             j["stored"] = pack::FormatTime(b->stored_ms);
             j["receipt"] = b->receipt_text;
             res.set_content(j.dump(2) + "\n", "application/json");
           });
  // For people: a form for the code and the answer in plain words (receipt_page.hpp).
  http.Get("/receipt", [&s, relay](const httplib::Request& req, httplib::Response& res) {
    ReceiptLookup l;
    l.code = req.get_param_value("code").substr(0, 64);
    l.is_relay = relay != nullptr;
    l.server_key_id = s.server_key().id().ToString();
    if (!l.code.empty()) {
      auto b = s.FindByCode(l.code);
      if (b) {
        l.found = true;
        l.stored_ms = b->stored_ms;
        if (relay != nullptr) {
          if (auto at = relay->ForwardedAt(b->bundle_id); at) l.confirmed_ms = *at;
        }
      } else {
        l.error = b.error().message();
        res.status = b.error().kind() == ErrorKind::kNotFound ? 404 : 400;
      }
    }
    res.set_content(ReceiptHtml(l), "text/html; charset=utf-8");
  });
  const std::string upstream = a.relay_to;
  auto relay_view = [relay, upstream]() -> std::optional<RelayView> {
    if (relay == nullptr) return std::nullopt;
    auto stats = relay->Stats();
    if (!stats) return RelayView{upstream, {.last_error = stats.error().message()}};
    return RelayView{upstream, *stats};
  };
  http.Get("/v1/status.json", [&s, &expected, relay_view, &outbox_reports](const httplib::Request&,
                                                                           httplib::Response& res) {
    auto st = s.Status();
    if (!st) return JsonError(res, 500, st.error().message(), ErrorKindName(st.error().kind()));
    const auto sessions = server::CompareSessions(expected, st->sessions);
    res.set_content(
        StatusJson(*st, s.server_key(), sessions, relay_view(), outbox_reports.Snapshot()).dump(2) +
            "\n",
        "application/json");
  });
  auto status_page = [&s, &expected, relay_view, &outbox_reports, &room, &clock, zone](
                         const httplib::Request&, httplib::Response& res) {
    auto st = s.Status();
    if (!st) return JsonError(res, 500, st.error().message(), ErrorKindName(st.error().kind()));
    const auto sessions = server::CompareSessions(expected, st->sessions);
    res.set_content(
        StatusHtml(*st, s.server_key(), sessions, relay_view(), outbox_reports.Snapshot(),
                   server::RoomHtml(room.View(clock.WallMs())), zone),
        "text/html; charset=utf-8");
  };
  http.Get("/status", status_page);
  http.Get("/", status_page);  // the bare address a coordinator types

  // The listening socket passes through the socket options hook before it is bound; once bound
  // (and listening with the library's backlog), listen() again on it sets kListenBacklog: Linux
  // takes a listen() on a listening socket as a new backlog.
  int listen_fd = -1;
  http.set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  int port = hostport.second;
  if (port == 0) {
    port = http.bind_to_any_port(hostport.first);
    if (port < 0) {
      return std::unexpected(Error::Io("cannot listen on " + a.listen));
    }
  } else if (!http.bind_to_port(hostport.first, port)) {
    return std::unexpected(Error::Io("cannot listen on " + a.listen + " (in use?)"));
  }
  if (listen_fd < 0 || ::listen(listen_fd, kListenBacklog) != 0) {
    return std::unexpected(Error::FromErrno(
        "raise the listen backlog of " + a.listen + " to " + std::to_string(kListenBacklog),
        listen_fd < 0 ? EBADF : errno));
  }
  std::cout << "lontar serve: listening on http://" << hostport.first << ":" << port << "/ with "
            << store->enrolled_count() << " enrolled terminals, " << store->Describe()
            << ", server key " << store->server_key().id().ToString() << std::endl;

  if (a.clock_offset_for_tests_ms != 0) {
    std::cout << "lontar serve: TEST CLOCK: this server's clock is shifted by "
              << a.clock_offset_for_tests_ms << " ms (--clock-offset-for-tests)" << std::endl;
  }
  if (!a.packs.empty()) {
    std::cout << "lontar serve: expecting " << expected.size() << " sessions (packs in "
              << a.packs.string() << ")" << std::endl;
  }
  if (relay_ptr != nullptr) {
    relay_ptr->Start();
    std::cout << "lontar serve: relaying to " << a.relay_to << " (receipts checked with "
              << "upstream key file " << a.relay_key.string() << ")" << std::endl;
  }
  std::atomic<bool> stopping = false;
  std::thread waiter([&http, &stopping, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    stopping = true;
    http.Stop();
  });
  // Workers mostly wait for their group commit, not the CPU: every request being served has its
  // bundle in the next batch, so there should be at least as many workers as uploads arrive at
  // once (each batch then takes them all, for one sync). Idle keep-alive connections hold none.
  const bool ok = http.Run(static_cast<std::size_t>(a.threads));
  const bool asked = stopping.load();
  // If listen ended on its own, wake the waiter so that it can be joined.
  if (!asked) ::kill(::getpid(), SIGTERM);
  waiter.join();
  if (!ok && !asked) return std::unexpected(Error::Io("the listening socket failed"));
  std::cout << "lontar serve: stopped" << std::endl;
  return Ok();
}

}  // namespace

void RegisterServeCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand(
      "serve",
      "the collection server: receive result bundles from enrolled terminals, sign "
      "receipts, show what is missing");
  serve->add_option("--listen", args->listen, "HOST:PORT (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--store", args->store, "store directory (created if missing)");
  serve->add_option("--db", args->db,
                    "or a PostgreSQL database instead: postgresql://USER[:PASSWORD]@HOST/DB");
  serve->add_option("--enrolled", args->enrolled, "directory of enrollment records (*.enroll)")
      ->required();
  serve->add_option("--key", args->key, "the server's Ed25519 secret key (lontar keys new server)")
      ->required();
  serve
      ->add_option("--max-bundle-mb", args->max_bundle_mb,
                   "size cap of one upload, MiB (a bundle is at most 64; a sitting is ~2)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve->add_flag("--pipelined-commits", args->pipelined_commits,
                  "write each batch of uploads while the one before it syncs (helps where the "
                  "disk's sync, not the CPU, is the bound: docs/server.md)");
  serve->add_option("--read-timeout", args->read_timeout_s, "seconds a client may stall")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--request-timeout", args->request_timeout_s,
                   "seconds a client has to send one whole request (and again to read the reply)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--threads", args->threads,
                   "worker threads (each serves one request at a time; idle connections hold none)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  serve->add_option("--relay-to", args->relay_to,
                    "relay mode: forward every bundle to this upstream server "
                    "(http://HOST:PORT or https://HOST)");
  serve->add_option("--relay-key", args->relay_key,
                    "relay mode: the upstream server's public key (server.pub); terminals check "
                    "this relay's own receipts with the public half of --key (relay.pub)");
  serve
      ->add_option("--relay-wait", args->relay_wait_ms,
                   "relay mode: milliseconds an upload waits for the upstream receipt")
      ->capture_default_str()
      ->check(CLI::Range(0, 60000));
  serve->add_option("--packs", args->packs,
                    "directory of the session packs (*.lpk): the status page shows the terminals "
                    "and candidates each expects");
  serve->add_option("--trust", args->trust,
                    "authority public key(s) the --packs must be signed by");
  serve
      ->add_option("--room-silent-after", args->room_silent_after_s,
                   "room view: seconds without a heartbeat before a seat shows as silent")
      ->capture_default_str()
      ->check(CLI::Range(5, 3600));
  serve
      ->add_option("--time-zone", args->time_zone,
                   "the site's time zone, in which the status page writes times: WIB, WITA, WIT, "
                   "UTC or UTC+HH:MM (storage and JSON stay UTC)")
      ->capture_default_str();
  // Hidden (no group): for tests that need a server whose clock is off. Never on a real server.
  serve
      ->add_option("--clock-offset-for-tests", args->clock_offset_for_tests_ms,
                   "TESTS ONLY: run this server's clock this many ms ahead (negative: behind)")
      ->group("");
  serve->callback([&runner, args] { runner.Run([&] { return Serve(*args); }); });
}

}  // namespace lontar::cli
