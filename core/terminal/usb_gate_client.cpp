#include "core/terminal/usb_gate_client.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/crypto/secret.hpp"
#include "core/terminal/technician_code.hpp"
#include "core/util/fs.hpp"

namespace lontar::terminal {
namespace {

constexpr std::string_view kOpenPrefix = R"({"action":"open","code":")";
constexpr std::string_view kOpenSuffix = "\"}\n";

UsbState ErrorState(std::string message) {
  UsbState s;
  s.kind = UsbStateKind::kError;
  s.message = std::move(message);
  s.answered = true;
  return s;
}

}  // namespace

std::string_view UsbStateName(UsbStateKind kind) {
  switch (kind) {
    case UsbStateKind::kClosed:
      return "closed";
    case UsbStateKind::kWaiting:
      return "waiting";
    case UsbStateKind::kMounted:
      return "mounted";
    case UsbStateKind::kError:
      return "error";
  }
  return "error";
}

UsbState ParseUsbState(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("state") || !j["state"].is_string()) {
    return ErrorState("the USB service's state file is not a JSON object with a \"state\"");
  }
  auto text_field = [&](const char* name) {
    return j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
  };
  const std::string state = j["state"];
  UsbState s;
  s.answered = true;
  s.device = text_field("device");
  s.label = text_field("label");
  s.message = text_field("message");
  if (state == "closed") {
    s.kind = UsbStateKind::kClosed;
  } else if (state == "waiting") {
    s.kind = UsbStateKind::kWaiting;
  } else if (state == "mounted") {
    const std::filesystem::path mount = text_field("mount");
    if (!mount.is_absolute()) {
      return ErrorState("the USB service says a stick is mounted but gives no absolute mount path");
    }
    s.kind = UsbStateKind::kMounted;
    s.mount = mount;
  } else if (state == "error") {
    s.kind = UsbStateKind::kError;
    if (s.message.empty()) s.message = "the USB service reported an error without a message";
  } else {
    return ErrorState("the USB service's state \"" + state.substr(0, 32) +
                      "\" is not one this "
                      "kiosk knows (closed, waiting, mounted, error)");
  }
  return s;
}

UsbGateClient UsbGateClient::Service(std::filesystem::path dir) {
  return UsbGateClient(std::move(dir), false);
}

UsbGateClient UsbGateClient::FixedStick(std::filesystem::path mount) {
  return UsbGateClient(std::move(mount), true);
}

Status UsbGateClient::WriteRequest(ByteView body) {
  LONTAR_ASSIGN_OR_RETURN(TempFile tmp, TempFile::Beside(dir_ / "request"));
  LONTAR_TRY(tmp.WriteAll(body));
  return tmp.Publish(0600, Overwrite::kReplace);
}

Status UsbGateClient::Open(ByteView code) {
  if (code.empty()) return std::unexpected(Error::InvalidArgument("no technician code given"));
  // One rule with the root service: a code it would refuse is not sent. Such a code needs no
  // JSON escape, so the request is the code's bytes between fixed text.
  LONTAR_TRY(CheckTechnicianCodeCharacters(code));
  if (fixed_) return Ok();
  // The request is assembled in secure memory, never in a std::string that could leave copies.
  const std::size_t n = kOpenPrefix.size() + code.size() + kOpenSuffix.size();
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes body, crypto::SecretBytes::Allocate(n));
  std::uint8_t* at = body.data();
  at = std::copy(kOpenPrefix.begin(), kOpenPrefix.end(), at);
  at = std::copy(code.begin(), code.end(), at);
  std::copy(kOpenSuffix.begin(), kOpenSuffix.end(), at);
  return WriteRequest(ByteView(body.data(), n));
}

Status UsbGateClient::Close() {
  if (fixed_) return Ok();
  return WriteRequest(AsBytes("{\"action\":\"close\"}\n"));
}

Status UsbGateClient::CloseAtStart() {
  if (fixed_) return Ok();
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec) && !ec) return Ok();
  return Close();
}

Result<UsbState> UsbGateClient::Poll() const {
  if (fixed_) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir_, ec)) {
      return ErrorState(dir_.string() + " (given as --usb-stick) is not a directory");
    }
    UsbState s;
    s.kind = UsbStateKind::kMounted;
    s.mount = dir_;
    s.label = dir_.filename().string();
    s.answered = true;
    return s;
  }
  auto raw = ReadFile(dir_ / "state", kMaxUsbStateBytes);
  if (!raw) {
    if (raw.error().kind() == ErrorKind::kNotFound) return UsbState{};
    if (raw.error().kind() == ErrorKind::kMalformed) return ErrorState(raw.error().message());
    return std::unexpected(raw.error());
  }
  return ParseUsbState(AsChars(*raw));
}

}  // namespace lontar::terminal
