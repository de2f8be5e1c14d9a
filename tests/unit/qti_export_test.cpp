// `lontar qti export` (core/interop/qti_export.hpp): export then import gives back the same exam
// (items, options, keys, weights, sections, media and everything exam.yaml says), for both demo
// exams and a generated 2,000-item exam.
#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <string>

#include "core/authoring/source.hpp"
#include "core/authoring/synth.hpp"
#include "core/interop/qti_export.hpp"
#include "core/interop/qti_import.hpp"
#include "core/interop/source_writer.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::interop {
namespace {

namespace fs = std::filesystem;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

// Exports `src`, imports the package with its roster, and expects the same exam and media.
void ExpectRoundTrip(const fs::path& src, std::size_t items) {
  TempDir tmp;
  auto exported = ExportQti(src, tmp / "bank.zip");
  ASSERT_TRUE(exported.has_value()) << exported.error().message();
  EXPECT_EQ(exported->items, items);
  QtiImportOptions o;
  o.strict = true;
  o.roster = src / "roster.csv";
  auto imported = ImportQti(tmp / "bank.zip", tmp / "back", o);
  ASSERT_TRUE(imported.has_value()) << imported.error().message();
  EXPECT_EQ(imported->items, items);
  EXPECT_TRUE(imported->dropped.empty());

  auto before = authoring::LoadSource(src);
  auto after = authoring::LoadSource(tmp / "back");
  ASSERT_TRUE(before.has_value());
  ASSERT_TRUE(after.has_value()) << after.error().front().ToString();
  EXPECT_EQ(model::ExamToJson(after->exam), model::ExamToJson(before->exam));
  EXPECT_EQ(model::RosterToJson(after->exam.roster), model::RosterToJson(before->exam.roster));
  ASSERT_EQ(after->media.size(), before->media.size());
  for (std::size_t k = 0; k < before->media.size(); ++k) {
    EXPECT_EQ(after->media[k].name, before->media[k].name);
    EXPECT_EQ(ReadText(after->media[k].path), ReadText(before->media[k].path));
  }
}

TEST(QtiExport, SkdDemoRoundTrips) {
  ExpectRoundTrip(fs::path(LONTAR_SOURCE_DIR) / "assets/demo/skd", 24);
}

TEST(QtiExport, CactDemoRoundTrips) {
  ExpectRoundTrip(fs::path(LONTAR_SOURCE_DIR) / "assets/demo/cact", 30);
}

TEST(QtiExport, GeneratedTwoThousandItemExamRoundTrips) {
  TempDir tmp;
  authoring::SynthOptions o;
  o.items = 2000;
  o.participants = 2;
  o.media_bytes = 64 << 10;
  ASSERT_TRUE(authoring::WriteSynthSource(tmp / "synth", o).has_value());
  ExpectRoundTrip(tmp / "synth", 2000);
}

TEST(QtiExport, ThePackageWithoutLontarExamYamlStillImports) {
  // Another QTI tool keeps the items and the test but not lontar/exam.yaml: the exam gets the
  // test's title and time limits and the items keep their scoring.
  TempDir tmp;
  const fs::path skd = fs::path(LONTAR_SOURCE_DIR) / "assets/demo/skd";
  ASSERT_TRUE(ExportQti(skd, tmp / "bank.zip").has_value());
  int err = 0;
  zip_t* z = zip_open((tmp / "bank.zip").c_str(), 0, &err);
  ASSERT_NE(z, nullptr);
  ASSERT_EQ(zip_delete(z, static_cast<zip_uint64_t>(zip_name_locate(z, "lontar/exam.yaml", 0))), 0);
  std::string manifest;
  {
    const zip_int64_t i = zip_name_locate(z, "imsmanifest.xml", 0);
    zip_stat_t st;
    ASSERT_EQ(zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st), 0);
    manifest.resize(st.size);
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
    ASSERT_EQ(zip_fread(f, manifest.data(), st.size), static_cast<zip_int64_t>(st.size));
    zip_fclose(f);
    const std::size_t at = manifest.find("    <resource identifier=\"lontar-exam\"");
    manifest.erase(at, manifest.find('\n', at) + 1 - at);
    zip_source_t* src = zip_source_buffer(z, manifest.data(), manifest.size(), 0);
    ASSERT_EQ(zip_file_replace(z, static_cast<zip_uint64_t>(i), src, 0), 0);
  }
  ASSERT_EQ(zip_close(z), 0);
  QtiImportOptions o;
  o.roster = testing::WritePlainRoster(tmp.path());
  auto r = ImportQti(tmp / "bank.zip", tmp / "back", o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto after = authoring::LoadSource(tmp / "back");
  ASSERT_TRUE(after.has_value()) << after.error().front().ToString();
  EXPECT_EQ(after->exam.id, "DEMO-SKD-2026");
  EXPECT_EQ(after->exam.duration_minutes, 45);
  EXPECT_TRUE(after->exam.pass_rules.empty());
  ASSERT_EQ(after->exam.sections.size(), 3u);
  EXPECT_EQ(after->exam.sections[0].minutes, 12);
  EXPECT_EQ(after->exam.items.at("tiu-01").points_correct, 5);
  EXPECT_EQ(after->exam.items.at("tkp-01").type, model::ItemType::kWeighted);
}

TEST(SourceWriter, ItemTextSurvivesYamlWhateverItHolds) {
  model::Item item;
  item.id = "q-1";
  item.type = model::ItemType::kSingle;
  const std::string nasty =
      "\"quoted\" \\ back: colon # hash\n- dash\ttab \x01 ctrl \xE2\x80\xA8 sep \xC2\x85 nel "
      "Bahasa \xC3\xA9";
  item.stem = {nasty, "- " + nasty};
  item.options = {{"A", {"{a}", "[b]"}, true, 0}, {"B", {"'c'", "*d"}, false, 0}};
  item.points_correct = 5;
  const YAML::Node y = YAML::Load(ItemYaml(item));
  EXPECT_EQ(y["stem"]["id"].as<std::string>(), nasty);
  EXPECT_EQ(y["stem"]["en"].as<std::string>(), "- " + nasty);
  EXPECT_EQ(y["options"][0]["text"]["id"].as<std::string>(), "{a}");
  EXPECT_EQ(y["options"][1]["text"]["en"].as<std::string>(), "*d");
  EXPECT_TRUE(y["options"][0]["correct"].as<bool>());
}

TEST(QtiExport, RefusesAnInvalidSourceAndAnExistingOut) {
  TempDir tmp;
  auto bad = ExportQti(tmp / "nothing", tmp / "bank.zip");
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(bad.error().message().find("exam.yaml: missing") != std::string::npos)
      << bad.error().message();
  testing::WriteText(tmp / "bank.zip", "x");
  auto exists = ExportQti(fs::path(LONTAR_SOURCE_DIR) / "assets/demo/skd", tmp / "bank.zip");
  ASSERT_FALSE(exists.has_value());
  EXPECT_EQ(exists.error().kind(), ErrorKind::kAlreadyExists);
}

}  // namespace
}  // namespace lontar::interop
