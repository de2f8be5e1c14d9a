#include "core/interop/qti_item.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "core/interop/package.hpp"
#include "core/interop/qti_text.hpp"
#include "core/interop/xml.hpp"

namespace lontar::interop {
namespace {

using model::ItemType;

// What the response processing reduces to.
struct Rule {
  enum Kind { kNone, kMatchCorrect, kMapResponse, kOther } kind = kNone;
  std::optional<double> right, wrong;  // written-out match_correct's scores
  std::string what;                    // for kOther: why it is not understood
};

struct Declaration {
  std::string cardinality, base_type;
  std::vector<std::string> correct;
  std::map<std::string, double> mapping;
  std::optional<double> default_value, lower_bound, upper_bound;
  bool has_mapping = false;
  int line = 0;
};

std::optional<double> Number(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s->c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool IsWhole(double v) { return std::fabs(v - std::round(v)) < 1e-9; }

// "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml" -> "match_correct".
std::string TemplateName(std::string url) {
  if (url.ends_with(".xml")) url.resize(url.size() - 4);
  const std::size_t slash = url.find_last_of("/\\");
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

// <qti-set-outcome-value identifier="SCORE"><qti-base-value>N</qti-base-value></...>: N.
std::optional<double> SetsScore(XmlNode n) {
  if (LocalName(n) != "qti-set-outcome-value" || Attr(n, "identifier") != "SCORE") {
    return std::nullopt;
  }
  const auto kids = Children(n);
  if (kids.size() != 1 || LocalName(kids[0]) != "qti-base-value") return std::nullopt;
  return Number(InnerText(kids[0]));
}

bool SetsScoreToMap(XmlNode n, const std::string& response) {
  if (LocalName(n) != "qti-set-outcome-value" || Attr(n, "identifier") != "SCORE") return false;
  const auto kids = Children(n);
  return kids.size() == 1 && LocalName(kids[0]) == "qti-map-response" &&
         Attr(kids[0], "identifier") == response;
}

bool IsVariable(XmlNode n, std::string_view local, const std::string& response) {
  return LocalName(n) == local && Attr(n, "identifier") == response;
}

// The written-out forms of match_correct and map_response (qti_item.hpp).
Rule WrittenOut(XmlNode rp, const std::string& response) {
  const auto steps = Children(rp);
  if (steps.size() == 1 && SetsScoreToMap(steps[0], response))
    return {Rule::kMapResponse, {}, {}, ""};
  if (steps.size() == 1 && LocalName(steps[0]) == "qti-response-condition") {
    const auto parts = Children(steps[0]);
    if (parts.size() == 2 && LocalName(parts[0]) == "qti-response-if" &&
        LocalName(parts[1]) == "qti-response-else") {
      const auto cond = Children(parts[0]);
      const auto other = Children(parts[1]);
      if (cond.size() == 2 && other.size() == 1) {
        const auto test = Children(cond[0]);
        if (LocalName(cond[0]) == "qti-match" && test.size() == 2 &&
            IsVariable(test[0], "qti-variable", response) &&
            IsVariable(test[1], "qti-correct", response)) {
          auto right = SetsScore(cond[1]);
          auto wrong = SetsScore(other[0]);
          if (right && wrong) return {Rule::kMatchCorrect, right, wrong, ""};
        }
        if (LocalName(cond[0]) == "qti-is-null" && test.size() == 1 &&
            IsVariable(test[0], "qti-variable", response) && SetsScore(cond[1]) == 0.0 &&
            SetsScoreToMap(other[0], response)) {
          return {Rule::kMapResponse, {}, {}, ""};
        }
      }
    }
  }
  return {Rule::kOther,
          {},
          {},
          "response processing that is neither match_correct nor "
          "map_response (nor their written-out forms)"};
}

Declaration ReadDeclaration(XmlNode d) {
  Declaration out;
  out.line = Line(d);
  out.cardinality = Attr(d, "cardinality").value_or("");
  out.base_type = Attr(d, "base-type").value_or("");
  for (XmlNode c : Children(d, "qti-correct-response")) {
    for (XmlNode v : Children(c, "qti-value")) out.correct.push_back(InnerText(v));
  }
  for (XmlNode m : Children(d, "qti-mapping")) {
    out.has_mapping = true;
    out.default_value = Number(Attr(m, "default-value"));
    out.lower_bound = Number(Attr(m, "lower-bound"));
    out.upper_bound = Number(Attr(m, "upper-bound"));
    for (XmlNode e : Children(m, "qti-map-entry")) {
      if (auto v = Number(Attr(e, "mapped-value"))) {
        out.mapping[Attr(e, "map-key").value_or("")] = *v;
      }
    }
  }
  return out;
}

// Elements of an item that Lontar leaves out, and why.
const char* Unsupported(std::string_view name) {
  if (name == "qti-modal-feedback" || name == "qti-feedback-inline" ||
      name == "qti-feedback-block") {
    return "feedback: Lontar shows no feedback during a sitting";
  }
  if (name == "qti-template-declaration" || name == "qti-template-processing") {
    return "item templates (cloned variables): Lontar items are fixed";
  }
  if (name == "qti-rubric-block") return "a rubric block: Lontar shows no rubrics";
  if (name == "math") return "MathML: write the formula as text or an image";
  if (name == "table") return "a table: Lontar shows text and images (use an image)";
  if (name == "object" || name == "audio" || name == "video" || name == "iframe") {
    return "audio, video or embedded objects: Lontar shows text and images";
  }
  return nullptr;
}

}  // namespace

std::string ToLontarId(std::string_view identifier) {
  std::string out;
  for (char c : identifier) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      out += c;
    } else if (c == '_' || c == '.' || c == ' ') {
      out += '-';
    } else {
      return "";
    }
  }
  return out.size() <= 64 ? out : "";
}

Result<QtiItem> ReadQtiItem(std::string_view xml, std::string_view entry,
                            const QtiItemOptions& options) {
  LONTAR_ASSIGN_OR_RETURN(XmlDoc doc, XmlDoc::Parse(xml, entry));
  XmlNode root = doc.root();
  if (LocalName(root) != "qti-assessment-item" || NamespaceUri(root) != kQtiNamespace) {
    const std::string ns(NamespaceUri(root));
    return std::unexpected(Error::Malformed(
        doc.Where(root) + ": <" + std::string(LocalName(root)) + "> in namespace '" + ns +
        "' is not a QTI 3.0 qti-assessment-item (" + std::string(kQtiNamespace) + ")" +
        (ns.find("imsqti_v2") != std::string::npos ? "; convert QTI 2 packages to QTI 3.0 first"
                                                   : "")));
  }
  QtiItem out;
  out.identifier = Attr(root, "identifier").value_or("");
  auto drop = [&](XmlNode at, const std::string& message) {
    out.dropped.push_back({doc.Where(at), out.identifier, message});
  };
  out.item.id = ToLontarId(out.identifier);
  if (out.item.id.empty()) {
    drop(root, "identifier '" + out.identifier +
                   "' cannot become a Lontar item id (letters, digits, '-', '_' and '.'; at most "
                   "64)");
  }
  if (Attr(root, "adaptive") == "true") {
    drop(root, "an adaptive item: Lontar items are answered once, without attempts");
  }
  std::string lang = Lang(root);
  if (lang.empty()) lang = "id";

  XmlNode interaction = nullptr;
  XmlNode body = nullptr;
  XmlNode processing = nullptr;
  std::map<std::string, Declaration> declarations;
  for (XmlNode c : Children(root)) {
    const std::string_view name = LocalName(c);
    if (name == "qti-response-declaration") {
      declarations[Attr(c, "identifier").value_or("")] = ReadDeclaration(c);
    } else if (name == "qti-item-body") {
      body = c;
    } else if (name == "qti-response-processing") {
      processing = c;
    } else if (const char* why = Unsupported(name)) {
      drop(c, why);
    }
  }
  if (body == nullptr) {
    drop(root, "no qti-item-body");
    return out;
  }

  std::set<std::string> seen_images;
  BilingualText stem(lang);
  auto on_unknown = [&](XmlNode n, const std::string& why) {
    const char* known = Unsupported(LocalName(n));
    drop(n, known != nullptr ? std::string(known) : why);
  };
  auto on_image = [&](XmlNode n) {
    const std::string src = Attr(n, "src").value_or("");
    const std::string resolved = ResolveHref(entry, src);
    if (resolved.empty()) {
      drop(n, "image '" + src + "' is not a file inside the package (no URLs or paths outside)");
    } else if (seen_images.insert(resolved).second) {
      if (out.images.empty()) out.images_line = Line(n);
      out.images.push_back(resolved);
    }
  };
  stem.Walk(
      body,
      [&](XmlNode n) {
        const std::string_view name = LocalName(n);
        if (name == "img") {
          on_image(n);
          return true;
        }
        if (name == "qti-choice-interaction") {
          if (interaction != nullptr) {
            drop(n, "a second interaction: a Lontar item asks one question");
            return true;
          }
          interaction = n;
          for (XmlNode p : Children(n, "qti-prompt")) {
            stem.Paragraph();
            stem.Walk(
                p, [&](XmlNode m) { return LocalName(m) == "img" && (on_image(m), true); },
                on_unknown);
            stem.Paragraph();
          }
          return true;
        }
        if (name.starts_with("qti-") && name.ends_with("-interaction")) {
          drop(n, std::string(name) +
                      ": Lontar has choice items only (single, multiple, weighted, likert)");
          return true;
        }
        return false;
      },
      on_unknown);
  out.item.stem = stem.Finish(out.one_language);
  if (interaction == nullptr) {
    if (out.dropped.empty()) drop(body, "no qti-choice-interaction: nothing to answer");
    return out;
  }

  // The choices.
  std::map<std::string, std::string> key_of;  // QTI identifier -> "A", "B", ...
  const auto choices = Children(interaction, "qti-simple-choice");
  if (choices.size() < 2 || choices.size() > 6) {
    drop(interaction, std::to_string(choices.size()) + " choices; a Lontar item has 2 to 6");
    return out;
  }
  for (XmlNode choice : choices) {
    const std::string key(1, static_cast<char>('A' + out.item.options.size()));
    const std::string id = Attr(choice, "identifier").value_or("");
    if (!key_of.emplace(id, key).second) drop(choice, "choice '" + id + "' appears twice");
    if (Attr(choice, "fixed") == "true") out.fixed_choice = true;
    BilingualText text(lang);
    text.Walk(
        choice,
        [&](XmlNode n) {
          if (LocalName(n) != "img") return false;
          drop(n, "an image in choice '" + id + "': Lontar options are text only");
          return true;
        },
        on_unknown);
    model::Option option;
    option.key = key;
    bool one = false;
    option.text = text.Finish(one);
    out.one_language = out.one_language || one;
    if (option.text.id.empty()) drop(choice, "choice '" + id + "' has no text");
    out.item.options.push_back(std::move(option));
  }
  out.shuffle = Attr(interaction, "shuffle") == "true";
  const std::string classes = Attr(interaction, "class").value_or("");

  // The response and its scoring.
  const std::string response = Attr(interaction, "response-identifier").value_or("");
  auto decl_it = declarations.find(response);
  if (decl_it == declarations.end()) {
    drop(interaction, "no qti-response-declaration for '" + response + "'");
    return out;
  }
  const Declaration& decl = decl_it->second;
  Rule rule;
  if (processing == nullptr) {
    rule = {Rule::kOther, {}, {}, "no response processing: the item would not be scored"};
  } else if (auto url = Attr(processing, "template")) {
    const std::string name = TemplateName(*url);
    if (name == "match_correct") {
      rule.kind = Rule::kMatchCorrect;
    } else if (name == "map_response") {
      rule.kind = Rule::kMapResponse;
    } else {
      rule = {Rule::kOther, {}, {}, "response processing template '" + name + "'"};
    }
  } else {
    rule = WrittenOut(processing, response);
  }
  XmlNode rp_at = processing != nullptr ? processing : root;
  if (rule.kind == Rule::kOther) {
    drop(rp_at, rule.what + ": Lontar scores single, multiple, weighted and likert items");
    return out;
  }
  if (decl.base_type != "identifier") {
    drop(interaction, "response base-type '" + decl.base_type + "'; expected identifier");
    return out;
  }
  auto key = [&](const std::string& id) -> std::optional<std::string> {
    auto it = key_of.find(id);
    if (it == key_of.end()) return std::nullopt;
    return it->second;
  };
  model::Item& item = out.item;
  if (rule.kind == Rule::kMatchCorrect) {
    if (decl.cardinality != "single" && decl.cardinality != "multiple") {
      drop(interaction, "cardinality '" + decl.cardinality + "': Lontar has single and multiple");
      return out;
    }
    item.type = decl.cardinality == "single" ? ItemType::kSingle : ItemType::kMultiple;
    if (decl.correct.empty() || (item.type == ItemType::kSingle && decl.correct.size() != 1)) {
      drop(interaction, "match_correct needs " +
                            std::string(item.type == ItemType::kSingle ? "exactly one" : "a") +
                            " qti-correct-response value (found " +
                            std::to_string(decl.correct.size()) + ")");
      return out;
    }
    for (const std::string& c : decl.correct) {
      auto k = key(c);
      if (!k) {
        drop(interaction, "the correct response '" + c + "' is not one of the choices");
        return out;
      }
      item.options[static_cast<std::size_t>((*k)[0] - 'A')].correct = true;
    }
    // The template scores 1/0, which becomes points_correct/0; a written-out rule says its scores.
    const double right = rule.right.value_or(1), wrong = rule.wrong.value_or(0);
    if (!rule.right) {
      item.points_correct = options.points_correct;
    } else if (IsWhole(right) && IsWhole(wrong) && right >= 0 && right <= 100 && wrong >= -100 &&
               wrong <= 100) {
      item.points_correct = static_cast<int>(right);
      item.points_wrong = static_cast<int>(wrong);
    } else {
      drop(rp_at, "scores " + std::to_string(right) + "/" + std::to_string(wrong) +
                      "; Lontar points are whole numbers, 0..100 right and -100..100 wrong");
    }
    return out;
  }

  // map_response.
  if (!decl.has_mapping) {
    drop(interaction, "map_response without a qti-mapping");
    return out;
  }
  std::vector<double> values;
  for (XmlNode choice : choices) {
    const std::string id = Attr(choice, "identifier").value_or("");
    auto it = decl.mapping.find(id);
    if (it == decl.mapping.end() && !decl.default_value) {
      drop(choice, "choice '" + id + "' has no qti-map-entry and the mapping no default-value");
      return out;
    }
    values.push_back(it != decl.mapping.end() ? it->second : *decl.default_value);
  }
  if (decl.cardinality == "multiple") {
    // Proportional partial credit: +P/R per right choice, -P/R per wrong one, floored at 0.
    std::set<std::string> right(decl.correct.begin(), decl.correct.end());
    if (right.empty()) {
      for (std::size_t k = 0; k < choices.size(); ++k) {
        if (values[k] > 0) right.insert(Attr(choices[k], "identifier").value_or(""));
      }
    }
    const double step = right.empty()                        ? 0
                        : decl.mapping.count(*right.begin()) ? decl.mapping.at(*right.begin())
                                                             : decl.default_value.value_or(0);
    bool ok = step > 0 && decl.lower_bound == 0.0;
    for (std::size_t k = 0; k < choices.size() && ok; ++k) {
      const bool is_right = right.contains(Attr(choices[k], "identifier").value_or(""));
      ok = std::fabs(values[k] - (is_right ? step : -step)) < 1e-6;
      item.options[k].correct = is_right;
    }
    const double points = decl.upper_bound.value_or(step * static_cast<double>(right.size()));
    if (!ok || !IsWhole(points) || points < 1 || points > 100 ||
        std::fabs(points - step * static_cast<double>(right.size())) > 1e-6) {
      drop(rp_at,
           "a multiple-response mapping Lontar cannot score: it gives proportional credit only "
           "(each right choice +P/R, each wrong one -P/R, lower-bound 0, P whole)");
      return out;
    }
    item.type = ItemType::kMultiple;
    item.partial = true;
    item.points_correct = static_cast<int>(std::round(points));
    return out;
  }
  if (decl.cardinality != "single") {
    drop(interaction, "cardinality '" + decl.cardinality + "': Lontar has single and multiple");
    return out;
  }
  std::vector<int> weights;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!IsWhole(values[k]) || values[k] < 1 || values[k] > 5) {
      drop(choices[k], "choice '" + Attr(choices[k], "identifier").value_or("") + "' maps to " +
                           std::to_string(values[k]) + "; Lontar weights are whole numbers 1..5");
      return out;
    }
    weights.push_back(static_cast<int>(values[k]));
  }
  const int n = static_cast<int>(weights.size());
  bool ascending = true, descending = true;
  for (int k = 0; k < n; ++k) {
    ascending = ascending && weights[static_cast<std::size_t>(k)] == k + 1;
    descending = descending && weights[static_cast<std::size_t>(k)] == n - k;
  }
  const bool distinct = std::set<int>(weights.begin(), weights.end()).size() == weights.size();
  const bool says_weighted = classes.find("lontar-weighted") != std::string::npos;
  const bool says_reverse = classes.find("lontar-likert-reverse") != std::string::npos;
  const bool says_likert = classes.find("likert") != std::string::npos;
  if (says_weighted || (!says_likert && !ascending && !descending)) {
    if (!distinct) {
      drop(rp_at, "choices share a weight; a weighted item gives each option its own weight 1..5");
      return out;
    }
    item.type = ItemType::kWeighted;
  } else {
    item.type = ItemType::kLikert;
    item.reverse = says_reverse;
  }
  const auto [lo, hi] = std::minmax_element(weights.begin(), weights.end());
  for (std::size_t k = 0; k < weights.size(); ++k) {
    // A reversed Likert item is exported with the scores it gives; its weights are the other way.
    item.options[k].weight = says_reverse ? *lo + *hi - weights[k] : weights[k];
  }
  return out;
}

}  // namespace lontar::interop
