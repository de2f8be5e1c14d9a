#include "app/screens/login.hpp"

#include <imgui.h>
#include <sodium.h>

#include <cstring>
#include <string>

namespace lontar::app {

void LoginForm::Clear() {
  for (auto& t : text) sodium_memzero(t.data(), t.size());
  field = kNumber;
  focus = true;
}

namespace {

constexpr const char* kFieldKeys[] = {"login.number", "login.pin", "login.token"};
constexpr const char* kKeypadRows[] = {"1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM"};

void Type(LoginForm& form, char c) {
  auto& t = form.text[form.field];
  const std::size_t n = std::strlen(t.data());
  if (n + 1 < t.size()) {
    t[n] = c;
    t[n + 1] = '\0';
  }
  form.focus = true;
}

void Backspace(LoginForm& form) {
  auto& t = form.text[form.field];
  const std::size_t n = std::strlen(t.data());
  if (n > 0) t[n - 1] = '\0';
  form.focus = true;
}

}  // namespace

std::optional<Action> DrawLogin(const ScreenContext& ctx, const LoginView& view, LoginForm& form) {
  const Catalog& tr = ctx.tr;
  ImGui::PushFont(ctx.fonts.title);
  ImGui::TextUnformatted(tr("login.title"));
  const std::string time = FormatTime(ctx.now);
  AlignRight(time.c_str());
  ImGui::TextUnformatted(time.c_str());
  MarkVolatile(ctx, "time");
  ImGui::PopFont();
  ImGui::TextDisabled("%s", Pick(tr, view.exam.title).c_str());
  ImGui::Separator();
  std::vector<BarButton> bar = {{tr("login.submit"), Intent::kLogin, "login.submit"}};
  for (BarButton& b : SettingsBar(tr, /*recheck=*/false)) bar.push_back(std::move(b));
  BeginBody(ctx, bar);
  std::optional<Action> action;

  const float width = ImGui::GetContentRegionAvail().x;
  const bool wide = width > ctx.fonts.body_px * 36;
  const float fields_width = wide ? width * 0.45f : width;
  ImGui::BeginGroup();
  ImGui::PushItemWidth(fields_width);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + fields_width);
  ImGui::TextWrapped("%s", tr("login.prompt"));
  if (!view.token_shown.empty()) {
    ImGui::TextWrapped("%s", tr("login.token_is"));
    ImGui::PushFont(ctx.fonts.title);
    ImGui::TextUnformatted(view.token_shown.c_str());
    MarkVolatile(ctx, "token");
    ImGui::PopFont();
  }
  // A refusal above the fields, where the eye is after pressing Enter.
  if (!view.refusal.empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).bad);
    if (view.locked) ImGui::PushFont(ctx.fonts.title);
    ImGui::TextWrapped("%s", view.refusal.c_str());
    if (view.locked) ImGui::PopFont();
    ImGui::PopStyleColor();
  }
  for (int f = 0; f < LoginForm::kFieldCount; ++f) {
    ImGui::TextUnformatted(tr(kFieldKeys[f]));
    if (form.focus && form.field == f) {
      ImGui::SetKeyboardFocusHere();
      form.focus = false;
    }
    ImGuiInputTextFlags flags =
        ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CharsNoBlank;
    if (f == LoginForm::kPin)
      flags |= ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal;
    if (f != LoginForm::kPin) flags |= ImGuiInputTextFlags_CharsUppercase;
    const std::string id = std::string("##") + kFieldKeys[f];
    const bool enter =
        ImGui::InputText(id.c_str(), form.text[f].data(), form.text[f].size(), flags);
    Mark(ctx, kFieldKeys[f]);
    if (Focusable(ctx)) {  // Space on a ringed field: type into it
      form.field = f;
      form.focus = true;
    }
    if (f == LoginForm::kToken) MarkVolatile(ctx, "token_typed");  // a new token every session
    if (ImGui::IsItemActivated()) form.field = f;
    if (enter) {
      if (f + 1 < LoginForm::kFieldCount) {
        form.field = f + 1;
        form.focus = true;
      } else {
        action = Intent::kLogin;
      }
    }
  }
  ImGui::PopItemWidth();
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();

  // The keypad: digits, letters and the dash of participant numbers, backspace, next field.
  if (wide) {
    ImGui::SameLine();
  } else {
    ImGui::Spacing();
  }
  ImGui::BeginGroup();
  ImGui::TextDisabled("%s", tr.Format("login.typing_into", tr(kFieldKeys[form.field])).c_str());
  // Keys close together, so that ten fit beside the fields on a 1024-point screen.
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float spacing = gap / 3;
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(spacing, spacing));
  const float pad = wide ? width - fields_width - gap : width;
  const float key = std::min((pad - spacing * 9) / 10, ImGui::GetFrameHeight() * 1.6f);
  for (const char* row : kKeypadRows) {
    for (const char* c = row; *c != '\0'; ++c) {
      if (c != row) ImGui::SameLine();
      const char label[2] = {*c, '\0'};
      if (ImGui::Button(label, ImVec2(key, key))) Type(form, *c);
      Mark(ctx, std::string("key.") + label);
    }
  }
  if (ImGui::Button(tr("login.backspace"))) Backspace(form);
  Mark(ctx, "key.backspace");
  ImGui::SameLine();
  if (ImGui::Button(tr("login.next_field"))) {
    form.field = (form.field + 1) % LoginForm::kFieldCount;
    form.focus = true;
  }
  Mark(ctx, "key.next");
  ImGui::PopStyleVar();
  ImGui::EndGroup();
  EndBody();
  if (auto pressed = DrawBottomBar(ctx, bar)) return *pressed;
  return action;
}

}  // namespace lontar::app
