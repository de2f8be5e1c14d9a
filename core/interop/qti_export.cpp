#include "core/interop/qti_export.hpp"

#include <zip.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "core/authoring/source.hpp"
#include "core/interop/qti_item.hpp"
#include "core/interop/xml.hpp"
#include "core/interop/zip_error.hpp"
#include "core/util/fs.hpp"
#include "core/util/markup_escape.hpp"

namespace lontar::interop {
namespace {

namespace fs = std::filesystem;
using model::Item;
using model::ItemType;

// Text as XHTML: a <p> per blank-line-separated block, <br/> per line break (qti_text.hpp reads
// it back the same).
std::string Paragraphs(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find("\n\n", start);
    if (end == std::string::npos) end = text.size();
    std::string block = text.substr(start, end - start);
    if (!block.empty()) {
      std::string p;
      std::size_t s = 0;
      while (s <= block.size()) {
        const std::size_t e = std::min(block.find('\n', s), block.size());
        if (!p.empty()) p += "<br/>";
        p += MarkupEscape(block.substr(s, e - s));
        s = e + 1;
      }
      out += "<p>" + p + "</p>";
    }
    start = end + 2;
  }
  return out;
}

std::string Inline(const std::string& text) {
  std::string out;
  std::size_t s = 0;
  while (s <= text.size()) {
    const std::size_t e = std::min(text.find('\n', s), text.size());
    if (s > 0) out += "<br/>";
    out += MarkupEscape(text.substr(s, e - s));
    s = e + 1;
  }
  return out;
}

// The shortest text that reads back as `v` ("1.6666666666666667", "5").
std::string Number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

std::string ItemXml(const Item& item, bool shuffle) {
  const bool mapped = item.type == ItemType::kWeighted || item.type == ItemType::kLikert ||
                      (item.type == ItemType::kMultiple && item.partial);
  const bool multiple = item.type == ItemType::kMultiple;
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<qti-assessment-item xmlns=\"" + std::string(kQtiNamespace) + "\" identifier=\"" + item.id +
       "\" title=\"" + item.id +
       "\" adaptive=\"false\" time-dependent=\"false\" xml:lang=\"id\">\n";
  x += std::string("  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"") +
       (multiple ? "multiple" : "single") + "\" base-type=\"identifier\">\n";
  if (item.type == ItemType::kSingle || item.type == ItemType::kMultiple) {
    x += "    <qti-correct-response>";
    for (const auto& o : item.options) {
      if (o.correct) x += "<qti-value>" + o.key + "</qti-value>";
    }
    x += "</qti-correct-response>\n";
  }
  if (mapped) {
    std::vector<double> values;
    if (multiple) {
      int right = 0;
      for (const auto& o : item.options) right += o.correct ? 1 : 0;
      const double step = static_cast<double>(item.points_correct) / std::max(right, 1);
      for (const auto& o : item.options) values.push_back(o.correct ? step : -step);
      x += "    <qti-mapping lower-bound=\"0\" upper-bound=\"" + Number(item.points_correct) +
           "\" default-value=\"0\">\n";
    } else {
      int lo = 5, hi = 1;
      for (const auto& o : item.options) lo = std::min(lo, o.weight), hi = std::max(hi, o.weight);
      for (const auto& o : item.options) {
        values.push_back(item.reverse ? lo + hi - o.weight : o.weight);
      }
      x += "    <qti-mapping default-value=\"0\">\n";
    }
    for (std::size_t k = 0; k < item.options.size(); ++k) {
      x += "      <qti-map-entry map-key=\"" + item.options[k].key + "\" mapped-value=\"" +
           Number(values[k]) + "\"/>\n";
    }
    x += "    </qti-mapping>\n";
  }
  x += "  </qti-response-declaration>\n";
  x += "  <qti-outcome-declaration identifier=\"SCORE\" cardinality=\"single\" "
       "base-type=\"float\"/>\n";
  x += "  <qti-item-body>\n";
  x += "    <div xml:lang=\"id\">" + Paragraphs(item.stem.id) + "</div>\n";
  x += "    <div xml:lang=\"en\">" + Paragraphs(item.stem.en) + "</div>\n";
  for (const std::string& m : item.media) {
    x += "    <p><img src=\"../" + MarkupEscape(m) + "\" alt=\"\"/></p>\n";
  }
  std::string cls = item.type == ItemType::kWeighted ? "lontar-weighted"
                    : item.type == ItemType::kLikert
                        ? (item.reverse ? "lontar-likert-reverse" : "lontar-likert")
                        : "";
  x += std::string("    <qti-choice-interaction response-identifier=\"RESPONSE\" shuffle=\"") +
       (shuffle ? "true" : "false") + "\" max-choices=\"" + (multiple ? "0" : "1") + "\"" +
       (cls.empty() ? "" : " class=\"" + cls + "\"") + ">\n";
  for (const auto& o : item.options) {
    x += "      <qti-simple-choice identifier=\"" + o.key + "\"><span xml:lang=\"id\">" +
         Inline(o.text.id) + "</span><span xml:lang=\"en\">" + Inline(o.text.en) +
         "</span></qti-simple-choice>\n";
  }
  x += "    </qti-choice-interaction>\n  </qti-item-body>\n";
  if (mapped) {
    x += "  <qti-response-processing template=\"https://purl.imsglobal.org/spec/qti/v3p0/"
         "rptemplates/map_response.xml\"/>\n";
  } else {
    auto set = [](int v) {
      return "<qti-set-outcome-value identifier=\"SCORE\"><qti-base-value base-type=\"float\">" +
             std::to_string(v) + "</qti-base-value></qti-set-outcome-value>";
    };
    x += "  <qti-response-processing>\n    <qti-response-condition>\n      <qti-response-if>"
         "<qti-match><qti-variable identifier=\"RESPONSE\"/><qti-correct "
         "identifier=\"RESPONSE\"/></qti-match>" +
         set(item.points_correct) + "</qti-response-if>\n      <qti-response-else>" +
         set(item.points_wrong) +
         "</qti-response-else>\n    </qti-response-condition>\n  </qti-response-processing>\n";
  }
  x += "</qti-assessment-item>\n";
  return x;
}

std::string TestXml(const model::Exam& exam) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<qti-assessment-test xmlns=\"" + std::string(kQtiNamespace) + "\" identifier=\"" +
       MarkupEscape(exam.id) + "\" title=\"" + MarkupEscape(exam.title.id) + "\">\n";
  x += "  <qti-test-part identifier=\"part-1\" navigation-mode=\"nonlinear\" "
       "submission-mode=\"simultaneous\">\n";
  x += "    <qti-time-limits max-time=\"" + std::to_string(exam.duration_minutes * 60) + "\"/>\n";
  for (const auto& s : exam.sections) {
    x += "    <qti-assessment-section identifier=\"" + s.id + "\" title=\"" +
         MarkupEscape(s.title.id) + "\" visible=\"true\">\n";
    if (s.minutes > 0) {
      x += "      <qti-time-limits max-time=\"" + std::to_string(s.minutes * 60) + "\"/>\n";
    }
    if (exam.shuffle_items) x += "      <qti-ordering shuffle=\"true\"/>\n";
    for (const std::string& id : s.items) {
      const Item& item = exam.items.at(id);
      x += "      <qti-assessment-item-ref identifier=\"" + id + "\" href=\"items/" + id +
           ".xml\"" + (item.competency.empty() ? "" : " category=\"" + item.competency + "\"") +
           "/>\n";
    }
    x += "    </qti-assessment-section>\n";
  }
  x += "  </qti-test-part>\n</qti-assessment-test>\n";
  return x;
}

std::string ManifestXml(const model::Exam& exam, const std::vector<authoring::MediaFile>& media) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<manifest xmlns=\"http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1\" identifier=\"" +
       MarkupEscape(exam.id) + "\">\n";
  x += "  <metadata><schema>QTI Package</schema><schemaversion>3.0.0</schemaversion></metadata>\n";
  x += "  <organizations/>\n  <resources>\n";
  x += "    <resource identifier=\"test\" type=\"imsqti_test_xmlv3p0\" href=\"test.xml\">"
       "<file href=\"test.xml\"/>";
  for (const auto& s : exam.sections) {
    for (const std::string& id : s.items) x += "<dependency identifierref=\"item-" + id + "\"/>";
  }
  x += "</resource>\n";
  std::map<std::string, std::size_t> media_index;
  for (std::size_t k = 0; k < media.size(); ++k) media_index[media[k].name] = k;
  for (const auto& [id, item] : exam.items) {
    x += "    <resource identifier=\"item-" + id + "\" type=\"imsqti_item_xmlv3p0\" href=\"items/" +
         id + ".xml\"><file href=\"items/" + id + ".xml\"/>";
    for (const std::string& m : item.media) {
      x += "<dependency identifierref=\"media-" + std::to_string(media_index[m]) + "\"/>";
    }
    x += "</resource>\n";
  }
  for (std::size_t k = 0; k < media.size(); ++k) {
    x += "    <resource identifier=\"media-" + std::to_string(k) +
         "\" type=\"webcontent\" href=\"" + MarkupEscape(media[k].name) + "\"><file href=\"" +
         MarkupEscape(media[k].name) + "\"/></resource>\n";
  }
  x += "    <resource identifier=\"lontar-exam\" type=\"webcontent\" href=\"lontar/exam.yaml\">"
       "<file href=\"lontar/exam.yaml\"/></resource>\n";
  x += "  </resources>\n</manifest>\n";
  return x;
}

}  // namespace

Result<QtiExportReport> ExportQti(const fs::path& source_dir, const fs::path& out) {
  auto source = authoring::LoadSource(source_dir);
  if (!source) {
    std::string m = source_dir.string() + ": the source does not validate; nothing was exported:";
    for (const auto& d : source.error()) m += "\n  " + d.ToString();
    return std::unexpected(Error::InvalidArgument(m));
  }
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec))) {
    return std::unexpected(Error::AlreadyExists(out.string() + " already exists; refusing to "
                                                               "overwrite it"));
  }
  LONTAR_ASSIGN_OR_RETURN(Bytes exam_yaml, ReadFile(source_dir / "exam.yaml", 1u << 20));
  const model::Exam& exam = source->exam;

  int err = 0;
  zip_t* zip = zip_open(out.c_str(), ZIP_CREATE | ZIP_EXCL, &err);
  if (zip == nullptr) {
    const std::string why = ZipErrorText(err);
    return std::unexpected(Error::Io(out.string() + ": cannot create: " + why));
  }
  // libzip reads the buffers when the archive is closed: keep them alive until then.
  std::deque<std::string> keep;
  auto fail = [&](const std::string& what) {
    std::string why = zip_error_strerror(zip_get_error(zip));
    zip_discard(zip);
    return std::unexpected(Error::Io(out.string() + ": " + what + ": " + why));
  };
  auto add = [&](const std::string& name, std::string data) -> bool {
    keep.push_back(std::move(data));
    zip_source_t* src = zip_source_buffer(zip, keep.back().data(), keep.back().size(), 0);
    if (src == nullptr) return false;
    if (zip_file_add(zip, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
      zip_source_free(src);
      return false;
    }
    return true;
  };
  if (!add("imsmanifest.xml", ManifestXml(exam, source->media))) return fail("imsmanifest.xml");
  if (!add("test.xml", TestXml(exam))) return fail("test.xml");
  if (!add("lontar/exam.yaml", std::string(AsChars(exam_yaml)))) return fail("lontar/exam.yaml");
  for (const auto& [id, item] : exam.items) {
    if (!add("items/" + id + ".xml", ItemXml(item, exam.shuffle_options))) return fail(id);
  }
  for (const auto& m : source->media) {
    zip_source_t* src = zip_source_file(zip, m.path.c_str(), 0, -1);
    if (src == nullptr) return fail(m.name);
    const zip_int64_t index = zip_file_add(zip, m.name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(src);
      return fail(m.name);
    }
    zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0) return fail("write");
  return QtiExportReport{exam.items.size(), exam.sections.size(), source->media.size()};
}

}  // namespace lontar::interop
