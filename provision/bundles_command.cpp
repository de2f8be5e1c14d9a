// `lontar bundles list|export|verify`: the result bundles in a terminal's outbox, copying them
// to a USB stick, and checking a bundle file anywhere.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/bundle/bundle_json.hpp"
#include "core/bundle/export.hpp"
#include "core/bundle/outbox.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/crypto/key_file.hpp"
#include "core/pack/pack_format.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

struct BundlesArgs {
  std::filesystem::path home, to, enrolled, terminal_key;
  std::vector<std::filesystem::path> files;
  bool json = false;
};

std::string Megabytes(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

Status List(const BundlesArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  LONTAR_ASSIGN_OR_RETURN(std::vector<bundle::OutboxEntry> entries, bundle::ListOutbox(t));
  std::size_t pending = 0;
  for (const auto& e : entries) pending += e.delivered ? 0 : 1;
  if (a.json) {
    Json out;
    out["terminal_id"] = t.id();
    out["site"] = t.site();
    out["pending"] = pending;
    out["delivered"] = entries.size() - pending;
    Json list = Json::array();
    for (const auto& e : entries) {
      Json j;
      j["seq"] = e.seq;
      j["receipt_code"] = e.receipt_code;
      j["bundle_id"] = HexEncode(e.bundle_id);
      j["participant"] = e.participant;
      j["exam_id"] = e.exam_id;
      j["kind"] = bundle::KindName(e.kind);
      j["state"] = e.delivered ? "delivered" : "pending";
      j["created_ms"] = e.created_ms;
      j["created"] = pack::FormatTime(e.created_ms);
      if (e.delivered) {
        j["delivered_ms"] = e.delivered_ms;
        j["receipt"] = Base64Encode(e.receipt);
      }
      j["file"] = e.file.string();
      list.push_back(std::move(j));
    }
    out["bundles"] = std::move(list);
    std::cout << out.dump(2) << "\n";
    return Ok();
  }
  if (entries.empty()) {
    std::cout << "outbox of " << t.id() << " is empty\n";
    return Ok();
  }
  std::printf("%-6s  %-14s  %-14s  %-14s  %-9s  %-9s  %s\n", "SEQ", "RECEIPT", "PARTICIPANT",
              "EXAM", "KIND", "STATE", "CREATED (UTC)");
  for (const auto& e : entries) {
    std::printf("%-6llu  %-14s  %-14s  %-14s  %-9s  %-9s  %s\n",
                static_cast<unsigned long long>(e.seq), e.receipt_code.c_str(),
                e.participant.c_str(), e.exam_id.c_str(),
                std::string(bundle::KindName(e.kind)).c_str(),
                e.delivered ? "delivered" : "pending", pack::FormatTime(e.created_ms).c_str());
  }
  std::printf("%zu bundles: %zu pending, %zu delivered\n", entries.size(), pending,
              entries.size() - pending);
  return Ok();
}

Status Export(const BundlesArgs& a) {
  SystemClock clock;
  LONTAR_ASSIGN_OR_RETURN(terminal::Terminal t, terminal::Terminal::Open(a.home, clock));
  const bool tty = ::isatty(2) != 0;
  auto progress = [tty](const bundle::ExportProgress& p) {
    // One line rewritten in place on a terminal; one line per bundle in a log.
    std::cerr << (tty ? "\r" : "") << "bundles export: " << p.done << "/" << p.total << " bundles, "
              << Megabytes(p.bytes_written) << " written" << (tty && p.done < p.total ? "" : "\n")
              << std::flush;
  };
  LONTAR_ASSIGN_OR_RETURN(bundle::ExportReport r, bundle::ExportOutbox(t, a.to, progress));
  if (a.json) {
    Json j;
    j["terminal_id"] = t.id();
    j["dir"] = r.dir.string();
    j["total"] = r.total;
    j["written"] = r.written;
    j["already"] = r.already;
    j["replaced"] = r.replaced;
    j["bytes_written"] = r.bytes_written;
    j["manifest_written"] = r.manifest_written;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "exported " << r.total << " bundles of " << t.id() << " to " << r.dir.string()
              << ": " << r.written << " written";
    if (r.replaced > 0) std::cout << " (" << r.replaced << " replaced a damaged copy)";
    std::cout << ", " << r.already << " already there, each read back and verified; manifest "
              << (r.manifest_written ? "written" : "unchanged") << "\n";
  }
  return Ok();
}

Result<std::vector<crypto::VerifyKey>> TerminalKeys(const BundlesArgs& a) {
  std::vector<crypto::VerifyKey> keys;
  if (!a.terminal_key.empty()) {
    if (a.terminal_key.extension() == ".enroll") {
      LONTAR_ASSIGN_OR_RETURN(terminal::Enrollment e, terminal::ReadEnrollmentFile(a.terminal_key));
      keys.push_back(e.signing_key);
    } else {
      LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey k,
                              crypto::ReadSigningPublicKeyFile(a.terminal_key));
      keys.push_back(k);
    }
  }
  if (!a.enrolled.empty()) {
    LONTAR_ASSIGN_OR_RETURN(std::vector<terminal::Enrollment> records,
                            terminal::ReadEnrollmentDir(a.enrolled));
    for (const auto& en : records) keys.push_back(en.signing_key);
    if (keys.empty()) {
      return std::unexpected(
          Error::NotFound(a.enrolled.string() + " holds no enrollment records (*.enroll)"));
    }
  }
  if (keys.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "say which terminal keys to trust: --enrolled DIR or --terminal-key FILE"));
  }
  return keys;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < 10; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > 10) out += ", and " + std::to_string(items.size() - 10) + " more";
  return out;
}

// Checks an exported directory against its manifest; one line (or JSON object) per terminal.
std::size_t VerifyExportDir(const std::filesystem::path& dir,
                            const std::vector<crypto::VerifyKey>& keys, bool json, Json& results,
                            std::string& first_error) {
  std::size_t failed = 0;
  const auto dirs = bundle::ExportedTerminalDirs(dir);
  auto fail = [&](const std::string& what, const std::string& message) {
    ++failed;
    if (first_error.empty()) first_error = message;
    if (!json) std::cout << "BAD " << what << "  " << message << "\n";
  };
  if (dirs.empty()) {
    fail(dir.string(), dir.string() + " holds no exported bundles (no manifest.json)");
    results.push_back({{"dir", dir.string()}, {"ok", false}, {"error", first_error}});
    return failed;
  }
  for (const auto& d : dirs) {
    Json j;
    j["dir"] = d.string();
    auto check = bundle::CheckExport(d, keys);
    if (!check) {
      j["ok"] = false;
      j["error"] = check.error().message();
      fail(d.string(), check.error().message());
      results.push_back(std::move(j));
      continue;
    }
    j["ok"] = check->ok();
    j["terminal_id"] = check->terminal_id;
    j["listed"] = check->listed;
    j["verified"] = check->good.size();
    j["missing"] = check->missing;
    j["bad"] = check->bad;
    j["unlisted"] = check->unlisted;
    j["gaps"] = check->gaps;
    if (check->ok()) {
      if (!json) {
        std::cout << "OK  " << d.string() << "  " << check->terminal_id << ": " << check->listed
                  << " bundles listed in its signed manifest, all present and verified\n";
      }
    } else {
      std::string m = check->terminal_id + ": " + std::to_string(check->listed) + " listed";
      if (!check->missing.empty()) m += "; missing: " + JoinList(check->missing);
      if (!check->bad.empty()) m += "; failing: " + JoinList(check->bad);
      if (!check->unlisted.empty()) {
        m += "; not in the manifest (an interrupted export? export again): " +
             JoinList(check->unlisted);
      }
      if (!check->gaps.empty()) {
        std::vector<std::string> gaps;
        for (std::uint64_t g : check->gaps) gaps.push_back(std::to_string(g));
        m += "; bundle numbers never exported: " + JoinList(gaps);
      }
      fail(d.string(), m);
    }
    results.push_back(std::move(j));
  }
  return failed;
}

Status Verify(const BundlesArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<crypto::VerifyKey> keys, TerminalKeys(a));
  Json results = Json::array();
  std::size_t failed = 0;
  std::string first_error;
  for (const auto& file : a.files) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
      failed += VerifyExportDir(file, keys, a.json, results, first_error);
      continue;
    }
    Json j;
    j["file"] = file.string();
    auto bytes = ReadFile(file, bundle::kMaxBundleBytes);
    Result<bundle::BundleHeader> h =
        bytes ? bundle::VerifyBundle(*bytes, keys, file.string())
              : Result<bundle::BundleHeader>(std::unexpected(bytes.error()));
    if (h) {
      j["ok"] = true;
      j.update(bundle::BundleFactsJson(bundle::FactsOf(*h)));
      j["participant"] = h->participant;
      j["pack_id"] = h->pack_id;
      j["created"] = pack::FormatTime(h->created_ms);
      j["journal_seq"] = h->journal_seq;
      if (!a.json) {
        std::cout << "OK  " << file.string() << "  " << h->terminal_id << " #" << h->seq << "  "
                  << h->participant << "  " << h->exam_id << "  " << bundle::KindName(h->kind)
                  << "  " << bundle::ReceiptCodeFor(h->bundle_id) << "\n";
      }
    } else {
      ++failed;
      j["ok"] = false;
      j["error"] = h.error().message();
      j["error_kind"] = ErrorKindName(h.error().kind());
      if (first_error.empty()) first_error = h.error().message();
      if (!a.json) std::cout << "BAD " << file.string() << "  " << h.error().message() << "\n";
    }
    results.push_back(std::move(j));
  }
  if (a.json) std::cout << results.dump(2) << "\n";
  if (failed > 0) {
    return std::unexpected(Error::BadSignature(
        std::to_string(failed) + " of the bundles or exported directories checked failed" +
        (failed == 1 ? ": " + first_error : "")));
  }
  return Ok();
}

}  // namespace

void RegisterBundlesCommands(CLI::App& app, Runner& runner) {
  auto* bundles =
      AddCommandGroup(app, "bundles", "result bundles: the outbox, USB export, checking a bundle");
  auto args = std::make_shared<BundlesArgs>();

  auto* list = bundles->add_subcommand("list", "the bundles in this terminal's outbox");
  AddHomeOption(*list, args->home);
  AddJsonFlag(*list, args->json);
  runner.RunOnCall(*list, [args] { return List(*args); });

  auto* exp = bundles->add_subcommand(
      "export", "copy every outbox bundle and a signed manifest to a directory (a USB stick)");
  AddHomeOption(*exp, args->home);
  exp->add_option("--to", args->to, "mounted stick, e.g. /media/usb")->required();
  AddJsonFlag(*exp, args->json);
  runner.RunOnCall(*exp, [args] { return Export(*args); });

  auto* verify = bundles->add_subcommand(
      "verify", "check bundle files' terminal signatures (no results key needed)");
  verify
      ->add_option("paths", args->files,
                   "bundle files (.lrb), or exported directories (checked against their "
                   "signed manifest: the stick's mount point, lontar-bundles/, or one terminal's)")
      ->required();
  verify->add_option("--enrolled", args->enrolled, "directory of enrollment records (*.enroll)");
  verify->add_option("--terminal-key", args->terminal_key,
                     "the terminal's enrollment record (.enroll) or Ed25519 public key (.pub)");
  AddJsonFlag(*verify, args->json);
  runner.RunOnCall(*verify, [args] { return Verify(*args); });
}

}  // namespace lontar::cli
