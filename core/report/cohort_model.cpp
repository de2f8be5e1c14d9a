#include "core/report/cohort_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/util/csv_field.hpp"

namespace lontar::report {
namespace {

// Bins per section histogram, roughly: the width is the section maximum over this, rounded up.
constexpr double kTargetBins = 8;

std::string Plain(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

template <typename Row>
bool Passed(const Row& row) {
  return !row.voided && row.passed;
}

// Adds one sitting to the line named `name` of `lines`, keeping first-seen order.
void Count(std::vector<CountLine>& lines, const std::string& name, bool with_pass, bool passed) {
  auto it =
      std::find_if(lines.begin(), lines.end(), [&](const CountLine& l) { return l.name == name; });
  if (it == lines.end()) {
    lines.push_back(CountLine{name, 0, with_pass ? std::optional<long>(0) : std::nullopt});
    it = lines.end() - 1;
  }
  ++it->candidates;
  if (with_pass && passed) ++*it->passed;
}

// Bin edges for totals in [0, max]: equal widths, one edge at `threshold` when it lies inside.
std::vector<double> Edges(double max, std::optional<int> threshold) {
  const double width = std::max(1.0, std::ceil(max / kTargetBins));
  const double anchor = threshold && *threshold > 0 && *threshold <= max ? *threshold : 0;
  std::vector<double> edges;
  for (double x = anchor; x > 0; x -= width) edges.push_back(x);
  edges.push_back(0);
  std::reverse(edges.begin(), edges.end());
  for (double x = anchor + width; x <= max; x += width) edges.push_back(x);
  return edges;  // bin i is [edges[i], edges[i+1]); the last bin runs to max inclusive
}

SectionHistogram Histogram(const model::Exam& exam, const model::Section& section, double max,
                           const std::vector<double>& totals, Language lang) {
  SectionHistogram h;
  h.section = SectionName(exam, section.id, lang);
  const std::vector<double> edges = Edges(max, section.pass_threshold);
  h.counts.assign(edges.size(), 0);
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const double low = edges[i];
    const bool last = i + 1 == edges.size();
    const double high = last ? max : edges[i + 1] - 1;
    h.bin_labels.push_back(FormatNumber(low, 0, lang) + "\u2013" + FormatNumber(high, 0, lang));
    if (section.pass_threshold && low == *section.pass_threshold) {
      h.threshold_bin = static_cast<int>(i);
    }
  }
  if (section.pass_threshold) h.threshold = std::to_string(*section.pass_threshold);
  for (double t : totals) {
    const auto it = std::upper_bound(edges.begin(), edges.end(), t);
    const std::size_t bin =
        it == edges.begin() ? 0 : static_cast<std::size_t>(it - edges.begin()) - 1;
    ++h.counts[std::min(bin, edges.size() - 1)];
  }
  return h;
}

}  // namespace

void CohortBuilder::Add(const server::ResultRow& row) {
  if (!row.scored) return;
  const model::Exam& exam = *context_.exam;
  Kept k;
  k.participant = row.participant;
  k.name = row.name;
  k.group = row.group;
  k.position = row.position;
  k.site = row.site;
  k.terminal_id = row.terminal_id;
  k.receipt_code = row.receipt_code;
  k.bundle_id = row.bundle_id;
  k.pack_prefix = row.pack_id.substr(0, std::min<std::size_t>(8, row.pack_id.size()));
  k.jpm_category = row.jpm_category.id;
  k.exam_version = row.exam_version;
  k.jpm_percent = row.jpm_percent;
  k.ending = row.ending;
  k.voided = server::IsVoided(row);
  k.passed = row.passed;
  k.total = row.total;
  k.max = row.max;
  for (const scoring::SectionScore& sec : row.sections) {
    SectionKept kept{-1, sec.total, sec.max};
    for (std::size_t i = 0; i < exam.sections.size(); ++i) {
      if (exam.sections[i].id == sec.id) kept.index = static_cast<int>(i);
    }
    k.sections.push_back(kept);
  }
  for (const scoring::CompetencyScore& comp : row.competencies) {
    LevelKept kept{-1, comp.level};
    for (std::size_t i = 0; i < exam.competencies.size(); ++i) {
      if (exam.competencies[i].id == comp.id) kept.index = static_cast<int>(i);
    }
    k.levels.push_back(kept);
  }
  entries_.push_back(server::RankEntryOf(row, exam));
  rows_.push_back(std::move(k));
}

void CohortBuilder::Rank() {
  const std::vector<std::optional<int>> ranks = scoring::Rank(entries_);
  for (std::size_t i = 0; i < rows_.size() && i < ranks.size(); ++i) rows_[i].rank = ranks[i];
  entries_ = {};
}

std::vector<std::size_t> CohortBuilder::RankOrder() const {
  std::vector<std::size_t> order(rows_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const bool by_position = scoring::RanksByJpm(*context_.exam);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Kept& x = rows_[a];
    const Kept& y = rows_[b];
    if (x.rank.has_value() != y.rank.has_value()) return x.rank.has_value();
    if (!x.rank) return false;  // unranked: the store's order
    if (by_position && x.position != y.position) return x.position < y.position;
    if (*x.rank != *y.rank) return *x.rank < *y.rank;
    return x.participant < y.participant;
  });
  return order;
}

CohortReport CohortBuilder::Report(std::string generated_at) const {
  const model::Exam& exam = *context_.exam;
  const Language lang = context_.language;
  const bool with_pass = HasPassRule(exam);
  CohortReport r;
  r.language = lang;
  r.agency = context_.agency;
  r.exam_title = Pick(exam.title, lang);
  r.generated_at = std::move(generated_at);
  r.overall.passed = with_pass ? std::optional<long>(0) : std::nullopt;

  std::map<std::string, std::string> position_names;
  for (const model::Position& p : exam.positions) position_names[p.id] = Pick(p.name, lang);
  auto position_name = [&](const std::string& id) {
    const auto it = position_names.find(id);
    return it == position_names.end() ? id : it->second;
  };

  std::vector<std::vector<double>> totals(exam.sections.size());
  std::vector<double> maxima(exam.sections.size(), 0);
  std::map<std::string, std::size_t> position_index;
  std::vector<std::uint64_t> versions;
  for (const Kept& row : rows_) {
    const bool passed = Passed(row);
    ++r.overall.candidates;
    if (with_pass && passed) ++*r.overall.passed;
    Count(r.by_site, row.site, with_pass, passed);
    std::string session = (lang == Language::kEnglish ? "Pack " : "Paket ") + row.pack_prefix;
    if (row.exam_version) {
      session += (lang == Language::kEnglish ? " \u00b7 version " : " \u00b7 versi ") +
                 std::to_string(*row.exam_version);
      if (std::find(versions.begin(), versions.end(), *row.exam_version) == versions.end()) {
        versions.push_back(*row.exam_version);
      }
    }
    Count(r.by_session, session, with_pass, passed);
    if (!exam.pass_rules.empty()) Count(r.by_group, GroupName(exam, row.group, lang), true, passed);
    if (row.voided) continue;
    for (std::size_t i = 0; i < exam.sections.size() && i < row.sections.size(); ++i) {
      totals[i].push_back(row.sections[i].total);
      maxima[i] = std::max(maxima[i], row.sections[i].max);
    }
  }
  std::sort(versions.begin(), versions.end());
  for (std::size_t i = 0; i < versions.size(); ++i) {
    r.exam_version += (i ? ", " : "") + std::to_string(versions[i]);
  }

  // A competency exam ranks by JPM: its section totals are no ranking key, so no columns.
  const bool by_position = scoring::RanksByJpm(exam);
  r.rank_by_jpm = by_position;
  if (!by_position) {
    for (const model::Section& s : exam.sections) {
      r.section_names.push_back(SectionName(exam, s.id, lang));
    }
  }
  for (std::size_t i : RankOrder()) {
    const Kept& row = rows_[i];
    if (!row.rank) break;
    RankLine line;
    line.rank = std::to_string(*row.rank);
    line.participant = row.participant;
    line.name = row.name;
    line.group = by_position ? position_name(row.position)
                             : (exam.pass_rules.empty() ? "" : GroupName(exam, row.group, lang));
    line.total = FormatNumber(row.total, row.total == std::floor(row.total) ? 0 : 1, lang);
    if (by_position && row.jpm_percent) line.total = FormatPercent(*row.jpm_percent, 1, lang);
    for (const SectionKept& s : by_position ? std::vector<SectionKept>{} : row.sections) {
      line.sections.push_back(FormatNumber(s.total, s.total == std::floor(s.total) ? 0 : 1, lang));
    }
    if (with_pass) line.passed = row.passed;
    r.ranking.push_back(std::move(line));
  }

  for (std::size_t i = 0; i < exam.sections.size(); ++i) {
    if (maxima[i] <= 0) continue;
    r.histograms.push_back(Histogram(exam, exam.sections[i], maxima[i], totals[i], lang));
  }

  if (!exam.competencies.empty()) {
    for (const model::Competency& c : exam.competencies) {
      CompetencyLevels levels{Pick(c.name, lang), std::vector<long>(5, 0)};
      const int index = static_cast<int>(&c - exam.competencies.data());
      for (const Kept& row : rows_) {
        if (row.voided) continue;
        for (const LevelKept& cs : row.levels) {
          if (cs.index == index && cs.level >= 1 && cs.level <= 5) ++levels.per_level[cs.level - 1];
        }
      }
      r.levels.push_back(std::move(levels));
    }
    for (const model::JpmCategory& cat : exam.jpm_categories) {
      r.jpm_categories.push_back(Pick(cat.name, lang));
    }
    for (const model::Position& p : exam.positions) {
      PositionJpm line{Pick(p.name, lang), std::vector<long>(exam.jpm_categories.size(), 0)};
      for (const Kept& row : rows_) {
        if (row.voided || row.position != p.id || !row.jpm_percent) continue;
        for (std::size_t k = 0; k < exam.jpm_categories.size(); ++k) {
          if (exam.jpm_categories[k].name.id == row.jpm_category) ++line.per_category[k];
        }
      }
      r.jpm_by_position.push_back(std::move(line));
    }
  }
  return r;
}

std::string CohortBuilder::Csv() const {
  const model::Exam& exam = *context_.exam;
  const bool with_pass = HasPassRule(exam);
  std::string out =
      "rank,participant,name,group,position,site,terminal,exam_id,exam_version,kind,total,max,"
      "passed";
  for (const auto& s : exam.sections) out += "," + CsvField("section:" + s.id);
  for (const auto& c : exam.competencies) out += "," + CsvField("level:" + c.id);
  out += ",jpm_percent,jpm_category,receipt_code,bundle_id\r\n";
  for (std::size_t i : RankOrder()) {
    const Kept& row = rows_[i];
    std::vector<std::string> f = {row.rank ? std::to_string(*row.rank) : "",
                                  row.participant,
                                  row.name,
                                  row.group,
                                  row.position,
                                  row.site,
                                  row.terminal_id,
                                  exam.id,
                                  row.exam_version ? std::to_string(*row.exam_version) : "",
                                  std::string(server::EndingName(row.ending)),
                                  Plain(row.total),
                                  Plain(row.max),
                                  with_pass && !row.voided ? (row.passed ? "pass" : "fail") : ""};
    for (std::size_t s = 0; s < exam.sections.size(); ++s) {
      std::string v;
      for (const SectionKept& rs : row.sections) {
        if (rs.index == static_cast<int>(s)) v = Plain(rs.total);
      }
      f.push_back(v);
    }
    for (std::size_t c = 0; c < exam.competencies.size(); ++c) {
      std::string v;
      for (const LevelKept& rc : row.levels) {
        if (rc.index == static_cast<int>(c)) v = std::to_string(rc.level);
      }
      f.push_back(v);
    }
    f.push_back(row.jpm_percent ? Plain(*row.jpm_percent) : "");
    f.push_back(row.jpm_percent ? row.jpm_category : "");
    f.push_back(row.receipt_code);
    f.push_back(row.bundle_id);
    for (std::size_t k = 0; k < f.size(); ++k) out += (k ? "," : "") + CsvField(f[k]);
    out += "\r\n";
  }
  return out;
}

}  // namespace lontar::report
