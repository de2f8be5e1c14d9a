// What an import checks instead of reading its output back (core/interop/source_writer.hpp):
//   - ItemYaml's file reads back through LoadSource as the item it was made from, whatever its
//     text holds, so an item that passes the model's rules passes LoadSource's;
//   - each rule of core/model/item_rules.hpp says what LoadSource says of the written file (same
//     message), so the two validators agree rule by rule;
//   - SourceWriter writes no item that breaks a rule, and Finish reports those, exam.yaml's own
//     problems and an undeclared competency the way LoadSource would, publishing nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/authoring/source.hpp"
#include "core/interop/source_writer.hpp"
#include "core/interop/staging_dir.hpp"
#include "core/model/item_rules.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::interop {
namespace {

namespace fs = std::filesystem;
using model::Item;
using model::ItemType;
using testing::TempDir;
using testing::WriteText;

const char* kTemplate =
    "competencies:\n"
    "  - {id: integritas, name: {id: Integritas, en: Integrity}, levels: [4, 8, 12, 16]}\n";

YAML::Node Template() { return YAML::Load(kTemplate); }

// A valid single-answer item in section "s".
Item Single(const std::string& id) {
  Item item;
  item.id = id;
  item.section = "s";
  item.type = ItemType::kSingle;
  item.stem = {"Soal", "Question"};
  item.options = {{"A", {"Ya", "Yes"}, true, 0}, {"B", {"Tidak", "No"}, false, 0}};
  item.points_correct = 5;
  return item;
}

// Exam "T" (Uji / Test, 10 minutes) of `sections`, without items: what SourceWriter and ExamYaml
// take beside the items they write.
model::Exam ExamT(std::vector<model::Section> sections) {
  model::Exam exam;
  exam.id = "T";
  exam.title = exam.instructions = {"Uji", "Test"};
  exam.duration_minutes = 10;
  exam.sections = std::move(sections);
  return exam;
}

// An exam of one section "s" listing `item`, written by hand (ItemYaml, no checks) into `dir`
// with a file that starts as a PNG at media/p.png and the SKD demo's first participant.
void WriteSource(const fs::path& dir, const Item& item) {
  fs::create_directories(dir / "items");
  fs::create_directories(dir / "media");
  const model::Exam exam = ExamT({{"s", {"Bagian", "Part"}, 0, {item.id}, std::nullopt}});
  WriteText(dir / "exam.yaml", ExamYaml(exam, Template(), "test"));
  WriteText(dir / "items" / (item.id + ".yaml"), ItemYaml(item));
  const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
  WriteText(dir / "media/p.png", std::string(reinterpret_cast<const char*>(png), sizeof png));
  const std::string roster =
      testing::ReadText(fs::path(LONTAR_SOURCE_DIR) / "assets/demo/skd/roster.csv");
  WriteText(dir / "roster.csv", roster.substr(0, roster.find('\n', roster.find('\n') + 1) + 1));
}

// The item as the pack carries it: every field, through exam.json.
std::string AsJson(const Item& item) {
  model::Exam exam;
  exam.items.emplace(item.id, item);
  return model::ExamToJson(exam);
}

TEST(ItemYaml, ReadsBackAsTheSameItemThroughLoadSource) {
  // Text a YAML writer has to escape or quote: indicators at the start, ": " and " #" inside,
  // words YAML reads as other types, every escape the writer uses (control bytes, DEL, NEL, the
  // line and paragraph separators), a byte-order mark, leading and trailing spaces, four-byte
  // UTF-8, and a text of exactly the 8000 bytes allowed.
  const std::vector<std::string> texts = {
      "\"q\" \\ back: colon # hash\n- dash\ttab\r\x01\x1f\x7f",
      "- leading dash",
      "{a: b}",
      "[1, 2]",
      "&anchor *alias !tag %dir @at `tick` | > ' ?",
      "null",
      "~",
      "true",
      "0x1F",
      "1e3",
      "---",
      "...",
      "  spaces both sides  ",
      "\xC2\x85 nel \xE2\x80\xA8 ls \xE2\x80\xA9 ps",
      "\xEF\xBB\xBF bom",
      "Bahasa \xC3\xA9 \xF0\x9F\x93\x9D",
      std::string(8000, 'x'),
  };
  std::vector<Item> items;
  for (std::size_t k = 0; k < texts.size(); ++k) {
    Item item = Single("q-" + std::to_string(k));
    item.stem = {texts[k], texts[texts.size() - 1 - k]};
    item.options[0].text = {texts[k], "en"};
    item.options[1].text = {"id", texts[k]};
    items.push_back(item);
  }
  Item multiple = Single("multi");
  multiple.type = ItemType::kMultiple;
  multiple.options.push_back({"C", {"c", "c"}, true, 0});
  multiple.partial = true;
  multiple.points_correct = 100;
  multiple.points_wrong = -100;
  multiple.competency = "integritas";
  multiple.media = {"media/p.png"};
  items.push_back(multiple);
  Item weighted = Single("weighted");
  weighted.type = ItemType::kWeighted;
  weighted.options = {{"A", {"a", "a"}, false, 3},
                      {"B", {"b", "b"}, false, 5},
                      {"C", {"c", "c"}, false, 1},
                      {"D", {"d", "d"}, false, 2},
                      {"E", {"e", "e"}, false, 4}};
  weighted.points_correct = 0;
  items.push_back(weighted);
  Item likert = weighted;
  likert.id = "likert";
  likert.type = ItemType::kLikert;
  likert.options = {{"A", {"a", "a"}, false, 1}, {"B", {"b", "b"}, false, 1}};
  likert.reverse = true;
  items.push_back(likert);

  for (const Item& item : items) {
    SCOPED_TRACE(item.id);
    ASSERT_TRUE(model::ItemRuleProblems(item, {"integritas"}).empty());
    TempDir tmp;
    WriteSource(tmp / "src", item);
    auto back = authoring::LoadSource(tmp / "src");
    ASSERT_TRUE(back.has_value()) << back.error().front().ToString();
    ASSERT_EQ(back->exam.items.size(), 1u);
    EXPECT_EQ(AsJson(back->exam.items.begin()->second), AsJson(item));
  }
}

// One broken rule: the change to a valid item and the message both validators give.
struct Rule {
  const char* name;
  std::function<void(Item&)> breaks;
  const char* message;
};

TEST(ItemRules, EachRuleSaysWhatLoadSourceSaysOfTheWrittenFile) {
  const std::vector<Rule> rules = {
      {"empty stem", [](Item& i) { i.stem.id.clear(); },
       "'stem' has an empty Bahasa Indonesia text"},
      {"empty English", [](Item& i) { i.options[1].text.en.clear(); },
       "'text' has an empty English text"},
      {"long text", [](Item& i) { i.stem.en = std::string(8001, 'x'); },
       "'en' is longer than 8000 characters"},
      {"competency", [](Item& i) { i.competency = "kerja-sama"; },
       "competency 'kerja-sama' is not declared in exam.yaml"},
      {"media outside", [](Item& i) { i.media = {"media/../p.png"}; },
       "media 'media/../p.png' must be a file under media/"},
      {"media dots", [](Item& i) { i.media = {"media/a..png"}; },
       "media 'media/a..png' must be a file under media/"},
      {"one option", [](Item& i) { i.options.pop_back(); }, "an item needs 2 to 6 options"},
      {"seven options",
       [](Item& i) {
         for (char k = 'C'; k <= 'G'; ++k) i.options.push_back({std::string(1, k), {"x", "x"}});
       },
       "an item needs 2 to 6 options"},
      {"key", [](Item& i) { i.options[1].key = "C"; }, "option 2 has key 'C'; expected B"},
      {"two correct", [](Item& i) { i.options[1].correct = true; },
       "a single-answer item needs exactly one option with correct: true (found 2)"},
      {"none correct",
       [](Item& i) {
         i.type = ItemType::kMultiple;
         i.options[0].correct = false;
       },
       "a multiple-response item needs at least one correct option"},
      {"weight",
       [](Item& i) {
         i.type = ItemType::kWeighted;
         i.options[0].weight = 1;
         i.options[1].weight = 7;
       },
       "option B has weight 7; allowed 1..5"},
      {"weight repeated",
       [](Item& i) {
         i.type = ItemType::kWeighted;
         i.options[0].weight = 2;
         i.options[1].weight = 2;
       },
       "option B repeats weight 2"},
      {"points", [](Item& i) { i.points_correct = 101; }, "'correct' is 101; allowed 0..100"},
      {"penalty", [](Item& i) { i.points_wrong = -101; }, "'wrong' is -101; allowed -100..100"},
  };
  for (const Rule& rule : rules) {
    SCOPED_TRACE(rule.name);
    Item item = Single("q-1");
    rule.breaks(item);
    const std::vector<std::string> problems = model::ItemRuleProblems(item, {"integritas"});
    ASSERT_EQ(problems.size(), 1u) << (problems.empty() ? "" : problems.back());
    EXPECT_EQ(problems[0], rule.message);

    TempDir tmp;
    WriteSource(tmp / "src", item);
    auto loaded = authoring::LoadSource(tmp / "src");
    ASSERT_FALSE(loaded.has_value());
    std::vector<std::string> messages;
    for (const authoring::Diagnostic& d : loaded.error()) {
      if (d.file == "items/q-1.yaml") messages.push_back(d.message);
    }
    EXPECT_EQ(messages, problems);
  }
  // The id is checked where exam.yaml lists it; the model's rule also keeps the file name inside
  // items/.
  Item item = Single("../q");
  EXPECT_EQ(model::ItemRuleProblems(item, {}),
            std::vector<std::string>{"item id '../q' may use only a-z 0-9 -"});
}

// Single-answer items q-1 and q-2 written through a SourceWriter into a staging directory beside
// `out`, then Finish with `exam` and the template: its answer.
Status FinishWithTwoItems(const fs::path& out, const model::Exam& exam) {
  auto staging = StagingDir::Beside(out);
  EXPECT_TRUE(staging.has_value());
  if (!staging) return std::unexpected(staging.error());
  SourceWriter writer(staging->path(), Template());
  EXPECT_TRUE(writer.Add(Single("q-1")).has_value());
  EXPECT_TRUE(writer.Add(Single("q-2")).has_value());
  return writer.Finish(*staging, exam, Template(), "test", {});
}

TEST(SourceWriter, WritesNoBrokenItemAndReportsEveryProblemAtFinish) {
  TempDir tmp;
  auto staging = StagingDir::Beside(tmp / "out");
  ASSERT_TRUE(staging.has_value());
  SourceWriter writer(staging->path(), Template());
  Item good = Single("good");
  good.competency = "integritas";
  Item bad = Single("bad");
  bad.options[1].correct = true;
  ASSERT_TRUE(writer.Add(good).has_value());
  EXPECT_FALSE(writer.failed());
  ASSERT_TRUE(writer.Add(bad).has_value());
  EXPECT_TRUE(writer.failed());
  EXPECT_TRUE(fs::exists(staging->path() / "items/good.yaml"));
  EXPECT_FALSE(fs::exists(staging->path() / "items/bad.yaml"));

  const model::Exam exam = ExamT({{"s", {"Bagian", "Part"}, 0, {"good", "bad"}, std::nullopt}});
  auto finished = writer.Finish(*staging, exam, Template(), "test", {});
  ASSERT_FALSE(finished.has_value());
  EXPECT_EQ(finished.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(finished.error().message(),
            "the written source does not validate:\n"
            "  items/bad.yaml: a single-answer item needs exactly one option with correct: true "
            "(found 2)\n"
            "  exam.yaml: section 's' lists item 'bad', which has no file items/bad.yaml");
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(SourceWriter, FinishChecksExamYamlAndTheCompetenciesItemsName) {
  TempDir tmp;
  auto staging = StagingDir::Beside(tmp / "out");
  ASSERT_TRUE(staging.has_value());
  // exam.yaml comes from a template the package carries: the items are checked as they are
  // written, the template only when Finish reads exam.yaml back.
  const YAML::Node base = YAML::Load(
      "competencies:\n"
      "  - {id: integritas, name: {id: Integritas, en: Integrity}, levels: [1, 2, 3, 4]}\n"
      "  - {id: integritas, name: {id: Integritas, en: Integrity}, levels: [1, 2, 3, 4]}\n"
      "pass_total: -1\n");
  SourceWriter writer(staging->path(), base);
  Item item = Single("q-1");
  item.competency = "integritas";
  ASSERT_TRUE(writer.Add(item).has_value());
  const model::Exam exam = ExamT({{"s", {"Bagian", "Part"}, 0, {"q-1"}, std::nullopt}});
  auto finished = writer.Finish(*staging, exam, base, "test", {});
  ASSERT_FALSE(finished.has_value());
  const std::string m = finished.error().message();
  EXPECT_TRUE(m.starts_with("the written source does not validate:\n  exam.yaml:")) << m;
  EXPECT_NE(m.find(": 'pass_total' is -1; allowed 0..1000000"), std::string::npos) << m;
  EXPECT_NE(m.find(": competency 'integritas' is declared twice"), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(SourceWriter, FinishChecksTheItemListsAsLoadSourceWould) {
  // Finish reads exam.yaml back without its item ids and checks those itself: the same words, in
  // the same order, as reading the whole file back (LoadExamFile) and comparing gave.
  TempDir tmp;
  const model::Exam exam = ExamT({{"s1", {"Satu", "One"}, 0, {"q-1", "q-1", "Bad"}, std::nullopt},
                                  {"s2", {"Dua", "Two"}, 0, {"gone"}, std::nullopt}});
  auto finished = FinishWithTwoItems(tmp / "out", exam);
  ASSERT_FALSE(finished.has_value());
  EXPECT_EQ(finished.error().message(),
            "the written source does not validate:\n"
            "  exam.yaml: item 'q-1' is listed in more than one place\n"
            "  exam.yaml: section 's1': item id 'Bad' may use only a-z 0-9 -\n"
            "  exam.yaml: section 's1' lists item 'Bad', which has no file items/Bad.yaml\n"
            "  exam.yaml: section 's2' lists item 'gone', which has no file items/gone.yaml\n"
            "  items/q-2.yaml: this item is not listed in any section of exam.yaml");
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(ExamYaml, TheProbeReadsBackLineForLineWithoutTheIds) {
  const model::Exam exam = ExamT({{"s1", {"Satu", "One"}, 0, {"a", "b", "c"}, std::nullopt},
                                  {"s2", {"Dua", "Two"}, 0, {"d"}, std::nullopt}});
  const std::string full = ExamYaml(exam, Template(), "h");
  const std::string probe = ExamYaml(exam, Template(), "h", /*probe=*/true);
  EXPECT_EQ(std::count(full.begin(), full.end(), '\n'),
            std::count(probe.begin(), probe.end(), '\n'));
  TempDir tmp;
  WriteText(tmp / "exam.yaml", probe);
  auto read = authoring::LoadExamFile(tmp.path());
  ASSERT_TRUE(read.has_value()) << read.error().front().ToString();
  ASSERT_EQ(read->sections.size(), 2u);
  EXPECT_EQ(read->sections[0].items, std::vector<std::string>{"probe-1"});
  EXPECT_EQ(read->sections[1].items, std::vector<std::string>{"probe-2"});
}

TEST(SourceWriter, FinishPublishesAValidSource) {
  TempDir tmp;
  const model::Exam exam = ExamT({{"s", {"Bagian", "Part"}, 0, {"q-2", "q-1"}, std::nullopt}});
  ASSERT_TRUE(FinishWithTwoItems(tmp / "out", exam).has_value());
  auto loaded = authoring::LoadSource(tmp / "out");
  ASSERT_FALSE(loaded.has_value());  // no roster.csv: the import's --roster adds one
  for (const authoring::Diagnostic& d : loaded.error()) EXPECT_EQ(d.file, "roster.csv");
  EXPECT_TRUE(fs::exists(tmp / "out/items/q-1.yaml"));
  EXPECT_TRUE(fs::exists(tmp / "out/items/q-2.yaml"));
}

TEST(ExamYaml, ATemplateIsReadWithoutItsItemListsAndKeepsAnchorsAndTags) {
  // The template is built from parser events, each section's items left out as they come.
  auto base = ParseExamTemplate(
      "title: &t {id: A, en: B}\ninstructions: *t\npass_total: !!int 3\nsections:\n"
      "  - id: s\n    items: [a, {b: c}, [d]]\n    title: *t\n  - {id: u, items: x}\n",
      "exam.yaml");
  ASSERT_TRUE(base.has_value()) << base.error().message();
  YAML::Node y = *base;
  EXPECT_EQ(y["instructions"]["en"].Scalar(), "B");
  EXPECT_EQ(y["pass_total"].Tag(), "tag:yaml.org,2002:int");
  EXPECT_FALSE(y["sections"][0]["items"].IsDefined());
  EXPECT_EQ(y["sections"][0]["title"]["id"].Scalar(), "A");
  EXPECT_FALSE(y["sections"][1]["items"].IsDefined());
  EXPECT_EQ(y["sections"][1]["id"].Scalar(), "u");
  auto bad = ParseExamTemplate("a: 1\nb: [\n", "t.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(bad.error().message().starts_with("t.yaml:3: YAML syntax error: "))
      << bad.error().message();
}

TEST(ExamYaml, ATemplateInFlowStyleKeepsItsSectionFieldsAndGetsTheNewItems) {
  // The sections' item lists are written by hand after the rest: they must stay valid YAML
  // whatever style the template's mapping and sections were written in.
  auto base = ParseExamTemplate(
      "{format: lontar-exam/1, id: T, title: {id: Uji, en: Test}, instructions: {id: Uji, en: "
      "Test}, duration_minutes: 10, sections: [{id: s, title: {id: B, en: P}, minutes: 5, "
      "pass_threshold: 3, items: [old-1, old-2]}]}",
      "exam.yaml");
  ASSERT_TRUE(base.has_value()) << base.error().message();
  EXPECT_FALSE((*base)["sections"][0]["items"].IsDefined());
  model::Exam exam;
  exam.sections.push_back({"s", {"x", "x"}, 0, {"q-2", "q-1"}, std::nullopt});
  TempDir tmp;
  WriteText(tmp / "exam.yaml", ExamYaml(exam, *base, "a header\nof two lines"));
  auto read = authoring::LoadExamFile(tmp.path());
  ASSERT_TRUE(read.has_value()) << read.error().front().ToString();
  ASSERT_EQ(read->sections.size(), 1u);
  EXPECT_EQ(read->sections[0].title.id, "B");
  EXPECT_EQ(read->sections[0].minutes, 5);
  EXPECT_EQ(read->sections[0].pass_threshold, 3);
  EXPECT_EQ(read->sections[0].items, (std::vector<std::string>{"q-2", "q-1"}));
  EXPECT_EQ(read->duration_minutes, 10);
}

}  // namespace
}  // namespace lontar::interop
