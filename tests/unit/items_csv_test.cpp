// `lontar items import-csv` (core/interop/items_csv.hpp): the shipped example imports into a
// valid source; what spreadsheets write (BOM, ';', quoted line breaks, CRLF) is read; each
// problem is reported as FILE:ROW:COLUMN, all at once, and nothing is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/authoring/source.hpp"
#include "core/interop/items_csv.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::interop {
namespace {

namespace fs = std::filesystem;
using model::ItemType;
using testing::ReadText;
using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

const fs::path kExample = fs::path(LONTAR_SOURCE_DIR) / "assets/templates/items-example.csv";

std::vector<std::string> Problems(const std::string& csv,
                                  const std::vector<std::string>& competencies = {}) {
  auto r = ReadItemsCsv(csv, "items.csv", competencies, nullptr);
  EXPECT_FALSE(r.has_value());
  return r ? std::vector<std::string>{} : r.error();
}

TEST(ItemsCsv, TheShippedExampleImportsIntoAValidSource) {
  TempDir tmp;
  WriteText(tmp / "roster.csv",
            "participant,name,position,pin_hash\nDEMO-0001,Ayu,,"
            "$argon2id$v=19$m=65536,t=2,p=1$qDUslSar873J5efNEPBp/A$tENFIZAYHWWPT88eP22kEw/"
            "8mInd3NYXgEFVLmqRW7E\n");
  CsvImportOptions o;
  o.roster = tmp / "roster.csv";
  auto r = ImportItemsCsv(kExample, tmp / "src", o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->items, 6u);
  EXPECT_EQ(r->sections, 3u);
  auto source = authoring::LoadSource(tmp / "src");
  ASSERT_TRUE(source.has_value()) << source.error().front().ToString();
  const auto& items = source->exam.items;
  EXPECT_EQ(source->exam.sections[1].items, (std::vector<std::string>{"tiu-01", "tiu-02"}));
  EXPECT_EQ(items.at("tiu-01").stem.id, "Lanjutkan deret berikut:\n2, 6, 12, 20, 30, ...");
  EXPECT_TRUE(items.at("tiu-01").options[1].correct);
  EXPECT_EQ(items.at("tiu-02").type, ItemType::kMultiple);
  EXPECT_TRUE(items.at("tiu-02").partial);
  EXPECT_EQ(items.at("tiu-02").points_correct, 4);
  EXPECT_TRUE(items.at("tiu-02").options[2].correct);
  EXPECT_EQ(items.at("tkp-01").options[1].weight, 5);
  EXPECT_EQ(items.at("tkp-03").type, ItemType::kLikert);
  EXPECT_TRUE(items.at("tkp-03").reverse);
}

TEST(ItemsCsv, SemicolonsBomCrlfAndQuotedLineBreaks) {
  // Excel in an Indonesian locale: BOM, ';', CRLF, a stem over two lines.
  const std::string csv =
      "\xEF\xBB\xBF"
      "SECTION;Id;Type;stem_id;stem_en;a_id;a_en;b_id;b_en;key;points\r\n"
      "twk;twk-01;single;\"Baris satu\r\nbaris dua\";\"One; two\";Ya;Yes;Tidak;No;b;3/-1\r\n";
  auto r = ReadItemsCsv(csv, "items.csv", {}, nullptr);
  ASSERT_TRUE(r.has_value()) << r.error().front();
  const auto& item = r->items.at("twk-01");
  EXPECT_EQ(item.stem.id, "Baris satu\r\nbaris dua");
  EXPECT_EQ(item.stem.en, "One; two");
  EXPECT_TRUE(item.options[1].correct);
  EXPECT_EQ(item.points_correct, 3);
  EXPECT_EQ(item.points_wrong, -1);
}

TEST(ItemsCsv, EveryProblemAtOnceWithRowAndColumn) {
  const std::string header =
      "section,id,type,competency,stem_id,stem_en,a_id,a_en,b_id,b_en,c_id,c_en,key,weights\n";
  const auto problems = Problems(header +
                                     "twk,twk-01,single,,Soal,Item,1,1,2,2,,,G,\n"          // row 2
                                     "tkp,tkp-01,weighted,,Soal,Item,1,1,2,2,3,3,,4 4 1\n"  // row 3
                                     "tkp,TKP 2,likert,integritass,,Item,1,1,,,3,3,,1 2\n"  // row 4
                                     "twk,twk-01,essay,,Soal,Item,1,1,2,2,,,A,\n",          // row 5
                                 {"integritas"});
  EXPECT_EQ(problems,
            (std::vector<std::string>{
                "items.csv:2:13: key: 'G' is not one of this item's options (A..B)",
                "items.csv:3:14: weights: option B repeats weight 4; a weighted item "
                "gives each option its own",
                "items.csv:4:2: id: 'TKP 2' is not an item id (a-z 0-9 -, at most 64)",
                "items.csv:4:4: competency: 'integritass' is not declared in the exam "
                "template's competencies",
                "items.csv:4:5: stem_id: the stem is empty",
                "items.csv:4:9: b_id: options A and B are required",
                "items.csv:4:11: c_id: option C follows an empty option; fill the gap",
                "items.csv:5:2: id: item 'twk-01' appears on an earlier row too",
                "items.csv:5:3: type: 'essay' is not single, multiple, weighted or likert",
            }));
}

TEST(ItemsCsv, HeaderProblems) {
  EXPECT_EQ(Problems("section,id,type,stem_id,stem_en,a_id,a_en,b_id,b_en,colour\n"),
            (std::vector<std::string>{
                "items.csv:1:10: unknown column 'colour' (see assets/templates/items.csv)"}));
  EXPECT_EQ(Problems("section,id,type,stem_id,a_id,a_en,b_id,b_en\n"),
            (std::vector<std::string>{
                "items.csv:1: the column 'stem_en' is missing (see assets/templates/items.csv)"}));
  EXPECT_EQ(Problems("section,id,type,stem_id,stem_en,a_id,a_en,b_id,b_en\n"),
            (std::vector<std::string>{"items.csv:2: no items: the file has only its header"}));
  // A syntax error from the CSV reader, with its line.
  EXPECT_EQ(
      Problems("section,id\n\"open"),
      (std::vector<std::string>{
          "items.csv:2: a quoted field opened here is never closed (the file may be cut off)"}));
}

TEST(ItemsCsv, MediaBesideTheCsvAndNothingWrittenOnFailure) {
  TempDir tmp;
  const std::string header = "section,id,type,stem_id,stem_en,a_id,a_en,b_id,b_en,key,media\n";
  WriteText(tmp / "items.csv", header + "s,q-1,single,Soal,Item,1,1,2,2,A,peta.png ../x.png\n" +
                                   "s,q-2,single,Soal,Item,1,1,2,2,A,grafik.gif\n");
  WriteText(tmp / "grafik.gif", "GIF89a");
  auto r = ImportItemsCsv(tmp / "items.csv", tmp / "src", {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(),
            (tmp / "items.csv").string() +
                ": 3 problems; nothing was written:\n"
                "  items.csv:2:11: media: 'peta.png' is not beside the CSV\n"
                "  items.csv:2:11: media: '../x.png' must be a file name beside the CSV, without a "
                "path\n"
                "  items.csv:3:11: media: 'grafik.gif' is not a PNG or JPEG image");
  EXPECT_FALSE(fs::exists(tmp / "src"));
  // With the image in place, it is copied to media/.
  fs::copy_file(fs::path(LONTAR_SOURCE_DIR) / "tests/fixtures/qti/bank/img/grafik.png",
                tmp / "peta.png");
  WriteText(tmp / "items.csv", header + "s,q-1,single,Soal,Item,1,1,2,2,A,peta.png\n");
  auto ok = ImportItemsCsv(tmp / "items.csv", tmp / "src", {});
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->media, 1u);
  EXPECT_TRUE(fs::exists(tmp / "src/media/peta.png"));
  EXPECT_NE(ReadText(tmp / "src/items/q-1.yaml").find("media: [\"media/peta.png\"]"),
            std::string::npos);
}

TEST(ItemsCsv, TheCommandReportsAndExitsNonZero) {
  TempDir tmp;
  WriteText(tmp / "items.csv",
            "section,id,type,stem_id,stem_en,a_id,a_en,b_id,b_en,key\n"
            "s,q-1,single,Soal,Item,1,1,2,2,Z\n");
  auto bad = RunLontar(
      {"items", "import-csv", (tmp / "items.csv").string(), "--out", (tmp / "src").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("items.csv:2:10: key: 'Z' is not one of this item's options (A..B)"),
            std::string::npos)
      << bad.err;
  auto good = RunLontar(
      {"items", "import-csv", kExample.string(), "--out", (tmp / "src").string(), "--json"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("\"items\": 6"), std::string::npos) << good.out;
}

}  // namespace
}  // namespace lontar::interop
