#include "app/screens/code_field.hpp"

#include <imgui.h>

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
  return submitted;
}

}  // namespace lontar::app
