// The collection server's (or relay's) address, typed on screen as HOST:PORT, its public key
// chosen from the *.pub files on the USB stick, and, when results go through a site relay, the
// relay's public key (LONTAR_RELAY_KEY); saved to HOME/sync.conf for the sync service.
#pragma once

#include <optional>

#include "app/screens/screen.hpp"
#include "app/technician/view.hpp"

namespace lontar::app {

std::optional<TechnicianAction> DrawTechnicianServer(const ScreenContext& ctx,
                                                     const TechnicianView& view,
                                                     TechnicianForm& form);

// The list of *.pub files on the stick as radio buttons into form.key_choice (also used by the
// initialisation screen). Targets "technician.key.<n>".
void DrawKeyChoice(const ScreenContext& ctx, const TechnicianView& view, TechnicianForm& form);

// The button of an action that needs the key chosen there (save the server, initialise):
// disabled while the stick holds no *.pub file. Returns true when pressed.
bool KeyedButton(const ScreenContext& ctx, const TechnicianView& view, const char* label,
                 const char* target);

}  // namespace lontar::app
