#include "app/screens/code_field.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // ImGuiInputTextState
#include <sodium.h>

namespace lontar::app {

bool DrawCodeField(const ScreenContext& ctx, const CodeField& field, bool* focus) {
  ImGui::TextWrapped("%s", field.prompt);
  if (focus != nullptr) TakeKeyboardFocus(*focus);
  ImGui::PushID(field.generation);
  bool submitted =
      ImGui::InputText(field.id, field.code.data(), field.code.size(),
                       ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::PopID();
  Mark(ctx, field.target);
  if (ImGui::Button(field.button)) submitted = true;
  Mark(ctx, field.button_target);
  if (submitted) WipeTypedCopies();
  return submitted;
}

void WipeTypedCopies() {
  ImGui::ClearActiveID();
  ImGuiInputTextState& st = ImGui::GetCurrentContext()->InputTextState;
  auto wipe = [](auto& v) {
    if (v.Data != nullptr)
      sodium_memzero(v.Data, static_cast<std::size_t>(v.Capacity) * sizeof(v.Data[0]));
  };
  wipe(st.TextW);
  wipe(st.TextA);
  wipe(st.InitialTextA);
  sodium_memzero(&st.Stb, sizeof st.Stb);
  st.CurLenW = st.CurLenA = 0;
}

}  // namespace lontar::app
