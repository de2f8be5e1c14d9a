#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/screens/exam_view.hpp"

namespace lontar::app {

std::vector<std::string> SectionItems(const ExamView& view) {
  return exam::ItemOrder(view.exam, view.state.section, view.state.seed);
}

std::size_t CurrentIndex(const ExamView& view, const std::vector<std::string>& items) {
  const auto it = std::find(items.begin(), items.end(), view.state.current_item);
  return it == items.end() ? 0 : static_cast<std::size_t>(it - items.begin());
}

Counts SectionCounts(const ExamView& view) {
  Counts c;
  for (const std::string& item : SectionItems(view)) {
    ++c.items;
    if (view.state.answers.contains(item)) {
      ++c.answered;
    } else {
      ++c.unanswered;
    }
    if (view.state.flagged.contains(item)) ++c.flagged;
  }
  return c;
}

namespace {

void Legend(const ImVec4& colour, const char* text) {
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + h, at.y + h),
                                            ImGui::GetColorU32(colour), h / 4);
  ImGui::Dummy(ImVec2(h, h));
  ImGui::SameLine();
  ImGui::TextWrapped("%s", text);
}

}  // namespace

std::optional<Action> DrawNavigator(const ScreenContext& ctx, const ExamView& view, int columns) {
  const std::vector<std::string> items = SectionItems(view);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float cell = ImGui::GetFrameHeight() * 1.25f;
  const float avail = ImGui::GetContentRegionAvail().x;
  if (columns <= 0) {
    columns =
        std::max(1, static_cast<int>((avail + style.ItemSpacing.x) / (cell + style.ItemSpacing.x)));
  }
  std::optional<Action> action;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i % static_cast<std::size_t>(columns) != 0) ImGui::SameLine();
    const std::string& item = items[i];
    const bool current = item == view.state.current_item;
    const bool flagged = view.state.flagged.contains(item);
    const bool answered = view.state.answers.contains(item);
    ImVec4 fill = ImGui::GetStyleColorVec4(ImGuiCol_Button);
    ImVec4 ink = ImGui::GetStyleColorVec4(ImGuiCol_Text);
    if (flagged) {
      fill = Colours(ctx.look).flag;
      ink = Colours(ctx.look).on_flag_text;
    } else if (answered) {
      fill = Colours(ctx.look).answered;
      ink = ctx.look.high_contrast ? ImVec4(0, 0, 0, 1) : ImVec4(1, 1, 1, 1);
    }
    ImGui::PushStyleColor(ImGuiCol_Button, fill);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, fill);
    ImGui::PushStyleColor(ImGuiCol_Text, ink);
    const std::string label = std::to_string(i + 1) + "##nav";
    ImGui::PushID(static_cast<int>(i));
    const bool clicked = ImGui::Button(label.c_str(), ImVec2(cell, cell));
    if (Focusable(ctx) || clicked) action = exam::Goto{item};
    ImGui::PopID();
    ImGui::PopStyleColor(3);
    Mark(ctx, "nav." + std::to_string(i + 1));
    if (current) {
      // The current item: a thick outline in the selected colour, whatever its state.
      ImGui::GetWindowDrawList()->AddRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax(),
                                          ImGui::GetColorU32(Colours(ctx.look).selected),
                                          style.FrameRounding, 0, std::max(3.0f, cell / 12));
    }
  }
  ImGui::Spacing();
  Legend(Colours(ctx.look).answered, ctx.tr("exam.legend.answered"));
  Legend(ImGui::GetStyleColorVec4(ImGuiCol_Button), ctx.tr("exam.legend.unanswered"));
  Legend(Colours(ctx.look).flag, ctx.tr("exam.legend.doubtful"));
  Legend(Colours(ctx.look).selected, ctx.tr("exam.legend.current"));
  return action;
}

}  // namespace lontar::app
