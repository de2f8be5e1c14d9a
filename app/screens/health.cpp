#include "app/screens/health.hpp"

#include <imgui.h>

#include <string>

namespace lontar::app {
namespace {

// One "label   value" row of the health table.
void Row(const char* label, const std::string& value, const ImVec4* colour = nullptr) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("%s", label);
  ImGui::TableSetColumnIndex(1);
  if (colour != nullptr) {
    ImGui::TextColored(*colour, "%s", value.c_str());
  } else {
    ImGui::TextWrapped("%s", value.c_str());
  }
}

}  // namespace

std::optional<Intent> DrawHealth(const ScreenContext& ctx, const status::TerminalStatus& s) {
  const Catalog& tr = ctx.tr;
  const ImVec2 area = ImGui::GetContentRegionAvail();

  // Header: name of the product on the left, the clock on the right.
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextUnformatted("Lontar");
  const std::string time = FormatTime(ctx.now);
  ImGui::SameLine(area.x - ImGui::CalcTextSize(time.c_str()).x + ImGui::GetStyle().WindowPadding.x);
  ImGui::TextUnformatted(time.c_str());
  ImGui::PopFont();
  ImGui::TextDisabled("%s", tr("health.subtitle"));
  const std::string date = FormatDate(tr, ctx.now);
  ImGui::SameLine(area.x - ImGui::CalcTextSize(date.c_str()).x + ImGui::GetStyle().WindowPadding.x);
  ImGui::TextDisabled("%s", date.c_str());
  ImGui::Separator();

  const bool healthy = s.journal_ok;
  const ImVec4 ok = OkColour(ctx.look), bad = BadColour(ctx.look);
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextColored(healthy ? ok : bad, "%s", tr(healthy ? "health.ready" : "health.attention"));
  ImGui::PopFont();
  ImGui::Spacing();

  BeginBody();
  if (ImGui::BeginTable("health", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthStretch, 0.32f);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch, 0.68f);
    Row(tr("health.terminal"), s.terminal_id);
    Row(tr("health.site"), s.site);
    Row(tr("health.name"), s.name.empty() ? std::string(tr("health.unnamed")) : s.name);
    std::string trusted;
    for (const auto& k : s.trusted_keys) {
      if (!trusted.empty()) trusted += ", ";
      trusted += k.key_id;
    }
    Row(tr("health.trusted"), trusted);
    const std::string vault =
        tr.Format("health.vault_ok", std::to_string(s.schema_version)) + " · " +
        tr(s.key_source == "credential" ? "health.key_credential" : "health.key_file");
    Row(tr("health.vault"), vault, &ok);
    if (s.journal_ok) {
      Row(tr("health.journal"),
          tr.Format("health.journal_ok", std::to_string(s.journal_records)) + " · " +
              s.head_hash.substr(0, 12),
          &ok);
    } else {
      Row(tr("health.journal"), tr("health.journal_broken"), &bad);
      Row("", s.journal_problem);
    }
    if (s.packs.empty()) {
      Row(tr("health.pack"), tr("health.no_pack"));
    } else {
      const status::PackInfo& p = s.packs.front();
      const std::string title = tr.lang() == "en" ? p.title_en : p.title_id;
      Row(tr("health.pack"), title + " · " + p.exam_id + " v" + std::to_string(p.exam_version) +
                                 " · " +
                                 tr(p.released ? "health.released" : "health.not_released"));
    }
    ImGui::EndTable();
  }
  EndBody();
  return DrawBottomBar(ctx);
}

}  // namespace lontar::app
