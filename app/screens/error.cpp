#include "app/screens/error.hpp"

#include <imgui.h>

#include <string>

namespace lontar::app {
namespace {

// The catalog key of the advice for each kind of failure.
const char* AdviceKey(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound:
      return "error.advice.not_found";
    case ErrorKind::kWrongKey:
      return "error.advice.wrong_key";
    case ErrorKind::kCorruption:
    case ErrorKind::kNotAVault:
      return "error.advice.damaged";
    case ErrorKind::kTooNew:
      return "error.advice.too_new";
    case ErrorKind::kDiskFull:
      return "error.advice.disk_full";
    case ErrorKind::kReadOnly:
    case ErrorKind::kIo:
      return "error.advice.disk";
    case ErrorKind::kPermission:
      return "error.advice.permission";
    default:
      return "error.advice.other";
  }
}

}  // namespace

std::optional<Intent> DrawError(const ScreenContext& ctx, const Error& error) {
  const Catalog& tr = ctx.tr;
  DrawTerminalHeader(ctx, tr("error.title"), Colours(ctx.look).bad);
  const auto bar = SettingsBar(tr, /*recheck=*/true);
  BeginBody(ctx, bar);
  ImGui::TextWrapped("%s", tr("error.for_candidate"));
  ImGui::Spacing();
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextUnformatted(tr("error.for_technician"));
  ImGui::PopFont();
  ImGui::TextWrapped("%s", tr(AdviceKey(error.kind())));
  ImGui::Spacing();
  ImGui::TextDisabled("%s", tr("error.detail"));
  ImGui::TextWrapped("%s", error.message().c_str());
  MarkVolatile(ctx, "detail");  // names paths on this machine
  EndBody();
  return DrawBottomBar(ctx, bar);
}

}  // namespace lontar::app
