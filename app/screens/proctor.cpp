#include "app/screens/proctor.hpp"

#include <imgui.h>
#include <sodium.h>

#include <algorithm>

#include "app/screens/code_field.hpp"

namespace lontar::app {

void ProctorForm::Clear() {
  sodium_memzero(code.data(), code.size());
  sodium_memzero(reason.data(), reason.size());
  sodium_memzero(participant.data(), participant.size());
  sodium_memzero(release_code.data(), release_code.size());
  message.clear();
  message_bad = false;
  focus = true;
}

namespace {

// A button that is also a scripted-click target.
bool Button(const ScreenContext& ctx, const char* label, const char* target) {
  const bool pressed = ImGui::Button(label);
  Mark(ctx, target);
  return pressed;
}

// The next session: which pack (by title and time window when there are several) and its
// release code.
void DrawNextSession(const ScreenContext& ctx, const ProctorView& view, ProctorForm& form,
                     std::optional<ProctorAction>& action) {
  const Catalog& tr = ctx.tr;
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextWrapped("%s", tr("proctor.next_session"));
  ImGui::PopFont();
  if (!view.current_session.empty()) {
    ImGui::TextDisabled("%s", tr.Format("proctor.current_session", view.current_session).c_str());
  }
  if (view.next_sessions.size() > 1) ImGui::TextWrapped("%s", tr("proctor.choose_session"));
  for (std::size_t i = 0; i < view.next_sessions.size(); ++i) {
    const SessionChoice& c = view.next_sessions[i];
    const std::string label = c.title + "##session" + std::to_string(i);
    if (view.next_sessions.size() > 1) {
      if (ImGui::RadioButton(label.c_str(), view.chosen == i)) {
        form.next_session = i;
        action = ProctorAction::kChooseSession;
      }
      Mark(ctx, "panel.session." + std::to_string(i));
    } else {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", c.title.c_str());
    }
    ImGui::Indent();
    ImGui::TextDisabled("%s", c.window.c_str());
    ImGui::Unindent();
  }
  if (view.chosen) {
    // On the waiting screen the release code is the panel's first field; once a session is
    // open the proctor code below takes the keyboard.
    if (DrawCodeField(ctx,
                      {.prompt = tr("proctor.release_prompt"),
                       .id = "##release",
                       .code = form.release_code,
                       .target = "panel.release_code",
                       .button = tr("proctor.release"),
                       .button_target = "panel.release"},
                      view.engine_open ? nullptr : &form.focus)) {
      action = ProctorAction::kReleaseSession;
    }
  }
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Spacing();
}

}  // namespace

std::optional<ProctorAction> DrawProctor(const ScreenContext& ctx, const ProctorView& view,
                                         ProctorForm& form) {
  const Catalog& tr = ctx.tr;
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextUnformatted(tr("proctor.title"));
  ImGui::PopFont();
  ImGui::TextDisabled("%s", tr("proctor.subtitle"));
  ImGui::Separator();
  std::vector<BarButton> bar = {{tr("proctor.close"), Intent::kBackToItems, "panel.close"}};
  BeginBody(ctx, bar);
  std::optional<ProctorAction> action;
  const float width = std::min(ImGui::GetContentRegionAvail().x, ctx.fonts.body_px * 30);
  ImGui::PushItemWidth(width);
  if (!form.message.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text,
                          form.message_bad ? Colours(ctx.look).bad : Colours(ctx.look).ok);
    ImGui::TextWrapped("%s", form.message.c_str());
    ImGui::PopStyleColor();
    ImGui::Spacing();
  }
  // Shown before the code is asked for: an item seen without its figure is why the proctor came.
  if (!view.image_faults.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).bad);
    ImGui::TextWrapped("%s", tr("proctor.images_unshown"));
    for (const std::string& line : view.image_faults) {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", line.c_str());
    }
    ImGui::PopStyleColor();
    Mark(ctx, "panel.images_unshown");
    ImGui::Spacing();
  }
  if (!view.next_sessions.empty()) DrawNextSession(ctx, view, form, action);
  if (!view.engine_open) {
    // The waiting screen: no pack released, so no proctor code to check yet.
  } else if (!view.authorised) {
    if (DrawCodeField(ctx,
                      {.prompt = tr("proctor.code_prompt"),
                       .id = "##code",
                       .code = form.code,
                       .target = "panel.code",
                       .button = tr("proctor.unlock_panel"),
                       .button_target = "panel.authorise"},
                      &form.focus)) {
      action = ProctorAction::kAuthorise;
    }
  } else {
    ImGui::TextUnformatted(tr("proctor.token"));
    ImGui::SameLine();
    if (!view.token.empty()) {
      ImGui::PushFont(ctx.fonts.title);
      ImGui::TextUnformatted(view.token.c_str());
      ImGui::PopFont();
    } else if (Button(ctx, tr("proctor.open_session"), "panel.token")) {
      action = ProctorAction::kShowToken;
    }
    ImGui::Spacing();
    ImGui::TextWrapped("%s", tr("proctor.reason_prompt"));
    ImGui::InputText("##reason", form.reason.data(), form.reason.size());
    Mark(ctx, "panel.reason");
    ImGui::Spacing();
    if (view.in_progress) {
      ImGui::TextWrapped("%s", tr.Format("proctor.candidate", view.participant).c_str());
      if (!view.accommodations.empty()) {
        ImGui::TextWrapped("%s", tr.Format("proctor.accommodations", view.accommodations).c_str());
      }
      if (Button(ctx, tr(view.read_aloud ? "proctor.read_aloud_off" : "proctor.read_aloud_on"),
                 "panel.read_aloud")) {
        action = ProctorAction::kToggleReadAloud;
      }
      if (view.paused) {
        if (Button(ctx, tr("proctor.resume"), "panel.resume")) {
          action = ProctorAction::kResumeCandidate;
        }
      } else if (Button(ctx, tr("proctor.pause"), "panel.pause")) {
        action = ProctorAction::kPauseCandidate;
      }
      ImGui::SameLine();
      if (Button(ctx, tr("proctor.add5"), "panel.add5")) action = ProctorAction::kAddFiveMinutes;
      ImGui::SameLine();
      if (Button(ctx, tr("proctor.add10"), "panel.add10")) action = ProctorAction::kAddTenMinutes;
      if (Button(ctx, tr("proctor.handoff"), "panel.handoff")) action = ProctorAction::kHandOff;
      ImGui::SameLine();
      ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).bad);
      if (Button(ctx, tr("proctor.void"), "panel.void")) action = ProctorAction::kVoid;
      ImGui::PopStyleColor();
      ImGui::TextDisabled("%s", tr.Format("proctor.handoff_to", view.handoff_dir).c_str());
      ImGui::Spacing();
    }
    ImGui::TextWrapped("%s", tr("proctor.room"));
    if (view.room_paused) {
      if (Button(ctx, tr("proctor.resume_room"), "panel.resume_room")) {
        action = ProctorAction::kResumeRoom;
      }
    } else if (Button(ctx, tr("proctor.pause_room"), "panel.pause_room")) {
      action = ProctorAction::kPauseRoom;
    }
    ImGui::Spacing();
    ImGui::TextWrapped("%s", tr("proctor.unlock_prompt"));
    ImGui::InputText("##participant", form.participant.data(), form.participant.size(),
                     ImGuiInputTextFlags_CharsUppercase);
    Mark(ctx, "panel.participant");
    if (Button(ctx, tr("proctor.unlock"), "panel.unlock")) action = ProctorAction::kUnlock;
  }
  ImGui::PopItemWidth();
  EndBody();
  if (DrawBottomBar(ctx, bar)) action = ProctorAction::kClose;
  if (action == ProctorAction::kClose) WipeTypedCopies();  // a code typed but not submitted
  return action;
}

}  // namespace lontar::app
