#include "app/screens/item.hpp"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/image_cache.hpp"
#include "app/panel.hpp"

namespace lontar::app {
namespace {

// The key of the option at display position `index` (0-based) chosen from the keyboard: digits
// 1..9 and letters A..I by position, since options are shown lettered by position.
std::optional<std::size_t> ChosenByKey(const ScreenContext& ctx, std::size_t options) {
  for (std::size_t i = 0; i < options && i < 9; ++i) {
    if (Pressed(ctx, SDLK_1 + static_cast<int>(i)) ||
        Pressed(ctx, SDLK_KP_1 + static_cast<int>(i)) ||
        Pressed(ctx, SDLK_a + static_cast<int>(i))) {
      return i;
    }
  }
  return std::nullopt;
}

// The answer after choosing `key`: the key itself, or for multiple response the chosen set with
// `key` toggled (kept in the item's option order). An empty result clears the answer.
std::vector<std::string> Toggle(const model::Item& item, const std::vector<std::string>& had,
                                const std::string& key) {
  if (item.type != model::ItemType::kMultiple) return {key};
  std::vector<std::string> keys;
  const bool was = std::find(had.begin(), had.end(), key) != had.end();
  for (const model::Option& o : item.options) {
    const bool in = std::find(had.begin(), had.end(), o.key) != had.end();
    if (o.key == key ? !was : in) keys.push_back(o.key);
  }
  return keys;
}

exam::Command AnswerCommand(const model::Item& item, const std::vector<std::string>& keys) {
  if (keys.empty()) return exam::Clear{item.id};
  return exam::Answer{item.id, keys};
}

// A framed box the width of the column in place of an image not (yet) shown: loading, or a
// fault the candidate must tell the proctor about (never an item silently without its figure).
void DrawImageBox(const ScreenContext& ctx, const char* text, bool fault) {
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = std::max(ImGui::GetMainViewport()->Size.y * 0.12f, ctx.fonts.body_px * 3);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const ImVec4 colour = fault ? Colours(ctx.look).bad : Colours(ctx.look).muted;
  ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + w, at.y + h),
                                      ImGui::ColorConvertFloat4ToU32(colour), 0.0f, 0,
                                      fault ? 3.0f : 1.0f);
  const ImVec2 size = ImGui::CalcTextSize(text, nullptr, false, w - 2 * ctx.fonts.body_px);
  ImGui::SetCursorScreenPos(ImVec2(at.x + (w - size.x) / 2, at.y + (h - size.y) / 2));
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::PushTextWrapPos(ImGui::GetCursorPos().x + size.x + 1);
  ImGui::TextUnformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::SetCursorScreenPos(at);
  ImGui::Dummy(ImVec2(w, h));
  Mark(ctx, fault ? "exam.image_unavailable" : "exam.image_loading");
}

void DrawImages(const ScreenContext& ctx, const ExamView& view, const model::Item& item) {
  for (const std::string& name : item.media) {
    const ShownImage shown = view.images != nullptr ? view.images->Find(name)
                                                    : ShownImage{ShownImage::State::kFailed, {}};
    if (shown.state == ShownImage::State::kLoading) {
      DrawImageBox(ctx, ctx.tr("exam.image_loading"), false);
      continue;
    }
    if (shown.state == ShownImage::State::kFailed || shown.image.texture == nullptr) {
      DrawImageBox(ctx, ctx.tr("exam.image_unavailable"), true);
      continue;
    }
    const ItemImage* image = &shown.image;
    // Scaled to fit the column and at most 30% of the screen's height, never enlarged beyond
    // twice its size (pixel art turns to mush), keeping its proportions.
    const float max_w = ImGui::GetContentRegionAvail().x;
    const float max_h = ImGui::GetMainViewport()->Size.y * kImageHeightShare;
    const float scale = std::min({max_w / static_cast<float>(image->width),
                                  max_h / static_cast<float>(image->height), 2.0f});
    ImGui::Image(image->texture, ImVec2(image->width * scale, image->height * scale));
  }
}

}  // namespace

std::optional<Action> DrawItem(const ScreenContext& ctx, const ExamView& view) {
  const Catalog& tr = ctx.tr;
  const std::vector<std::string> items = SectionItems(view);
  const std::size_t index = CurrentIndex(view, items);
  const auto found = view.exam.items.find(view.state.current_item);
  std::optional<Action> action;
  DrawExamHeader(ctx, view);

  const bool flagged = view.state.flagged.contains(view.state.current_item);
  const bool last_section = view.state.section + 1 >= view.exam.sections.size();
  std::vector<BarButton> bar = {
      {tr("exam.previous"), Intent::kPreviousItem, "exam.previous"},
      {tr(flagged ? "exam.doubtful_on" : "exam.doubtful"), Intent::kToggleFlag, "exam.doubtful",
       flagged},
      {tr("exam.next"), Intent::kNextItem, "exam.next"},
      {tr(last_section ? "exam.finish" : "exam.finish_section"), Intent::kShowReview,
       "exam.finish"},
  };
  for (BarButton& b : SettingsBar(tr, /*recheck=*/false)) bar.push_back(std::move(b));

  // One scrolling body for every item; a new item opens at its top (BeginBody on the first
  // frame). Not a window per item: Dear ImGui keeps every window it has seen, with its vertex
  // buffers, for the rest of the process.
  BeginBody(ctx, bar, "item-body");
  if (found == view.exam.items.end()) {
    ImGui::TextWrapped("%s", view.state.current_item.c_str());
    EndBody();
    return DrawBottomBar(ctx, bar);
  }
  const model::Item& item = found->second;
  const std::vector<std::string> order = exam::OptionOrder(view.exam, item, view.state.seed);
  const auto answered = view.state.answers.find(item.id);
  const std::vector<std::string> chosen =
      answered == view.state.answers.end() ? std::vector<std::string>{} : answered->second;

  // Two columns when there is room for a readable line beside the navigator; else the navigator
  // goes under the options.
  const float width = ImGui::GetContentRegionAvail().x;
  const bool wide = width > ctx.fonts.body_px * 34;
  const float nav_width = std::min(width * 0.3f, ctx.fonts.body_px * 13);
  if (wide) {
    BeginPanel("item", ImVec2(width - nav_width - ImGui::GetStyle().ItemSpacing.x, 0));
  }

  const std::string position =
      tr.Format("exam.item_of", std::to_string(index + 1) + " / " + std::to_string(items.size()));
  ImGui::TextDisabled("%s", position.c_str());
  if (flagged) {
    ImGui::SameLine();
    ImGui::TextColored(Colours(ctx.look).flag, "· %s", tr("exam.doubtful_marked"));
  }
  // Saved or not, on the item's first line where it is always in sight.
  const char* status = tr(chosen.empty() ? "exam.no_answer" : "exam.answer_kept");
  ImVec4 status_colour = Colours(ctx.look).muted;
  if (view.saved == Saved::kSaved) {
    status = tr("exam.saved");
    status_colour = Colours(ctx.look).ok;
  } else if (view.saved == Saved::kFailed) {
    status = tr("exam.not_saved_short");
    status_colour = Colours(ctx.look).bad;
  }
  AlignRight(status);
  ImGui::TextColored(status_colour, "%s", status);
  if (view.saved == Saved::kFailed) {
    ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).bad);
    ImGui::TextWrapped("%s %s", tr("exam.not_saved"), view.save_error.c_str());
    ImGui::PopStyleColor();
  }
  if (item.type == model::ItemType::kMultiple) {
    ImGui::TextDisabled("%s", tr("exam.choose_all"));
  }
  // Read-aloud: a large button before the stem, where it is found first (the R key does the
  // same; the volume keys, or + and -, set the volume).
  if (view.read_aloud) {
    ImGui::Spacing();
    if (BigButton(ctx, "read_aloud", tr(view.speaking ? "exam.read_aloud_stop" : "exam.read_aloud"),
                  ImGui::GetContentRegionAvail().x, view.speaking)) {
      action = Intent::kReadAloud;
    }
    if (!view.audio_error.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, Colours(ctx.look).bad);
      ImGui::TextWrapped("%s", view.audio_error.c_str());
      ImGui::PopStyleColor();
    }
  }
  ImGui::Spacing();
  ImGui::TextWrapped("%s", Pick(tr, item.stem).c_str());
  ImGui::Spacing();
  DrawImages(ctx, view, item);
  ImGui::Spacing();

  auto option_text = [&](const std::string& key) -> std::string {
    for (const model::Option& o : item.options) {
      if (o.key == key) return Pick(tr, o.text);
    }
    return key;
  };
  std::optional<std::string> pick;
  // A Likert scale reads left to right when every word fits its point; otherwise (large text,
  // narrow screen) it is a column, so that no word is split.
  const ImGuiStyle& style = ImGui::GetStyle();
  const float spacing = style.ItemSpacing.x;
  const float cell = (ImGui::GetContentRegionAvail().x - spacing * (order.size() - 1)) /
                     static_cast<float>(std::max<std::size_t>(order.size(), 1));
  float widest_word = 0;
  if (item.type == model::ItemType::kLikert) {
    for (const std::string& key : order) {
      std::string words = option_text(key) + " ";
      for (std::size_t at = 0, space; (space = words.find(' ', at)) != std::string::npos;
           at = space + 1) {
        const std::string word = words.substr(at, space - at);
        widest_word = std::max(widest_word, ImGui::CalcTextSize(word.c_str()).x);
      }
    }
  }
  const bool scale_in_a_row = widest_word + 2 * style.FramePadding.x <= cell;
  if (item.type == model::ItemType::kLikert && scale_in_a_row) {
    float tallest = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
      const std::string label = std::to_string(i + 1) + "\n" + option_text(order[i]);
      tallest = std::max(
          tallest,
          ImGui::CalcTextSize(label.c_str(), nullptr, false, cell - 2 * style.FramePadding.x).y);
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (i > 0) ImGui::SameLine();
      const bool selected = std::find(chosen.begin(), chosen.end(), order[i]) != chosen.end();
      if (BigButton(ctx, "option." + std::to_string(i + 1),
                    std::to_string(i + 1) + "\n" + option_text(order[i]), cell, selected,
                    tallest + 2 * style.FramePadding.y)) {
        pick = order[i];
      }
    }
  } else if (item.type == model::ItemType::kLikert) {
    const float full = ImGui::GetContentRegionAvail().x;
    for (std::size_t i = 0; i < order.size(); ++i) {
      const bool selected = std::find(chosen.begin(), chosen.end(), order[i]) != chosen.end();
      if (BigButton(ctx, "option." + std::to_string(i + 1),
                    std::to_string(i + 1) + "  " + option_text(order[i]), full, selected)) {
        pick = order[i];
      }
    }
  } else {
    const float full = ImGui::GetContentRegionAvail().x;
    for (std::size_t i = 0; i < order.size(); ++i) {
      const bool selected = std::find(chosen.begin(), chosen.end(), order[i]) != chosen.end();
      std::string label(1, static_cast<char>('A' + i));
      label += ".  ";
      if (item.type == model::ItemType::kMultiple) label = (selected ? "[X] " : "[  ] ") + label;
      label += option_text(order[i]);
      if (BigButton(ctx, "option." + std::to_string(i + 1), label, full, selected)) pick = order[i];
    }
  }
  if (auto by_key = ChosenByKey(ctx, order.size())) pick = order[*by_key];
  if (pick) action = AnswerCommand(item, Toggle(item, chosen, *pick));

  if (wide) {
    ImGui::EndChild();
    ImGui::SameLine();
    BeginPanel("navigator", ImVec2(nav_width, 0));
    if (auto go = DrawNavigator(ctx, view)) action = go;
    ImGui::EndChild();
  } else {
    ImGui::Separator();
    if (auto go = DrawNavigator(ctx, view)) action = go;
  }
  EndBody();

  if (auto pressed = DrawBottomBar(ctx, bar)) return *pressed;
  if (Pressed(ctx, SDLK_f)) return Intent::kToggleFlag;
  if (view.read_aloud) {
    if (Pressed(ctx, SDLK_r)) return Intent::kReadAloud;
    if (Pressed(ctx, SDLK_VOLUMEUP) || Pressed(ctx, SDLK_PLUS) || Pressed(ctx, SDLK_EQUALS) ||
        Pressed(ctx, SDLK_KP_PLUS)) {
      return Intent::kVolumeUp;
    }
    if (Pressed(ctx, SDLK_VOLUMEDOWN) || Pressed(ctx, SDLK_MINUS) || Pressed(ctx, SDLK_KP_MINUS)) {
      return Intent::kVolumeDown;
    }
  }
  if (Pressed(ctx, SDLK_LEFT) || Pressed(ctx, SDLK_PAGEUP)) return Intent::kPreviousItem;
  if (Pressed(ctx, SDLK_RIGHT) || Pressed(ctx, SDLK_PAGEDOWN)) return Intent::kNextItem;
  if (Pressed(ctx, SDLK_RETURN) || Pressed(ctx, SDLK_KP_ENTER)) {
    return index + 1 < items.size() ? Intent::kNextItem : Intent::kShowReview;
  }
  return action;
}

}  // namespace lontar::app
