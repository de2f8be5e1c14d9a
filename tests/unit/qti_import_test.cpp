// `lontar qti import` end to end (core/interop/qti_import.hpp): the fixture package
// tests/fixtures/qti/bank (written for these tests) as a directory and as a zip, what is dropped,
// --strict, and every refusal of bad input with --out left untouched.
#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/authoring/source.hpp"
#include "core/interop/package.hpp"
#include "core/interop/qti_import.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::interop {
namespace {

namespace fs = std::filesystem;
using model::ItemType;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

const fs::path kBank = fs::path(LONTAR_SOURCE_DIR) / "tests/fixtures/qti/bank";

// Writes a zip holding `entries` (name, bytes), deflated.
void MakeZip(const fs::path& path,
             const std::vector<std::pair<std::string, std::string>>& entries) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (const auto& [name, data] : entries) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    ASSERT_GE(zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8), 0) << name;
  }
  ASSERT_EQ(zip_close(z), 0);
}

std::vector<std::pair<std::string, std::string>> DirEntries(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out.emplace_back(fs::relative(e.path(), dir).generic_string(), ReadText(e.path()));
  }
  return out;
}

void CopyBank(const fs::path& to) { fs::copy(kBank, to, fs::copy_options::recursive); }

// Rewrites `file` with the first `from` in it replaced by `to` (a package damaged on purpose).
void ReplaceInFile(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = ReadText(file);
  const std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << file << " has no " << from;
  text.replace(at, from.size(), to);
  WriteText(file, text);
}

std::string ImportError(const fs::path& package, const fs::path& out, QtiImportOptions o = {}) {
  auto r = ImportQti(package, out, o);
  EXPECT_FALSE(r.has_value());
  EXPECT_FALSE(fs::exists(out)) << "--out must not exist after a failed import";
  for (const auto& e : fs::directory_iterator(out.parent_path())) {
    EXPECT_EQ(e.path().filename().string().find(".import-"), std::string::npos)
        << "staging directory left behind: " << e.path();
  }
  return r ? "" : r.error().message();
}

TEST(QtiImport, BankDirectoryBecomesAValidSource) {
  TempDir tmp;
  const fs::path out = tmp / "src";
  auto r = ImportQti(kBank, out, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->items, 4u);
  EXPECT_EQ(r->sections, 2u);
  EXPECT_EQ(r->media, 1u);
  // The text entry and the feedback item are skipped, each with its line.
  ASSERT_EQ(r->dropped.size(), 2u);
  EXPECT_EQ(r->dropped[0].ToString(),
            "items/text-entry.xml:9: qti-text-entry-interaction: Lontar has choice items only "
            "(single, multiple, weighted, likert)");
  EXPECT_EQ(r->dropped[1].ToString(),
            "items/feedback.xml:16: feedback: Lontar shows no feedback during a sitting");

  // With a roster, the source is what `pack build` reads.
  fs::copy_file(testing::WritePlainRoster(tmp.path()), out / "roster.csv");
  auto source = authoring::LoadSource(out);
  ASSERT_TRUE(source.has_value()) << source.error().front().ToString();
  const model::Exam& exam = source->exam;
  EXPECT_EQ(exam.id, "BANK-TEST");
  EXPECT_EQ(exam.duration_minutes, 30);  // the test part's 1800 s
  ASSERT_EQ(exam.sections.size(), 2u);
  EXPECT_EQ(exam.sections[0].id, "tiu");
  EXPECT_EQ(exam.sections[0].minutes, 10);
  EXPECT_EQ(exam.sections[0].items, (std::vector<std::string>{"q-single", "q-multiple"}));
  EXPECT_EQ(exam.sections[1].items, (std::vector<std::string>{"q-weighted", "q-likert"}));
  EXPECT_TRUE(exam.shuffle_items);
  EXPECT_FALSE(exam.shuffle_options);  // the Likert item keeps its order

  const model::Item& single = exam.items.at("q-single");
  EXPECT_EQ(single.type, ItemType::kSingle);
  EXPECT_EQ(single.stem.id, "Perhatikan grafik berikut.\n\n- satu\n- dua\n\nBerapakah x?");
  EXPECT_EQ(single.stem.en, "Look at the chart below.\nThen answer.\n\nWhat is x?");
  EXPECT_EQ(single.media, std::vector<std::string>{"media/grafik.png"});
  EXPECT_TRUE(single.options[1].correct);
  EXPECT_EQ(single.options[2].text.id, "tujuh");
  EXPECT_EQ(single.options[2].text.en, "seven");
  EXPECT_EQ(single.points_correct, 5);
  const model::Item& multiple = exam.items.at("q-multiple");
  EXPECT_EQ(multiple.type, ItemType::kMultiple);
  EXPECT_EQ(multiple.points_correct, 4);
  EXPECT_EQ(multiple.points_wrong, -1);
  EXPECT_EQ(exam.items.at("q-weighted").type, ItemType::kWeighted);
  EXPECT_EQ(exam.items.at("q-weighted").stem.id, exam.items.at("q-weighted").stem.en);
  EXPECT_EQ(exam.items.at("q-likert").type, ItemType::kLikert);
}

TEST(QtiImport, ZipPackageAndPointsCorrect) {
  TempDir tmp;
  MakeZip(tmp / "bank.zip", DirEntries(kBank));
  QtiImportOptions o;
  o.points_correct = 1;
  auto r = ImportQti(tmp / "bank.zip", tmp / "src", o);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->items, 4u);
  EXPECT_NE(ReadText(tmp / "src/items/q-single.yaml").find("points: {correct: 1, wrong: 0}"),
            std::string::npos)
      << ReadText(tmp / "src/items/q-single.yaml");
}

TEST(QtiImport, StrictWritesNothingWhenAnythingIsDropped) {
  TempDir tmp;
  QtiImportOptions o;
  o.strict = true;
  const std::string m = ImportError(kBank, tmp / "src", o);
  EXPECT_EQ(m,
            "bank: --strict: 2 constructs Lontar cannot represent; nothing was written:\n"
            "  items/text-entry.xml:9: qti-text-entry-interaction: Lontar has choice items only "
            "(single, multiple, weighted, likert)\n"
            "  items/feedback.xml:16: feedback: Lontar shows no feedback during a sitting");
}

TEST(QtiImport, ExistingOutIsNeverTouched) {
  TempDir tmp;
  fs::create_directory(tmp / "src");
  WriteText(tmp / "src/keep.txt", "mine");
  auto r = ImportQti(kBank, tmp / "src", {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(ReadText(tmp / "src/keep.txt"), "mine");
}

TEST(QtiImport, ItemsOutsideTheTestAreNotedNotLostSilently) {
  TempDir tmp;
  CopyBank(tmp / "bank");
  std::string test = ReadText(tmp / "bank/test.xml");
  const std::size_t at = test.find("      <qti-assessment-item-ref identifier=\"q-likert\"");
  test.erase(at, test.find('\n', at) + 1 - at);
  WriteText(tmp / "bank/test.xml", test);
  auto r = ImportQti(tmp / "bank", tmp / "src", {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->items, 3u);
  bool noted = false;
  for (const std::string& n : r->notes) {
    noted = noted || n == "1 item resource(s) of the manifest are in no section of the test and "
                          "were not imported; first: q-likert";
  }
  EXPECT_TRUE(noted);
}

TEST(QtiImport, AnItemReferredToTwiceIsKeptOnceAndASectionLeftEmptyIsNotWritten) {
  // The test is read as a stream and each item placed as it is imported: what the notes say must
  // be what a whole-test reading said. Section "TIU" repeats q-multiple; a third section, named
  // like the first, holds only the text entry (dropped) and so is not written.
  TempDir tmp;
  CopyBank(tmp / "bank");
  std::string test = ReadText(tmp / "bank/test.xml");
  const std::string again =
      "      <qti-assessment-item-ref identifier=\"q-multiple\" href=\"items/multiple.xml\"/>\n";
  test.insert(test.find("    </qti-assessment-section>"), again);
  test.insert(test.find("  </qti-test-part>"),
              "    <qti-assessment-section identifier=\"TIU\" title=\"Lagi\">\n" + again +
                  "      <qti-assessment-item-ref identifier=\"q-text\" "
                  "href=\"items/text-entry.xml\"/>\n    </qti-assessment-section>\n");
  WriteText(tmp / "bank/test.xml", test);
  auto r = ImportQti(tmp / "bank", tmp / "src", {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->items, 4u);
  EXPECT_EQ(r->sections, 2u);
  const std::vector<std::string> expected = {
      "item 'q-multiple' is referred to twice; kept once",
      "section 'TIU' is written as 'section-3'",
      "item 'q-multiple' is referred to twice; kept once",
      "section 'section-3' has no item left and is not written",
  };
  std::vector<std::string> notes;
  for (const std::string& n : r->notes) {
    if (n.starts_with("item 'q-") || n.starts_with("section ")) notes.push_back(n);
  }
  EXPECT_EQ(notes, expected);
  auto source = authoring::LoadExamFile(tmp / "src");
  ASSERT_TRUE(source.has_value()) << source.error().front().ToString();
  ASSERT_EQ(source->sections.size(), 2u);
  EXPECT_EQ(source->sections[0].items, (std::vector<std::string>{"q-single", "q-multiple"}));
}

TEST(QtiImport, WithoutATestEveryItemGoesIntoOneSectionInManifestOrder) {
  TempDir tmp;
  CopyBank(tmp / "bank");
  fs::remove(tmp / "bank/test.xml");
  std::string manifest = ReadText(tmp / "bank/imsmanifest.xml");
  const std::size_t at = manifest.find("    <resource identifier=\"test-1\"");
  manifest.erase(at, manifest.find("</resource>", at) + 12 - at);
  WriteText(tmp / "bank/imsmanifest.xml", manifest);
  auto r = ImportQti(tmp / "bank", tmp / "src", {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->items, 4u);
  EXPECT_EQ(r->notes.front(),
            "bank: no test in the package; all items go into one section 'main' in manifest "
            "order");
  auto source = authoring::LoadExamFile(tmp / "src");
  ASSERT_TRUE(source.has_value()) << source.error().front().ToString();
  ASSERT_EQ(source->sections.size(), 1u);
  EXPECT_EQ(source->sections[0].id, "main");
  EXPECT_EQ(source->sections[0].items,
            (std::vector<std::string>{"q-single", "q-multiple", "q-weighted", "q-likert"}));
}

TEST(QtiImport, MalformedTestXmlIsReportedBeforeItsOwnFaults) {
  // Read as a stream, the test meets the bad href before the broken end tag; a tree would have
  // refused the XML first, and so does the stream.
  TempDir tmp;
  CopyBank(tmp / "bank");
  ReplaceInFile(tmp / "bank/test.xml", "href=\"items/single.xml\"", "href=\"../single.xml\"");
  ReplaceInFile(tmp / "bank/test.xml", "</qti-test-part>", "</qti-test-par>");
  const std::string m = ImportError(tmp / "bank", tmp / "src");
  EXPECT_TRUE(m.starts_with("test.xml:18: malformed XML: ")) << m;
  ReplaceInFile(tmp / "bank/test.xml", "</qti-test-par>", "</qti-test-part>");
  EXPECT_EQ(ImportError(tmp / "bank", tmp / "src"),
            "test.xml:8: item ref 'Q_Single' has href '../single.xml', which is not a file inside "
            "the package");
}

TEST(QtiImport, NotAZip) {
  TempDir tmp;
  WriteText(tmp / "bank.zip", "this is a text file, not a zip\n");
  EXPECT_TRUE(ImportError(tmp / "bank.zip", tmp / "src").starts_with("bank.zip: not a zip file ("));
}

TEST(QtiImport, ZipSlipIsRefused) {
  TempDir tmp;
  auto entries = DirEntries(kBank);
  entries.emplace_back("../../evil.xml", "<x/>");
  MakeZip(tmp / "bank.zip", entries);
  EXPECT_EQ(ImportError(tmp / "bank.zip", tmp / "src"),
            "bank.zip: entry '../../evil.xml' points outside the package (a path with '..', '/' at "
            "the start, '\\' or ':'); refusing the whole package, ask its maker for a clean one");
  EXPECT_FALSE(fs::exists(tmp.path().parent_path() / "evil.xml"));
}

TEST(QtiImport, ZipBombIsRefused) {
  TempDir tmp;
  auto entries = DirEntries(kBank);
  entries.emplace_back("img/bomb.png", std::string(4u << 20, '\0'));  // deflates ~1000:1
  MakeZip(tmp / "bank.zip", entries);
  const std::string m = ImportError(tmp / "bank.zip", tmp / "src");
  EXPECT_TRUE(m.starts_with("bank.zip: entry 'img/bomb.png' would expand ")) << m;
  EXPECT_TRUE(m.ends_with(" bytes into 4194304 (more than 200 times): refusing a zip bomb")) << m;
}

TEST(QtiImport, MissingManifest) {
  TempDir tmp;
  std::vector<std::pair<std::string, std::string>> entries;
  for (auto& [name, data] : DirEntries(kBank)) entries.emplace_back("bank/" + name, data);
  MakeZip(tmp / "bank.zip", entries);
  EXPECT_EQ(ImportError(tmp / "bank.zip", tmp / "src"),
            "bank.zip: no imsmanifest.xml at the top; not a QTI content package (it has "
            "bank/imsmanifest.xml: zip the folder's contents, not the folder)");
}

TEST(QtiImport, ManifestNamesAFileThePackageLacks) {
  TempDir tmp;
  CopyBank(tmp / "bank");
  fs::remove(tmp / "bank/items/likert.xml");
  EXPECT_EQ(ImportError(tmp / "bank", tmp / "src"),
            "bank: cannot import (2 problems; nothing was written):\n"
            "  imsmanifest.xml:21: resource 'q-likert' names 'items/likert.xml', which the package "
            "lacks\n"
            "  test.xml:15: item 'q-likert' is at 'items/likert.xml', which the package lacks");
}

TEST(QtiImport, MalformedItemXml) {
  TempDir tmp;
  CopyBank(tmp / "bank");
  ReplaceInFile(tmp / "bank/items/weighted.xml", "</qti-item-body>", "</qti-item-bod>");
  const std::string m = ImportError(tmp / "bank", tmp / "src");
  EXPECT_TRUE(
      m.starts_with("bank: cannot import (1 problem; nothing was written):\n"
                    "  items/weighted.xml:22: malformed XML: "))
      << m;
}

TEST(QtiImport, ItemReferringToAMissingImage) {
  TempDir tmp;
  CopyBank(tmp / "bank");
  ReplaceInFile(tmp / "bank/items/single.xml", "grafik.png", "hilang.png");
  EXPECT_EQ(ImportError(tmp / "bank", tmp / "src"),
            "bank: cannot import (1 problem; nothing was written):\n"
            "  items/single.xml:12: image 'img/hilang.png' is not in the package");
}

TEST(QtiImport, ImageThatIsNotPngOrJpeg) {
  TempDir tmp;
  CopyBank(tmp / "bank");
  WriteText(tmp / "bank/img/grafik.png", "GIF89a....");
  EXPECT_EQ(ImportError(tmp / "bank", tmp / "src"),
            "bank: cannot import (1 problem; nothing was written):\n"
            "  bank: img/grafik.png is not a PNG or JPEG image (item 'q-single'); convert it");
}

TEST(QtiImport, SymlinkInADirectoryPackageIsRefused) {
  TempDir tmp;
  CopyBank(tmp / "bank");
  fs::create_symlink("/etc/passwd", tmp / "bank/img/passwd.png");
  EXPECT_EQ(ImportError(tmp / "bank", tmp / "src"),
            "bank: 'img/passwd.png' is a symbolic link; a package holds only files");
}

TEST(QtiImport, TheCommandPrintsJsonAndStrictFails) {
  TempDir tmp;
  auto ok = testing::RunLontar(
      {"qti", "import", kBank.string(), "--out", (tmp / "src").string(), "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("\"items\": 4"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("\"where\": \"items/feedback.xml:16\""), std::string::npos) << ok.out;
  auto strict = testing::RunLontar(
      {"qti", "import", kBank.string(), "--out", (tmp / "strict").string(), "--strict"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("--strict: 2 constructs"), std::string::npos) << strict.err;
  EXPECT_FALSE(fs::exists(tmp / "strict"));
}

TEST(QtiPackage, EntryNames) {
  EXPECT_TRUE(IsSafeEntryName("items/a.xml"));
  for (const char* bad : {"", "/etc/passwd", "../a", "a/../../b", "a//b", "a\\b", "C:x", "./a"}) {
    EXPECT_FALSE(IsSafeEntryName(bad)) << bad;
  }
  EXPECT_EQ(ResolveHref("items/q.xml", "../img/a.png"), "img/a.png");
  EXPECT_EQ(ResolveHref("items/q.xml", "a.png"), "items/a.png");
  EXPECT_EQ(ResolveHref("q.xml", "../a.png"), "");
  EXPECT_EQ(ResolveHref("q.xml", "http://x/a.png"), "");
}

TEST(QtiPackage, EntriesAreFoundByNumberInAZipAndADirectory) {
  TempDir tmp;
  MakeZip(tmp / "p.zip", {{"items/", ""}, {"items/a.xml", "<a/>"}, {"b.xml", "<b/>"}});
  fs::create_directories(tmp / "d/items");
  WriteText(tmp / "d/items/a.xml", "<a/>");
  WriteText(tmp / "d/b.xml", "<b/>");
  for (const fs::path& path : {tmp / "p.zip", tmp / "d"}) {
    SCOPED_TRACE(path);
    auto p = Package::Open(path);
    ASSERT_TRUE(p.has_value()) << p.error().message();
    EXPECT_EQ(p->entries().size(), 2u);  // no directory
    for (const char* name : {"items/a.xml", "b.xml"}) {
      const auto n = p->Find(name);
      ASSERT_TRUE(n.has_value()) << name;
      EXPECT_LT(*n, p->entry_count());
      EXPECT_EQ(p->EntryName(*n), name);
    }
    for (const char* absent : {"items", "items/", "c.xml", "../b.xml", ""}) {
      EXPECT_FALSE(p->Find(absent).has_value()) << absent;
      EXPECT_FALSE(p->Contains(absent)) << absent;
    }
  }
}

TEST(QtiPackage, ReadStopsAtTheLimitWhateverTheHeaderSays) {
  TempDir tmp;
  MakeZip(tmp / "p.zip", {{"a.xml", std::string(5000, 'a')}});
  auto p = Package::Open(tmp / "p.zip");
  ASSERT_TRUE(p.has_value()) << p.error().message();
  auto big = p->Read("a.xml", 4096);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().message(), "p.zip: a.xml is larger than 4096 bytes");
  EXPECT_EQ(p->Read("a.xml", 5000)->size(), 5000u);
}

}  // namespace
}  // namespace lontar::interop
