#include "app/technician/parts.hpp"

#include <imgui.h>

#include <vector>

namespace lontar::app {
namespace {

std::vector<BarButton> Bar(const Catalog& tr, bool back) {
  // The intent is not used: the technician screens act on the button's position in the bar.
  if (back) return {{tr("technician.back"), Intent::kBackToItems, "tech.back"}};
  return {{tr("technician.return"), Intent::kBackToItems, "tech.return"}};
}

}  // namespace

void DrawTechnicianHeader(const ScreenContext& ctx, const TechnicianView& view, const char* title) {
  const Catalog& tr = ctx.tr;
  DrawTerminalHeader(ctx, title, Colours(ctx.look).warning);
  ImGui::TextWrapped("%s · %s", tr("technician.subtitle"), UsbStateText(tr, view.usb).c_str());
  ImGui::Spacing();
}

void DrawTechnicianMessage(const ScreenContext& ctx, const TechnicianView& view) {
  if (view.message.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text,
                        view.message_bad ? Colours(ctx.look).bad : Colours(ctx.look).ok);
  ImGui::TextWrapped("%s", view.message.c_str());
  ImGui::PopStyleColor();
  MarkVolatile(ctx, "message");  // names files and paths on this machine
  ImGui::Spacing();
}

bool TechnicianField(const ScreenContext& ctx, const char* label, const char* id,
                     std::span<char> text, const char* target, ImGuiInputTextFlags flags) {
  ImGui::TextWrapped("%s", label);
  const bool entered = ImGui::InputText(id, text.data(), text.size(), flags);
  Mark(ctx, target);
  return entered;
}

bool TechnicianButton(const ScreenContext& ctx, const std::string& label, const char* target) {
  const bool pressed = ImGui::Button(label.c_str());
  Mark(ctx, target);
  return pressed;
}

std::string UsbStateText(const Catalog& tr, const terminal::UsbState& usb) {
  using terminal::UsbStateKind;
  switch (usb.kind) {
    case UsbStateKind::kClosed:
      return tr(usb.answered ? "technician.usb.closed" : "technician.usb.asking");
    case UsbStateKind::kWaiting:
      return tr("technician.usb.waiting");
    case UsbStateKind::kMounted: {
      std::string name = usb.label.empty() ? usb.mount.filename().string() : usb.label;
      if (!usb.device.empty()) name += " (" + usb.device + ")";
      return tr.Format("technician.usb.mounted", name);
    }
    case UsbStateKind::kError:
      return tr.Format("technician.usb.error", usb.message);
  }
  return "";
}

void BeginTechnicianBody(const ScreenContext& ctx, bool back, bool scrollbar) {
  const auto bar = Bar(ctx.tr, back);
  BeginBody(ctx, bar, "technician", scrollbar ? ImGuiWindowFlags_AlwaysVerticalScrollbar : 0);
}

void OpenTechnicianScreen(const ScreenContext& ctx, const TechnicianView& view,
                          const TechnicianScreen& screen) {
  if (screen.subtitle) {
    DrawTechnicianHeader(ctx, view, screen.title);
  } else {
    DrawTerminalHeader(ctx, screen.title, Colours(ctx.look).warning);
  }
  BeginTechnicianBody(ctx, screen.back, screen.scrollbar);
  DrawTechnicianMessage(ctx, view);
}

std::optional<TechnicianAction> EndTechnicianBody(const ScreenContext& ctx, bool back) {
  EndBody();
  const auto bar = Bar(ctx.tr, back);
  if (DrawBottomBar(ctx, bar)) {
    return TechnicianAction{back ? TechnicianAction::kMenu : TechnicianAction::kReturn};
  }
  return std::nullopt;
}

std::optional<TechnicianAction> CloseTechnicianScreen(const ScreenContext& ctx, bool back,
                                                      std::optional<TechnicianAction> action) {
  if (auto bar = EndTechnicianBody(ctx, back)) return bar;
  return action;
}

}  // namespace lontar::app
