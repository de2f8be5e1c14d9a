// QTI 3.0 items mapped to Lontar items (core/interop/qti_item.hpp): each mapping, each dropped
// construct with its message, and the XML reader's refusals. The XML here was written for these
// tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/interop/qti_item.hpp"
#include "core/interop/qti_manifest.hpp"
#include "core/interop/qti_test.hpp"
#include "core/interop/xml.hpp"
#include "core/interop/xml_stream.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::interop {
namespace {

using model::ItemType;

constexpr const char* kHead =
    "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\" "
    "identifier=\"Item_1\" xml:lang=\"id\">\n";

// An item with `decl` (inside the response declaration), `choices` and `rp` (the response
// processing element).
std::string ItemXml(const std::string& cardinality, const std::string& decl,
                    const std::string& choices, const std::string& rp,
                    const std::string& extra_body = "", const std::string& attrs = "") {
  return std::string(kHead) + "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"" +
         cardinality + "\" base-type=\"identifier\">" + decl +
         "</qti-response-declaration>\n<qti-item-body>" + extra_body +
         "<qti-choice-interaction response-identifier=\"RESPONSE\"" + attrs +
         "><qti-prompt>Soal</qti-prompt>" + choices +
         "</qti-choice-interaction></qti-item-body>\n" + rp + "\n</qti-assessment-item>\n";
}

std::string Choices(int n) {
  std::string out;
  for (int k = 0; k < n; ++k) {
    const std::string id = "c" + std::to_string(k + 1);
    out += "<qti-simple-choice identifier=\"" + id + "\">Pilihan " + std::to_string(k + 1) +
           "</qti-simple-choice>";
  }
  return out;
}

std::string Correct(std::initializer_list<const char*> ids) {
  std::string out = "<qti-correct-response>";
  for (const char* id : ids) out += std::string("<qti-value>") + id + "</qti-value>";
  return out + "</qti-correct-response>";
}

std::string Mapping(std::initializer_list<int> values, const std::string& attrs = "") {
  std::string out = "<qti-mapping" + attrs + ">";
  int k = 0;
  for (int v : values) {
    out += "<qti-map-entry map-key=\"c" + std::to_string(++k) + "\" mapped-value=\"" +
           std::to_string(v) + "\"/>";
  }
  return out + "</qti-mapping>";
}

std::string Template(const std::string& url) {
  return "<qti-response-processing template=\"" + url + "\"/>";
}

QtiItem Read(const std::string& xml, int points = 5) {
  auto item = ReadQtiItem(xml, "items/q.xml", {points});
  EXPECT_TRUE(item.has_value()) << item.error().message();
  return item.value_or(QtiItem{});
}

std::string Dropped(const QtiItem& q) {
  std::string out;
  for (const auto& d : q.dropped) out += d.ToString() + "\n";
  return out;
}

TEST(QtiItem, SingleFromEveryFormOfTheMatchCorrectTemplateUrl) {
  for (const char* url : {"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
                          "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct",
                          "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct",
                          "http://www.imsglobal.org/question/qti_v2p2/rptemplates/"
                          "match_correct.xml"}) {
    QtiItem q = Read(ItemXml("single", Correct({"c2"}), Choices(3), Template(url)), 5);
    ASSERT_TRUE(q.dropped.empty()) << url << "\n" << Dropped(q);
    EXPECT_EQ(q.item.id, "item-1");  // Item_1: lower case, '_' -> '-'
    EXPECT_EQ(q.item.type, ItemType::kSingle);
    ASSERT_EQ(q.item.options.size(), 3u);
    EXPECT_EQ(q.item.options[1].key, "B");
    EXPECT_TRUE(q.item.options[1].correct);
    EXPECT_FALSE(q.item.options[0].correct);
    // match_correct's 1 point becomes --points-correct.
    EXPECT_EQ(q.item.points_correct, 5);
    EXPECT_EQ(q.item.points_wrong, 0);
  }
}

TEST(QtiItem, WrittenOutMatchCorrectKeepsItsScores) {
  const std::string rp =
      "<qti-response-processing><qti-response-condition><qti-response-if><qti-match>"
      "<qti-variable identifier=\"RESPONSE\"/><qti-correct identifier=\"RESPONSE\"/></qti-match>"
      "<qti-set-outcome-value identifier=\"SCORE\"><qti-base-value base-type=\"float\">4"
      "</qti-base-value></qti-set-outcome-value></qti-response-if><qti-response-else>"
      "<qti-set-outcome-value identifier=\"SCORE\"><qti-base-value base-type=\"float\">-1"
      "</qti-base-value></qti-set-outcome-value></qti-response-else></qti-response-condition>"
      "</qti-response-processing>";
  QtiItem q = Read(ItemXml("multiple", Correct({"c1", "c3"}), Choices(4), rp));
  ASSERT_TRUE(q.dropped.empty()) << Dropped(q);
  EXPECT_EQ(q.item.type, ItemType::kMultiple);
  EXPECT_FALSE(q.item.partial);
  EXPECT_TRUE(q.item.options[0].correct);
  EXPECT_FALSE(q.item.options[1].correct);
  EXPECT_TRUE(q.item.options[2].correct);
  EXPECT_EQ(q.item.points_correct, 4);
  EXPECT_EQ(q.item.points_wrong, -1);
}

TEST(QtiItem, MultipleWithSymmetricMappingIsProportional) {
  // Two right of four, 6 points: each right choice +3, each wrong -3, floored at 0.
  const std::string decl = Correct({"c2", "c4"}) +
                           "<qti-mapping lower-bound=\"0\" upper-bound=\"6\">"
                           "<qti-map-entry map-key=\"c1\" mapped-value=\"-3\"/>"
                           "<qti-map-entry map-key=\"c2\" mapped-value=\"3\"/>"
                           "<qti-map-entry map-key=\"c3\" mapped-value=\"-3\"/>"
                           "<qti-map-entry map-key=\"c4\" mapped-value=\"3\"/></qti-mapping>";
  QtiItem q = Read(ItemXml("multiple", decl, Choices(4),
                           Template("https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
                                    "map_response.xml")));
  ASSERT_TRUE(q.dropped.empty()) << Dropped(q);
  EXPECT_EQ(q.item.type, ItemType::kMultiple);
  EXPECT_TRUE(q.item.partial);
  EXPECT_EQ(q.item.points_correct, 6);
  EXPECT_TRUE(q.item.options[1].correct);
  EXPECT_TRUE(q.item.options[3].correct);
}

TEST(QtiItem, MultipleMappingThatIsNotProportionalIsDropped) {
  const std::string decl =
      "<qti-mapping lower-bound=\"0\"><qti-map-entry map-key=\"c1\" mapped-value=\"2\"/>"
      "<qti-map-entry map-key=\"c2\" mapped-value=\"1\"/></qti-mapping>";
  QtiItem q = Read(ItemXml("multiple", decl, Choices(2), Template("x/map_response")));
  ASSERT_EQ(q.dropped.size(), 1u);
  EXPECT_NE(q.dropped[0].message.find("proportional credit only"), std::string::npos);
}

TEST(QtiItem, SingleWithMappingIsWeighted) {
  QtiItem q = Read(ItemXml("single", Mapping({3, 5, 1, 2, 4}), Choices(5),
                           Template("https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
                                    "map_response")));
  ASSERT_TRUE(q.dropped.empty()) << Dropped(q);
  EXPECT_EQ(q.item.type, ItemType::kWeighted);
  EXPECT_EQ(q.item.options[0].weight, 3);
  EXPECT_EQ(q.item.options[4].weight, 4);
}

TEST(QtiItem, AnOrderedScaleIsLikert) {
  // 1..4 in choice order: an ordered scale.
  QtiItem q =
      Read(ItemXml("single", Mapping({1, 2, 3, 4}), Choices(4), Template("a/map_response")));
  ASSERT_TRUE(q.dropped.empty()) << Dropped(q);
  EXPECT_EQ(q.item.type, ItemType::kLikert);
  EXPECT_FALSE(q.item.reverse);
  EXPECT_EQ(q.item.options[3].weight, 4);
}

TEST(QtiItem, TheLontarClassDecidesWeightedOrReversedLikert) {
  // 5..1 in order would read as a scale; the class written by `qti export` says weighted.
  QtiItem w = Read(ItemXml("single", Mapping({5, 4, 3, 2, 1}), Choices(5),
                           Template("a/map_response"), "", " class=\"lontar-weighted\""));
  EXPECT_EQ(w.item.type, ItemType::kWeighted);
  // A reversed Likert item carries the scores it gives: 4,3,2,1; its weights are 1,2,3,4.
  QtiItem r = Read(ItemXml("single", Mapping({4, 3, 2, 1}), Choices(4), Template("a/map_response"),
                           "", " class=\"lontar-likert-reverse\""));
  EXPECT_EQ(r.item.type, ItemType::kLikert);
  EXPECT_TRUE(r.item.reverse);
  EXPECT_EQ(r.item.options[0].weight, 1);
  EXPECT_EQ(r.item.options[3].weight, 4);
}

TEST(QtiItem, WeightOutsideOneToFiveIsDropped) {
  QtiItem q = Read(ItemXml("single", Mapping({1, 7}), Choices(2), Template("a/map_response")));
  ASSERT_EQ(q.dropped.size(), 1u);
  EXPECT_EQ(q.dropped[0].where, "items/q.xml:3");
  EXPECT_NE(q.dropped[0].message.find("choice 'c2' maps to 7"), std::string::npos)
      << q.dropped[0].message;
}

TEST(QtiItem, StemTextLanguagesListsAndImages) {
  const std::string body =
      "<div xml:lang=\"id\"><p>Perhatikan   <em>grafik</em>\n berikut.</p>"
      "<ol><li>satu</li><li>dua</li></ol></div>"
      "<div xml:lang=\"en-GB\"><p>Look at the chart.<br/>Then answer.</p></div>"
      "<p><img src=\"../img/a.png\"/><img src=\"../img/a.png\"/></p>";
  QtiItem q = Read(ItemXml("single", Correct({"c1"}), Choices(2), Template("a/match_correct"), body,
                           " shuffle=\"true\""));
  ASSERT_TRUE(q.dropped.empty()) << Dropped(q);
  // Whitespace runs collapse; paragraphs are blank lines; list items get their numbers; the
  // prompt (no xml:lang: the item's "id") is a paragraph of the Bahasa Indonesia slot.
  EXPECT_EQ(q.item.stem.id, "Perhatikan grafik berikut.\n\n1. satu\n2. dua\n\nSoal");
  EXPECT_EQ(q.item.stem.en, "Look at the chart.\nThen answer.");
  EXPECT_EQ(q.images, std::vector<std::string>{"img/a.png"});
  EXPECT_TRUE(q.shuffle);
  // Choices in one language fill both slots.
  EXPECT_EQ(q.item.options[0].text.en, "Pilihan 1");
  EXPECT_TRUE(q.one_language);
}

TEST(QtiItem, OtherInteractionsAreDroppedWithTheirLine) {
  const std::string xml =
      std::string(kHead) +
      "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" "
      "base-type=\"string\"/>\n<qti-item-body>\n<p>Ibu kota: "
      "<qti-text-entry-interaction response-identifier=\"RESPONSE\"/></p>\n"
      "</qti-item-body></qti-assessment-item>";
  QtiItem q = Read(xml);
  ASSERT_EQ(q.dropped.size(), 1u);
  EXPECT_EQ(q.dropped[0].ToString(),
            "items/q.xml:4: qti-text-entry-interaction: Lontar has choice items only (single, "
            "multiple, weighted, likert)");
}

TEST(QtiItem, EachUnsupportedConstructIsReported) {
  struct Case {
    std::string body, after, expect;
  };
  const Case cases[] = {
      {"",
       "<qti-modal-feedback outcome-identifier=\"F\" identifier=\"x\">Benar</qti-modal-feedback>",
       "feedback: Lontar shows no feedback during a sitting"},
      {"<math><mi>x</mi></math>", "", "MathML: write the formula as text or an image"},
      {"<table><tr><td>1</td></tr></table>", "", "a table: Lontar shows text and images"},
      {"<audio src=\"a.mp3\"/>", "", "audio, video or embedded objects"},
      {"<p xml:lang=\"jv\">Sugeng</p>", "", "text in language 'jv'"},
      {"<p><img src=\"https://example.org/a.png\"/></p>", "", "is not a file inside the package"},
      {"<qti-order-interaction response-identifier=\"R2\"/>", "",
       "qti-order-interaction: Lontar has choice items only"},
      {"", "<qti-template-declaration identifier=\"T\"/>", "item templates"},
  };
  for (const Case& c : cases) {
    std::string xml =
        ItemXml("single", Correct({"c1"}), Choices(2), Template("a/match_correct"), c.body);
    xml.insert(xml.find("</qti-assessment-item>"), c.after);
    QtiItem q = Read(xml);
    ASSERT_EQ(q.dropped.size(), 1u) << c.expect << "\n" << Dropped(q);
    EXPECT_NE(q.dropped[0].message.find(c.expect), std::string::npos) << q.dropped[0].message;
  }
}

TEST(QtiItem, AdaptiveAndUnknownResponseProcessingAreDropped) {
  std::string adaptive =
      ItemXml("single", Correct({"c1"}), Choices(2), Template("a/match_correct"));
  adaptive.replace(adaptive.find("identifier=\"Item_1\""), 19,
                   "identifier=\"Item_1\" adaptive=\"true\"");
  EXPECT_NE(Dropped(Read(adaptive)).find("an adaptive item"), std::string::npos);
  QtiItem point =
      Read(ItemXml("single", Correct({"c1"}), Choices(2), Template("a/map_response_point")));
  EXPECT_NE(Dropped(point).find("response processing template 'map_response_point'"),
            std::string::npos);
  QtiItem none = Read(ItemXml("single", Correct({"c1"}), Choices(2), ""));
  EXPECT_NE(Dropped(none).find("no response processing"), std::string::npos);
  QtiItem custom =
      Read(ItemXml("single", Correct({"c1"}), Choices(2),
                   "<qti-response-processing><qti-set-outcome-value identifier=\"SCORE\">"
                   "<qti-base-value base-type=\"float\">1</qti-base-value>"
                   "</qti-set-outcome-value></qti-response-processing>"));
  EXPECT_NE(Dropped(custom).find("neither match_correct nor map_response"), std::string::npos);
}

TEST(QtiItem, ChoiceCountAndCorrectResponseAreChecked) {
  EXPECT_NE(
      Dropped(Read(ItemXml("single", Correct({"c1"}), Choices(7), Template("a/match_correct"))))
          .find("7 choices; a Lontar item has 2 to 6"),
      std::string::npos);
  EXPECT_NE(
      Dropped(Read(ItemXml("single", Correct({"zz"}), Choices(2), Template("a/match_correct"))))
          .find("the correct response 'zz' is not one of the choices"),
      std::string::npos);
}

TEST(QtiItem, NotAQti3ItemIsRefused) {
  auto q2 = ReadQtiItem(
      "<assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p1\" identifier=\"a\"/>",
      "items/old.xml", {});
  ASSERT_FALSE(q2.has_value());
  EXPECT_EQ(q2.error().message(),
            "items/old.xml:1: <assessmentItem> in namespace "
            "'http://www.imsglobal.org/xsd/imsqti_v2p1' is not a QTI 3.0 qti-assessment-item "
            "(http://www.imsglobal.org/xsd/imsqtiasi_v3p0); convert QTI 2 packages to QTI 3.0 "
            "first");
}

TEST(QtiXml, MalformedXmlNamesFileAndLine) {
  auto doc = XmlDoc::Parse("<a>\n<b>\n</a>", "items/bad.xml");
  ASSERT_FALSE(doc.has_value());
  EXPECT_TRUE(doc.error().message().starts_with("items/bad.xml:3: malformed XML: "))
      << doc.error().message();
}

TEST(QtiXml, DoctypeAndEntitiesAreRefusedBeforeParsing) {
  auto xxe = XmlDoc::Parse(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "
      "\"file:///etc/passwd\">]>\n<a>&x;</a>",
      "items/xxe.xml");
  ASSERT_FALSE(xxe.has_value());
  EXPECT_EQ(xxe.error().message(),
            "items/xxe.xml:2: a DOCTYPE declaration; QTI 3.0 files have none, and entities are "
            "not expanded (remove the DOCTYPE)");
}

TEST(QtiXml, DeepNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "<d>\n";
  for (int i = 0; i < 70; ++i) deep += "</d>";
  auto doc = XmlDoc::Parse(deep, "items/deep.xml");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().message(), "items/deep.xml:65: elements nested more than 64 deep; refused");
  // Far deeper than libxml2's own limit: its error, still with a line.
  std::string deeper;
  for (int i = 0; i < 300; ++i) deeper += "<d>";
  auto doc2 = XmlDoc::Parse(deeper, "items/deeper.xml");
  ASSERT_FALSE(doc2.has_value());
  EXPECT_TRUE(doc2.error().message().starts_with("items/deeper.xml:1: malformed XML"))
      << doc2.error().message();
}

TEST(QtiXml, HugeDocumentIsRefused) {
  const std::string huge = "<a>" + std::string(kMaxXmlBytes, 'x') + "</a>";
  auto doc = XmlDoc::Parse(huge, "items/huge.xml");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().message(),
            "items/huge.xml: larger than 8 MiB; no item, test or manifest needs that much");
}

TEST(QtiManifest, ResourcesFilesAndDependencies) {
  auto m = ParseManifest(
      "<manifest identifier=\"m\"><resources>\n"
      "<resource identifier=\"i1\" type=\"imsqti_item_xmlv3p0\" href=\"items/./i1.xml\">"
      "<file href=\"items/i1.xml\"/><dependency identifierref=\"img\"/></resource>\n"
      "<resource identifier=\"img\" type=\"webcontent\" href=\"media/a.png\"/>\n"
      "</resources></manifest>",
      "imsmanifest.xml");
  ASSERT_TRUE(m.has_value()) << m.error().message();
  ASSERT_EQ(m->resources.size(), 2u);
  EXPECT_EQ(m->resources[0].href, "items/i1.xml");
  EXPECT_EQ(m->resources[0].dependencies, std::vector<std::string>{"img"});
  EXPECT_EQ(m->Find("img")->line, 3);
}

TEST(QtiManifest, EachRefusal) {
  struct Case {
    const char* xml;
    const char* message;
  };
  const Case cases[] = {
      {"<package/>",
       "imsmanifest.xml:1: the root element is <package>, not <manifest>: not a content package "
       "manifest"},
      {"<manifest><resources>\n<resource type=\"webcontent\"/></resources></manifest>",
       "imsmanifest.xml:2: a <resource> without an identifier"},
      {"<manifest><resources>\n<resource identifier=\"a\" href=\"../../etc/passwd\"/>"
       "</resources></manifest>",
       "imsmanifest.xml:2: resource 'a' names '../../etc/passwd', which is not a file inside the "
       "package"},
      {"<manifest><resources>\n<resource identifier=\"a\"/>\n<resource identifier=\"a\"/>"
       "</resources></manifest>",
       "imsmanifest.xml:3: resource identifier 'a' is used twice"},
      {"<manifest><resources>\n<resource identifier=\"a\"><dependency identifierref=\"b\"/>"
       "</resource></resources></manifest>",
       "imsmanifest.xml:2: resource 'a' depends on 'b', which the manifest does not declare"},
      // The manifest is read as a stream (qti_manifest.cpp), with XmlDoc's checks and words.
      {"<manifest><resources>\n<resource identifier=\"a\">\n</manifest>",
       "imsmanifest.xml:3: malformed XML: Opening and ending tag mismatch: resource line 2 and "
       "manifest"},
      {"", "imsmanifest.xml: malformed XML: Document is empty"},
      {"<!DOCTYPE manifest>\n<manifest/>",
       "imsmanifest.xml:1: a DOCTYPE declaration; QTI 3.0 files have none, and entities are not "
       "expanded (remove the DOCTYPE)"},
      {"<manifest><resources>\n<resource identifier=\"a\"><file/></resource></resources>"
       "</manifest>",
       "imsmanifest.xml:2: a <file> without an href"},
      {"<manifest><resources>\n<resource identifier=\"a\"><dependency/></resource></resources>"
       "</manifest>",
       "imsmanifest.xml:2: a <dependency> without an identifierref"},
  };
  for (const Case& c : cases) {
    auto m = ParseManifest(c.xml, "imsmanifest.xml");
    ASSERT_FALSE(m.has_value()) << c.xml;
    EXPECT_EQ(m.error().message(), c.message);
  }
}

TEST(QtiManifest, DeepNestingIsRefusedAndOnlyResourcesOfResourcesCount) {
  std::string deep = "<manifest><resources>";
  for (int k = 0; k < 70; ++k) deep += "<x>";
  for (int k = 0; k < 70; ++k) deep += "</x>";
  deep += "</resources></manifest>";
  auto m = ParseManifest(deep, "imsmanifest.xml");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().message(), "imsmanifest.xml:1: elements nested more than 64 deep; refused");
  // A <resource> elsewhere (in metadata, or nested in another) is not one of the package's.
  auto nested = ParseManifest(
      "<manifest><metadata><resource identifier=\"m\"/></metadata><resources>"
      "<resource identifier=\"a\"><resource identifier=\"b\"/><file href=\"a.xml\"/>"
      "</resource></resources></manifest>",
      "imsmanifest.xml");
  ASSERT_TRUE(nested.has_value()) << nested.error().message();
  ASSERT_EQ(nested->resources.size(), 1u);
  EXPECT_EQ(nested->resources[0].identifier, "a");
  EXPECT_EQ(nested->resources[0].files, std::vector<std::string>{"a.xml"});
}

TEST(QtiTest, SectionsInOrderWithLimitsAndDroppedSelection) {
  auto t = ReadQtiTest(
      "<qti-assessment-test xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\" "
      "identifier=\"t\" title=\"Ujian\">\n"
      "<qti-test-part identifier=\"p\"><qti-time-limits max-time=\"5390\"/>\n"
      "<qti-assessment-section identifier=\"s1\" title=\"Satu\"><qti-time-limits "
      "max-time=\"600\"/>\n"
      "<qti-assessment-item-ref identifier=\"a\" href=\"items/a.xml\" category=\"x integritas\"/>"
      "<qti-assessment-section identifier=\"inner\"><qti-assessment-item-ref identifier=\"b\" "
      "href=\"items/b.xml\"/></qti-assessment-section></qti-assessment-section>\n"
      "<qti-assessment-section identifier=\"s2\">\n<qti-selection select=\"1\"/>"
      "<qti-ordering shuffle=\"true\"/><qti-assessment-item-ref identifier=\"c\" "
      "href=\"items/c.xml\"/></qti-assessment-section></qti-test-part></qti-assessment-test>",
      "tests/t.xml");
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(t->title, "Ujian");
  EXPECT_EQ(t->minutes, 90);  // 5390 s rounded up
  ASSERT_EQ(t->sections.size(), 2u);
  EXPECT_EQ(t->sections[0].minutes, 10);
  ASSERT_EQ(t->sections[0].refs.size(), 2u);  // the inner section's item joins the outer one
  EXPECT_EQ(t->sections[0].refs[0].href, "tests/items/a.xml");
  EXPECT_EQ(t->sections[0].refs[0].categories, (std::vector<std::string>{"x", "integritas"}));
  EXPECT_TRUE(t->shuffle_items);
  ASSERT_EQ(t->dropped.size(), 1u);
  EXPECT_EQ(t->dropped[0].where, "tests/t.xml:6");
  EXPECT_NE(t->dropped[0].message.find("qti-selection"), std::string::npos);
}

// A package entry is read in 64 KiB pieces (xml_stream.hpp): each check must hold across them.
TEST(QtiXmlStream, AnEntryIsCheckedPieceByPiece) {
  testing::TempDir tmp;
  auto read_all = [&](const std::string& text) -> std::string {
    testing::WriteText(tmp / "pkg/doc.xml", text);
    auto pkg = Package::Open(tmp / "pkg");
    if (!pkg) return pkg.error().message();
    auto xml = XmlStream::FromEntry(*pkg, "doc.xml");
    if (!xml) return xml.error().message();
    int elements = 0;
    for (;;) {
      auto more = xml->Next();
      if (!more) return more.error().message();
      if (!*more) return std::to_string(elements) + " elements";
      ++elements;
    }
  };
  std::filesystem::create_directories(tmp / "pkg");
  // libxml2 2.9 asks for 4,000 bytes at a time: the declaration lands across that boundary at
  // some padding below, on line 3 whatever the padding.
  for (std::size_t pad = 3980; pad <= 4000; ++pad) {
    SCOPED_TRACE(pad);
    std::string text = "<a>\n<b/>\n" + std::string(pad, ' ') + "<!DOCTYPE x></a>";
    EXPECT_EQ(read_all(text),
              "doc.xml:3: a DOCTYPE declaration; QTI 3.0 files have none, and entities are not "
              "expanded (remove the DOCTYPE)");
    text.replace(text.find("<!DOCTYPE"), 9, "<!ENTITY ");
    EXPECT_EQ(read_all(text), "doc.xml:3: an entity declaration; refused (remove it)");
    text.replace(text.find("<!ENTITY "), 12, "<c>text</c>");
    EXPECT_EQ(read_all(text), "3 elements");
  }
  EXPECT_EQ(read_all("  \n"), "doc.xml: malformed XML: Document is empty");
  EXPECT_EQ(read_all("<a>\n<b></a>"),
            "doc.xml:2: malformed XML: Opening and ending tag mismatch: b line 2 and a");
  EXPECT_EQ(read_all("<a>" + std::string(kMaxXmlBytes, ' ') + "</a>"),
            "pkg: doc.xml is larger than 8388608 bytes");
}

TEST(QtiTest, StreamedRefsGoToTheSinkWithTheirSection) {
  auto xml = XmlStream::FromText(
      "<qti-assessment-test xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\" "
      "identifier=\"t\"><qti-test-part identifier=\"p\">\n"
      "<qti-assessment-section identifier=\"s1\"><qti-assessment-item-ref identifier=\"a\" "
      "href=\"a.xml\"/></qti-assessment-section>\n"
      "<qti-assessment-section identifier=\"s2\"><qti-time-limits max-time=\"61\"/>"
      "<qti-rubric-block/><qti-assessment-item-ref identifier=\"b\" href=\"b.xml\" "
      "category=\"x\"/></qti-assessment-section></qti-test-part></qti-assessment-test>",
      "t/test.xml");
  ASSERT_TRUE(xml.has_value()) << xml.error().message();
  std::vector<std::string> seen;
  auto t = ReadQtiTest(*xml, [&](std::size_t section, QtiItemRef ref) {
    seen.push_back(std::to_string(section) + " " + ref.href + " " + std::to_string(ref.line) +
                   (ref.categories.empty() ? "" : " " + ref.categories[0]));
  });
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(seen, (std::vector<std::string>{"0 t/a.xml 2", "1 t/b.xml 3 x"}));
  ASSERT_EQ(t->sections.size(), 2u);
  EXPECT_TRUE(t->sections[1].refs.empty());
  EXPECT_EQ(t->sections[1].minutes, 2);
  ASSERT_EQ(t->dropped.size(), 1u);
  EXPECT_EQ(t->dropped[0].where, "t/test.xml:3");
}

}  // namespace
}  // namespace lontar::interop
