#include "app/screens/health.hpp"

#include <imgui.h>

#include <string>

namespace lontar::app {
namespace {

// Wrapped text in `colour`: with large text on a narrow screen, cells wrap and never overlap.
void Cell(const char* text, const ImVec4& colour) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

// One "label   value" row of the health table.
// `volatile_name`: the value differs between terminals (ids, hashes), see MarkVolatile.
void Row(const ScreenContext& ctx, const char* label, const std::string& value,
         const ImVec4* colour = nullptr, const char* volatile_name = nullptr) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  Cell(label, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TableSetColumnIndex(1);
  Cell(value.c_str(), colour != nullptr ? *colour : ImGui::GetStyleColorVec4(ImGuiCol_Text));
  if (volatile_name != nullptr) MarkVolatile(ctx, volatile_name);
}

}  // namespace

void DrawHealthTable(const ScreenContext& ctx, const health::TerminalStatus& s) {
  const Catalog& tr = ctx.tr;
  const ImVec4 ok = Colours(ctx.look).ok, bad = Colours(ctx.look).bad;
  if (ImGui::BeginTable("health", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthStretch, 0.32f);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch, 0.68f);
    Row(ctx, tr("health.terminal"), s.terminal_id, nullptr, "terminal");
    Row(ctx, tr("health.site"), s.site);
    Row(ctx, tr("health.name"), s.name.empty() ? std::string(tr("health.unnamed")) : s.name);
    std::string trusted;
    for (const auto& k : s.trusted_keys) {
      if (!trusted.empty()) trusted += ", ";
      trusted += k.key_id;
    }
    Row(ctx, tr("health.trusted"), trusted, nullptr, "trusted");
    const std::string vault =
        tr.Format("health.vault_ok", std::to_string(s.schema_version)) + " · " +
        tr(s.key_source == "credential" ? "health.key_credential" : "health.key_file");
    Row(ctx, tr("health.vault"), vault, &ok);
    if (s.journal_ok) {
      Row(ctx, tr("health.journal"),
          tr.Format("health.journal_ok", std::to_string(s.journal_records)) + " · " +
              tr.Format("health.journal_head", std::to_string(s.head_seq)) + " " +
              s.head_hash.substr(0, 12),
          &ok, "journal");
    } else {
      Row(ctx, tr("health.journal"), tr("health.journal_broken"), &bad);
      Row(ctx, "", s.journal_problem);
    }
    if (s.packs.empty()) {
      Row(ctx, tr("health.pack"), tr("health.no_pack"));
    } else {
      const health::PackInfo& p = s.packs.front();
      const std::string title = tr.lang() == "en" ? p.title_en : p.title_id;
      Row(ctx, tr("health.pack"),
          title + " · " + p.exam_id + " v" + std::to_string(p.exam_version) + " · " +
              tr(p.released ? "health.released" : "health.not_released"));
    }
    // Packs are checked against this clock: a technician sets it in technician mode.
    Row(ctx, tr("health.clock"),
        FormatDate(tr, ctx.now) + " " + FormatTime(ctx.now) +
            (ctx.zone.empty() ? std::string() : " · " + ctx.zone),
        nullptr, "clock");
    ImGui::EndTable();
  }
}

std::optional<Intent> DrawHealth(const ScreenContext& ctx, const health::TerminalStatus& s) {
  const Catalog& tr = ctx.tr;
  const bool healthy = s.journal_ok;
  const ImVec4 ok = Colours(ctx.look).ok, bad = Colours(ctx.look).bad;
  DrawTerminalHeader(ctx, tr(healthy ? "health.ready" : "health.attention"), healthy ? ok : bad);

  const auto bar = SettingsBar(tr, /*recheck=*/true);
  BeginBody(ctx, bar);
  DrawHealthTable(ctx, s);
  EndBody();
  return DrawBottomBar(ctx, bar);
}

}  // namespace lontar::app
