#include "core/report/response_matrix.hpp"

#include <cassert>
#include <limits>

namespace lontar::report {
namespace {

constexpr std::size_t kUnsectioned = std::numeric_limits<std::size_t>::max();

bool IsDichotomous(const model::Item& item) {
  return item.type == model::ItemType::kSingle ||
         (item.type == model::ItemType::kMultiple && !item.partial);
}

std::string KeysOf(const MatrixItem& item, ChoiceSet set) {
  std::string out;
  for (std::size_t k = 0; k < item.option_keys.size(); ++k) {
    if ((set >> k) & 1) out += (out.empty() ? "" : ", ") + item.option_keys[k];
  }
  return out;
}

// Fills the score tables of `m` from the scorer: every choice set of the item's options once.
void BuildTables(const model::Item& item, MatrixItem& m) {
  const std::size_t sets = std::size_t{1} << item.options.size();
  std::vector<std::string> keys;
  for (std::size_t set = 0; set < sets; ++set) {
    keys.clear();
    for (std::size_t k = 0; k < item.options.size(); ++k) {
      if ((set >> k) & 1) keys.push_back(item.options[k].key);
    }
    const Result<double> points = scoring::ScoreItem(item, keys);
    if (!points) continue;  // e.g. two options on a weighted item: not allowed
    m.allowed[set] = true;
    m.score[set] = *points;
    m.correct[set] = set != 0 && *points == m.max_score;
  }
  for (std::size_t k = 0; k < item.options.size(); ++k) {
    const bool keyed =
        (item.type == model::ItemType::kSingle || item.type == model::ItemType::kMultiple)
            ? item.options[k].correct
            : m.score[std::size_t{1} << k] == m.max_score;
    m.distractor.push_back(!keyed);
  }
}

}  // namespace

Result<ResponseMatrix> ResponseMatrix::ForExam(const model::Exam& exam) {
  ResponseMatrix matrix;
  for (const auto& [id, item] : exam.items) matrix.index_.emplace(id, kUnsectioned);
  for (const model::Section& section : exam.sections) {
    MatrixSection s{section.id, matrix.items_.size(), section.items.size()};
    for (const std::string& id : section.items) {
      const auto found = exam.items.find(id);
      if (found == exam.items.end()) {
        return std::unexpected(Error::InvalidArgument("section " + section.id + " lists item " +
                                                      id + ", which the exam does not have"));
      }
      std::size_t& index = matrix.index_.at(id);
      if (index != kUnsectioned) {
        return std::unexpected(Error::InvalidArgument(
            "item " + id + " is listed twice (again in section " + section.id + ")"));
      }
      const model::Item& item = found->second;
      if (item.options.size() > kMaxOptions) {
        return std::unexpected(Error::InvalidArgument(
            "item " + id + " has " + std::to_string(item.options.size()) +
            " options; item analysis handles at most " + std::to_string(kMaxOptions)));
      }
      index = matrix.items_.size();
      MatrixItem m;
      m.id = id;
      m.section = section.id;
      m.section_index = matrix.sections_.size();
      m.competency = item.competency;
      m.type = item.type;
      for (const model::Option& o : item.options) m.option_keys.push_back(o.key);
      m.max_score = scoring::MaxScore(item);
      m.dichotomous = IsDichotomous(item);
      BuildTables(item, m);
      matrix.items_.push_back(std::move(m));
    }
    matrix.sections_.push_back(std::move(s));
  }
  return matrix;
}

Status ResponseMatrix::AddCandidate(std::string_view participant, const scoring::Answers& answers) {
  std::vector<ChoiceSet> row(items_.size(), 0);
  for (const auto& [id, keys] : answers) {
    const auto found = index_.find(id);
    if (found == index_.end()) {
      return std::unexpected(Error::InvalidArgument("participant " + std::string(participant) +
                                                    ": answer to unknown item " + id));
    }
    if (found->second == kUnsectioned) continue;
    const MatrixItem& item = items_[found->second];
    ChoiceSet set = 0;
    for (const std::string& key : keys) {
      std::size_t k = 0;
      while (k < item.option_keys.size() && item.option_keys[k] != key) ++k;
      if (k == item.option_keys.size()) {
        return std::unexpected(Error::InvalidArgument("participant " + std::string(participant) +
                                                      ": item " + id + " has no option " + key));
      }
      set |= static_cast<ChoiceSet>(1u << k);
    }
    row[found->second] = set;
  }
  return AddRow(participant, row);
}

Status ResponseMatrix::AddRow(std::string_view participant, const std::vector<ChoiceSet>& row) {
  if (row.size() != items_.size()) {
    return std::unexpected(Error::InvalidArgument(
        "participant " + std::string(participant) + ": a row of " + std::to_string(row.size()) +
        " choices for an exam of " + std::to_string(items_.size()) + " items"));
  }
  for (std::size_t i = 0; i < row.size(); ++i) {
    const MatrixItem& item = items_[i];
    if (row[i] >= (std::size_t{1} << item.option_keys.size())) {
      return std::unexpected(Error::InvalidArgument(
          "participant " + std::string(participant) + ": item " + item.id + " has only " +
          std::to_string(item.option_keys.size()) + " options"));
    }
    if (!item.allowed[row[i]]) {
      return std::unexpected(
          Error::InvalidArgument("participant " + std::string(participant) + ": item " + item.id +
                                 " takes one answer, got " + KeysOf(item, row[i])));
    }
  }
  if (participants_.size() + participant.size() > std::numeric_limits<std::uint32_t>::max()) {
    return std::unexpected(Error::InvalidArgument("participant " + std::string(participant) +
                                                  ": too many participants for one matrix"));
  }
  choices_.insert(choices_.end(), row.begin(), row.end());
  participants_.append(participant);
  offsets_.push_back(static_cast<std::uint32_t>(participants_.size()));
  return Ok();
}

void ResponseMatrix::Reserve(std::size_t candidates) {
  choices_.reserve(candidates * items_.size());
  offsets_.reserve(candidates);
  participants_.reserve(candidates * 12);
}

std::string_view ResponseMatrix::participant(std::size_t candidate) const {
  assert(candidate < offsets_.size());
  const std::uint32_t begin = candidate == 0 ? 0 : offsets_[candidate - 1];
  return std::string_view(participants_).substr(begin, offsets_[candidate] - begin);
}

std::size_t ResponseMatrix::bytes() const {
  std::size_t n =
      choices_.capacity() + participants_.capacity() + offsets_.capacity() * sizeof(std::uint32_t) +
      items_.capacity() * sizeof(MatrixItem) + sections_.capacity() * sizeof(MatrixSection);
  for (const MatrixItem& item : items_) {
    n += item.option_keys.capacity() * sizeof(std::string) + item.distractor.capacity() / 8;
  }
  // The id index: a node (key and value) and a bucket pointer per item, roughly.
  n += index_.size() * (sizeof(std::string) + sizeof(std::size_t) + 2 * sizeof(void*)) +
       index_.bucket_count() * sizeof(void*);
  return n;
}

}  // namespace lontar::report
