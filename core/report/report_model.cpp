#include "core/report/report_model.hpp"

#include <algorithm>
#include <cctype>

#include "core/report/labels.hpp"

namespace lontar::report {
namespace {

// Section ids up to this long are abbreviations printed in capitals (TWK, TIU, TKP).
constexpr std::size_t kShortSectionId = 5;

std::string Figure(double v, Language language) {
  // Scores are whole points in every exam Lontar scores today; partial credit can give
  // fractions, printed with one decimal.
  const bool whole = v == static_cast<double>(static_cast<long long>(v));
  return FormatNumber(v, whole ? 0 : 1, language);
}

SittingEnd EndOf(server::Ending ending) {
  switch (ending) {
    case server::Ending::kTimeUp:
      return SittingEnd::kTimeUp;
    case server::Ending::kVoided:
      return SittingEnd::kVoided;
    case server::Ending::kHandedOff:
      return SittingEnd::kHandedOff;
    case server::Ending::kSubmitted:
    case server::Ending::kUnknown:
      break;
  }
  return SittingEnd::kSubmitted;
}

// The minimum total of the rule that applied to the row: its group's, or the exam's default.
std::optional<int> MinTotal(const model::Exam& exam, const server::ResultRow& row) {
  const model::PassRule* rule = model::FindPassRule(exam, row.rule.group);
  return rule != nullptr ? rule->min_total : exam.pass_total;
}

const model::Position* FindPosition(const model::Exam& exam, const std::string& id) {
  for (const model::Position& p : exam.positions) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

}  // namespace

const TimeZone& ReportContext::ZoneOf(const std::string& site) const {
  const auto it = site_zones.find(site);
  return it == site_zones.end() ? zone : it->second;
}

const std::string& Pick(const model::Text& text, Language language) {
  return language == Language::kEnglish && !text.en.empty() ? text.en : text.id;
}

std::string SectionName(const model::Exam& exam, std::string_view section_id, Language language) {
  if (section_id.size() > kShortSectionId) {
    for (const model::Section& s : exam.sections) {
      if (s.id == section_id) return Pick(s.title, language);
    }
  }
  std::string out(section_id);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool HasPassRule(const model::Exam& exam) {
  if (exam.pass_total || !exam.pass_rules.empty()) return true;
  return std::any_of(exam.sections.begin(), exam.sections.end(),
                     [](const model::Section& s) { return s.pass_threshold.has_value(); });
}

std::string GroupName(const model::Exam& exam, const std::string& group, Language language) {
  if (group.empty()) return language == Language::kEnglish ? "General" : "Umum";
  const model::PassRule* rule = model::FindPassRule(exam, group);
  return rule != nullptr ? Pick(rule->name, language) : group;
}

std::string RuleText(const model::Exam& exam, const server::ResultRow& row, Language language) {
  const std::optional<int> total = MinTotal(exam, row);
  std::vector<std::string> parts;
  if (total) parts.push_back("total \u2265 " + std::to_string(*total));
  for (const scoring::SectionScore& s : row.sections) {
    if (s.threshold)
      parts.push_back(SectionName(exam, s.id, language) + " \u2265 " +
                      std::to_string(*s.threshold));
  }
  std::string out = GroupName(exam, row.rule.group, language) + ": ";
  if (parts.empty()) return out + (language == Language::kEnglish ? "no minimum" : "tanpa batas");
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

std::string AccommodationsText(const model::Accommodations& a, Language language) {
  const bool id = language == Language::kIndonesian;
  std::vector<std::string> parts;
  if (a.extra_minutes > 0) {
    parts.push_back(id ? "tambahan waktu " + std::to_string(a.extra_minutes) + " menit"
                       : std::to_string(a.extra_minutes) + " extra minutes");
  } else if (a.time_permille != 1000) {
    std::string factor = model::DescribeExtraTime(a).substr(1);  // "1.3"
    if (id) std::replace(factor.begin(), factor.end(), '.', ',');
    parts.push_back((id ? "waktu \u00d7" : "time \u00d7") + factor);
  }
  if (a.text_size == model::TextSize::kLarge) parts.push_back(id ? "huruf besar" : "large text");
  if (a.text_size == model::TextSize::kLarger) {
    parts.push_back(id ? "huruf sangat besar" : "larger text");
  }
  if (a.high_contrast) parts.push_back(id ? "kontras tinggi" : "high contrast");
  if (a.read_aloud) parts.push_back(id ? "soal dibacakan" : "read-aloud");
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

CandidatePage CandidatePageFor(const server::ResultRow& row, const ReportContext& context) {
  const model::Exam& exam = *context.exam;
  const Language lang = context.language;
  CandidatePage page;
  page.language = lang;
  page.agency = context.agency;
  page.participant_number = row.participant;
  page.name = row.name;
  const model::Position* position = FindPosition(exam, row.position);
  page.position = position != nullptr ? Pick(position->name, lang) : row.position;
  if (!exam.pass_rules.empty()) page.group = GroupName(exam, row.group, lang);
  page.exam_title = Pick(exam.title, lang);
  page.exam_version = row.exam_version ? std::to_string(*row.exam_version) : "";
  page.site = row.site;
  page.terminal = row.terminal_id;
  page.sitting_time = FormatDateTime(row.created_ms, context.ZoneOf(row.site), lang);
  page.ended = EndOf(row.ending);
  page.receipt_code = row.receipt_code;
  page.bundle_id = row.bundle_id;
  if (row.accommodations) page.accommodations = AccommodationsText(*row.accommodations, lang);
  if (!row.scored) return page;

  for (const scoring::SectionScore& s : row.sections) {
    // "TWK (Tes Wawasan Kebangsaan)": the abbreviation the rules use, and what it stands for.
    std::string name = SectionName(exam, s.id, lang);
    for (const model::Section& es : exam.sections) {
      if (es.id == s.id && s.id.size() <= kShortSectionId) {
        name += " (" + Pick(es.title, lang) + ")";
      }
    }
    SectionLine line{std::move(name), Figure(s.total, lang), Figure(s.max, lang), "", {}};
    if (s.threshold) {
      line.threshold = std::to_string(*s.threshold);
      line.meets = s.total >= *s.threshold;
    }
    page.sections.push_back(std::move(line));
  }
  SectionLine total{"", Figure(row.total, lang), Figure(row.max, lang), "", {}};
  if (const std::optional<int> min_total = MinTotal(exam, row)) {
    total.threshold = std::to_string(*min_total);
    total.meets = row.total >= *min_total;
  }
  page.total = std::move(total);
  if (HasPassRule(exam) && row.ending != server::Ending::kVoided) {
    page.passed = row.passed;
    page.rule = RuleText(exam, row, lang);
  }

  for (const scoring::CompetencyScore& c : row.competencies) {
    CompetencyLine line{c.id, static_cast<double>(c.level), 0};
    for (const model::Competency& ec : exam.competencies) {
      if (ec.id == c.id) line.name = Pick(ec.name, lang);
    }
    if (position != nullptr) {
      if (const auto it = position->standards.find(c.id); it != position->standards.end()) {
        line.standard = it->second;
      }
    }
    page.competencies.push_back(std::move(line));
  }
  if (row.jpm_percent) {
    page.jpm_percent = FormatPercent(*row.jpm_percent, 1, lang);
    page.jpm_category = Pick(row.jpm_category, lang);
  }
  return page;
}

std::string CandidateFileName(const server::ResultRow& row, bool several) {
  std::string name = row.participant;
  if (several) name += "_" + row.terminal_id + "_" + std::to_string(row.seq);
  for (char& c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!ok) c = '_';
  }
  if (name.empty() || name[0] == '.') name.insert(0, "_");
  return name + ".pdf";
}

}  // namespace lontar::report
