// Test mode: after a frame, finds what is drawn off the screen or cut off. Dear ImGui clips
// rather than complains, so a label too wide for its window or a screen too tall for the display
// would otherwise go unnoticed at 200% text on 1024x768.
#pragma once

#include <string>
#include <vector>

namespace lontar::app {

// Problems in the frame just rendered (ImGui::GetDrawData() and the windows of this frame), one
// sentence each, naming the window: a window reaching past the display; content wider than its
// window (cut at the side: nothing scrolls sideways); content taller than a window that cannot
// scroll; a vertex drawn visible but outside the display. Empty when the frame is clean.
std::vector<std::string> CheckLayout();

}  // namespace lontar::app
