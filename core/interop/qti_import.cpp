#include "core/interop/qti_import.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "core/authoring/source.hpp"
#include "core/interop/package.hpp"
#include "core/interop/qti_manifest.hpp"
#include "core/interop/qti_test.hpp"
#include "core/interop/source_writer.hpp"
#include "core/interop/staging_dir.hpp"
#include "core/interop/xml.hpp"
#include "core/interop/xml_stream.hpp"
#include "core/util/fs.hpp"
#include "core/util/image_signature.hpp"

namespace lontar::interop {
namespace {

namespace fs = std::filesystem;
using model::Exam;

constexpr const char* kManifest = "imsmanifest.xml";
constexpr const char* kExamTemplateEntry = "lontar/exam.yaml";

// Problems that fail the whole import, all reported together.
struct Problems {
  std::vector<std::string> list;
  void Add(const Error& e) { list.push_back(e.message()); }
  void Add(std::string m) { list.push_back(std::move(m)); }
  Error ToError(const std::string& package) const {
    std::string m = package + ": cannot import (" + std::to_string(list.size()) + " problem" +
                    (list.size() == 1 ? "" : "s") + "; nothing was written):";
    for (const std::string& p : list) m += "\n  " + p;
    return Error::Malformed(m);
  }
};

// "img/Grafik 1.PNG" -> "Grafik-1.PNG": a file name LoadSource and the pack accept.
std::string MediaBaseName(const std::string& entry) {
  std::string base = entry.substr(entry.rfind('/') + 1);
  for (char& c : base) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) c = '-';
  }
  if (base.empty() || base.front() == '.') base = "image" + base;
  return base;
}

std::string ExamIdFrom(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    out += ok ? c : '-';
  }
  if (out.size() > 64) out.resize(64);
  return out.empty() ? "QTI-IMPORT" : out;
}

// Copies the package's images into media/, once each, under names LoadSource accepts (a second
// image with the same file name gets "-2", ...), each checked to be a PNG or JPEG of at most
// 10 MB. Keeps, per image, its entry and its name.
class MediaCopier {
 public:
  MediaCopier(const Package& pkg, fs::path dir) : pkg_(pkg), dir_(std::move(dir)) {}

  // The image's name in the source ("media/x.png"), copying it on first use. Fails naming the
  // package, the entry and `item_id`. Touches disk.
  Result<std::string> Copy(const std::string& entry, const std::string& item_id) {
    if (auto known = name_of_.find(entry); known != name_of_.end()) return known->second;
    std::string base_name = MediaBaseName(entry);
    const std::size_t dot = base_name.rfind('.');
    const std::string stem = dot == std::string::npos ? base_name : base_name.substr(0, dot);
    const std::string ext = dot == std::string::npos ? "" : base_name.substr(dot);
    for (int n = 2; taken_.contains(base_name); ++n)
      base_name = stem + "-" + std::to_string(n) + ext;
    taken_.insert(base_name);
    const std::string name = "media/" + base_name;
    if (auto copied = pkg_.CopyTo(entry, dir_ / name, authoring::kMaxMediaBytes); !copied) {
      return std::unexpected(
          Error::Malformed(copied.error().message() + " (images are at most 10 MB)"));
    }
    if (!StartsAsPngOrJpeg(dir_ / name)) {
      return std::unexpected(Error::Malformed(pkg_.name() + ": " + entry +
                                              " is not a PNG or JPEG image (item '" + item_id +
                                              "'); convert it"));
    }
    name_of_.emplace(entry, name);
    return name;
  }
  std::size_t copied() const { return name_of_.size(); }

 private:
  const Package& pkg_;
  fs::path dir_;
  std::map<std::string, std::string> name_of_;  // package entry -> "media/x.png"
  std::set<std::string> taken_;                 // file names under media/
};

// The items and sections of the package, in test (or manifest) order. Per item ref it keeps 8
// bytes: the item's entry number in the package and its categories' place in a table of the
// distinct category lists (a test names a few: the competencies).
struct PlanRef {
  std::uint32_t entry = 0;       // Package::Find's number, or kMissing
  std::uint32_t categories = 0;  // index into Plan::categories (0: none); for kMissing, into
                                 // Plan::missing
};
// Item resources without an entry: no href, or an href the package lacks.
constexpr std::uint32_t kNoHref = UINT32_MAX;
constexpr std::uint32_t kMissing = UINT32_MAX - 1;
// An entry's item not read yet, or read and not imported (ImportQti's Placed::section).
constexpr std::uint32_t kUnread = UINT32_MAX;
constexpr std::uint32_t kSkipped = UINT32_MAX - 1;

struct PlanSection {
  std::string identifier;
  std::string title;
  int minutes = 0;
  std::vector<PlanRef> refs;
};

struct Plan {
  std::vector<PlanSection> sections;
  std::vector<std::string> missing;  // the hrefs of kMissing refs
  std::vector<std::vector<std::string>> categories{{}};
  std::map<std::vector<std::string>, std::uint32_t> category_index;
  bool shuffle_items = false;
  std::string title, identifier;
  int minutes = 0;

  std::uint32_t Categories(std::vector<std::string> list) {
    if (list.empty()) return 0;
    auto [it, added] = category_index.emplace(list, static_cast<std::uint32_t>(categories.size()));
    if (added) categories.push_back(std::move(list));
    return it->second;
  }
};

// What the manifest says the import needs, kept as the manifest streams past: the test resource,
// and per item resource its entry number and identifier (for the note on items outside the test).
struct ManifestPlan {
  std::optional<ManifestResource> test;
  std::size_t item_resources = 0;
  std::vector<std::uint32_t> item_entries;  // an entry number, kNoHref or kMissing
  std::string item_ids;                     // the item resources' identifiers, each ending '\n'
  std::vector<std::string> missing;         // the hrefs of the kMissing ones, in order
  std::vector<std::string> without_href;    // problems, if there is no test to place the items
};

// Reads the manifest as a stream, checking that every file a resource names is in the package.
Result<ManifestPlan> ReadManifestPlan(const Package& pkg, QtiImportReport& report,
                                      Problems& problems) {
  ManifestPlan m;
  LONTAR_ASSIGN_OR_RETURN(XmlStream xml, XmlStream::FromEntry(pkg, kManifest));
  LONTAR_TRY(ReadManifest(xml, [&](ManifestResource r) -> Status {
    const std::string where = std::string(kManifest) + ":" + std::to_string(r.line);
    if (!r.href.empty()) r.files.push_back(r.href);
    for (const std::string& f : r.files) {
      if (!pkg.Contains(f)) {
        problems.Add(where + ": resource '" + r.identifier + "' names '" + f +
                     "', which the package lacks");
        break;
      }
    }
    if (r.type == kQtiTestType && !m.test) {
      r.files.clear();
      m.test = std::move(r);
    } else if (r.type == kQtiTestType) {
      report.notes.push_back(where + ": a second test '" + r.identifier +
                             "' is ignored; the first is used");
    } else if (r.type == kQtiItemType) {
      ++m.item_resources;
      if (r.href.empty()) {
        m.without_href.push_back(where + ": item resource '" + r.identifier + "' has no href");
      }
      const std::optional<std::uint32_t> entry = pkg.Find(r.href);
      if (r.href.empty()) {
        m.item_entries.push_back(kNoHref);
      } else if (!entry) {
        m.item_entries.push_back(kMissing);
        m.missing.push_back(r.href);
      } else {
        m.item_entries.push_back(*entry);
      }
      m.item_ids += r.identifier + "\n";
    }
    return Ok();
  }));
  return m;
}

// Plans the import: the manifest (ReadManifestPlan), then the test, as streams, neither held.
Result<Plan> ReadPlan(const Package& pkg, QtiImportReport& report, Problems& problems) {
  LONTAR_ASSIGN_OR_RETURN(ManifestPlan m, ReadManifestPlan(pkg, report, problems));
  Plan plan;
  if (m.test && !m.test->href.empty()) {
    const std::string& test_entry = m.test->href;
    LONTAR_ASSIGN_OR_RETURN(XmlStream xml, XmlStream::FromEntry(pkg, test_entry));
    std::vector<bool> in_test(pkg.entry_count());
    std::vector<std::vector<PlanRef>> refs;
    LONTAR_ASSIGN_OR_RETURN(
        QtiTest t, ReadQtiTest(xml, [&](std::size_t section, QtiItemRef ref) {
          const std::optional<std::uint32_t> entry = pkg.Find(ref.href);
          if (!entry) {
            problems.Add(test_entry + ":" + std::to_string(ref.line) + ": item '" + ref.identifier +
                         "' is at '" + ref.href + "', which the package lacks");
            return;
          }
          in_test[*entry] = true;
          refs.resize(std::max(refs.size(), section + 1));
          refs[section].push_back({*entry, plan.Categories(std::move(ref.categories))});
        }));
    for (std::size_t k = 0; k < t.sections.size(); ++k) {
      QtiSection& s = t.sections[k];
      PlanSection section{std::move(s.identifier), std::move(s.title), s.minutes, {}};
      if (k < refs.size()) section.refs = std::move(refs[k]);
      plan.sections.push_back(std::move(section));
    }
    plan.shuffle_items = t.shuffle_items;
    plan.title = t.title;
    plan.identifier = t.identifier;
    plan.minutes = t.minutes;
    report.dropped.insert(report.dropped.end(), t.dropped.begin(), t.dropped.end());
    std::size_t outside = 0;
    std::string first;
    std::size_t id_start = 0;
    for (const std::uint32_t entry : m.item_entries) {
      const std::size_t id_end = m.item_ids.find('\n', id_start);
      if (entry == kNoHref || entry == kMissing || !in_test[entry]) {
        if (outside++ == 0) first = m.item_ids.substr(id_start, id_end - id_start);
      }
      id_start = id_end + 1;
    }
    if (outside > 0) {
      report.notes.push_back(std::to_string(outside) +
                             " item resource(s) of the manifest are in no section of the test and "
                             "were not imported; first: " +
                             first);
    }
    return plan;
  }
  if (m.item_resources == 0) {
    return std::unexpected(Error::Malformed(pkg.name() +
                                            ": the manifest lists no QTI 3.0 item (resource type " +
                                            std::string(kQtiItemType) + ")"));
  }
  report.notes.push_back(pkg.name() +
                         ": no test in the package; all items go into one section 'main' in "
                         "manifest order");
  for (std::string& p : m.without_href) problems.Add(std::move(p));
  PlanSection main{"main", "Utama", 0, {}};
  // An href the package lacks is a problem already; reading it adds the reader's own words.
  std::size_t missing = 0;
  for (const std::uint32_t entry : m.item_entries) {
    if (entry == kMissing) {
      main.refs.push_back({kMissing, static_cast<std::uint32_t>(plan.missing.size())});
      plan.missing.push_back(std::move(m.missing[missing++]));
    } else if (entry != kNoHref) {
      main.refs.push_back({entry, 0});
    }
  }
  plan.sections.push_back(std::move(main));
  return plan;
}

}  // namespace

Result<QtiImportReport> ImportQti(const fs::path& package, const fs::path& out,
                                  const QtiImportOptions& options) {
  LONTAR_TRY(StagingDir::CheckFree(out));
  LONTAR_ASSIGN_OR_RETURN(Package pkg, Package::Open(package));
  if (!pkg.Contains(kManifest)) {
    std::string hint;
    for (const std::string& e : pkg.entries()) {
      if (e.ends_with("/imsmanifest.xml"))
        hint = " (it has " + e +
               ": zip the folder's contents, "
               "not the folder)";
    }
    return std::unexpected(Error::Malformed(pkg.name() +
                                            ": no imsmanifest.xml at the top; not a QTI content "
                                            "package" +
                                            hint));
  }
  Problems problems;
  QtiImportReport report;
  LONTAR_ASSIGN_OR_RETURN(Plan plan, ReadPlan(pkg, report, problems));
  if (!problems.list.empty()) return std::unexpected(problems.ToError(pkg.name()));

  // The template: what QTI has no place for.
  YAML::Node base(YAML::NodeType::Map);
  if (pkg.Contains(kExamTemplateEntry)) {
    LONTAR_ASSIGN_OR_RETURN(std::string text, pkg.Read(kExamTemplateEntry, 1u << 20));
    LONTAR_ASSIGN_OR_RETURN(base, ParseExamTemplate(text, kExamTemplateEntry));
  } else if (!options.exam_template.empty()) {
    LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadFile(options.exam_template, 1u << 20));
    LONTAR_ASSIGN_OR_RETURN(
        base, ParseExamTemplate(std::string(AsChars(text)), options.exam_template.string()));
  }
  const std::set<std::string> competencies = TemplateCompetencies(base);

  // The items, one at a time, in the test's order: read, mapped, checked, written with their
  // images, placed in their section, forgotten. What is kept per item is its id (in the writer
  // and its section) and where it went (`placed`, 8 bytes a package entry). Once a
  // problem (or, with `strict`, a dropped construct) means nothing will be published, the rest of
  // the items are still read, to report everything at once, but no longer written.
  LONTAR_ASSIGN_OR_RETURN(StagingDir staging, StagingDir::Beside(out));
  SourceWriter writer(staging.path(), base);
  MediaCopier media(pkg, staging.path());
  Problems media_problems;
  struct Placed {  // where an entry's item went
    std::uint32_t section = kUnread;
    std::uint32_t index = 0;  // in that section's items
  };
  std::vector<Placed> placed(pkg.entry_count());
  std::set<std::string> missing_read;
  // The ids of items imported: those the writer wrote, and these, which it did not (it refused
  // them, or writing had stopped); apart, so that a good import keeps each id once.
  std::set<std::string> not_written;
  auto imported = [&](const std::string& id) {
    return writer.written(id) || not_written.contains(id);
  };
  bool all_shuffle = true;
  std::string first_unshuffled;
  std::size_t unshuffled = 0;
  std::size_t one_language = 0;
  const QtiItemOptions item_options{options.points_correct};
  Exam exam;
  std::set<std::string> section_ids;
  for (std::size_t k = 0; k < plan.sections.size(); ++k) {
    const PlanSection& s = plan.sections[k];
    model::Section section;
    section.id = ToLontarId(s.identifier);
    if (section.id.empty() || !section_ids.insert(section.id).second) {
      section.id = "section-" + std::to_string(k + 1);
      section_ids.insert(section.id);
      report.notes.push_back("section '" + s.identifier + "' is written as '" + section.id + "'");
    }
    const std::string title = s.title.empty() ? s.identifier : s.title;
    section.title = {title, title};
    section.minutes = s.minutes;
    for (const PlanRef& ref : s.refs) {
      if (ref.entry == kMissing) {
        const std::string& href = plan.missing[ref.categories];
        if (missing_read.insert(href).second) {
          if (auto xml = pkg.Read(href, kMaxXmlBytes); !xml) problems.Add(xml.error());
        }
        continue;
      }
      Placed& at = placed[ref.entry];
      if (at.section == kSkipped) continue;
      if (at.section != kUnread) {
        const std::vector<std::string>& items =
            at.section == exam.sections.size() ? section.items : exam.sections[at.section].items;
        report.notes.push_back("item '" + items[at.index] + "' is referred to twice; kept once");
        continue;
      }
      at.section = kSkipped;
      const std::string entry = pkg.EntryName(ref.entry);
      auto xml = pkg.Read(entry, kMaxXmlBytes);
      if (!xml) {
        problems.Add(xml.error());
        continue;
      }
      auto qti = ReadQtiItem(*xml, entry, item_options);
      if (!qti) {
        problems.Add(qti.error());
        continue;
      }
      for (const std::string& img : qti->images) {
        if (!pkg.Contains(img)) {
          problems.Add(entry + ":" + std::to_string(qti->images_line) + ": image '" + img +
                       "' is not in the package");
        }
      }
      if (!qti->item.id.empty() && imported(qti->item.id)) {
        qti->dropped.push_back(
            {entry, qti->identifier,
             "item id '" + qti->item.id + "' is already taken by another item of the package"});
      }
      if (!qti->dropped.empty()) {
        report.dropped.insert(report.dropped.end(), qti->dropped.begin(), qti->dropped.end());
        continue;
      }
      for (const std::string& c : plan.categories[ref.categories]) {
        if (competencies.contains(c) && qti->item.competency.empty()) qti->item.competency = c;
      }
      if (!qti->shuffle || qti->fixed_choice) {
        all_shuffle = false;
        if (unshuffled++ == 0) first_unshuffled = qti->item.id;
      }
      one_language += qti->one_language ? 1 : 0;
      at = {static_cast<std::uint32_t>(exam.sections.size()),
            static_cast<std::uint32_t>(section.items.size())};
      section.items.push_back(qti->item.id);
      // As when the whole package was read before anything was written: images are checked only
      // while the items read well, and not at all when --strict will refuse anyway.
      if (!problems.list.empty() || (options.strict && !report.dropped.empty())) {
        not_written.insert(qti->item.id);
        continue;
      }
      bool images_ok = true;
      for (const std::string& img : qti->images) {
        auto name = media.Copy(img, qti->item.id);
        if (!name) {
          media_problems.Add(name.error());
          images_ok = false;
          continue;
        }
        qti->item.media.push_back(*name);
      }
      if (images_ok && media_problems.list.empty()) LONTAR_TRY(writer.Add(qti->item));
      if (!writer.written(qti->item.id)) not_written.insert(qti->item.id);
    }
    if (section.items.empty()) {
      report.notes.push_back("section '" + section.id + "' has no item left and is not written");
      continue;
    }
    exam.sections.push_back(std::move(section));
  }
  if (!problems.list.empty()) return std::unexpected(problems.ToError(pkg.name()));
  if (options.strict && !report.dropped.empty()) {
    std::string m = pkg.name() + ": --strict: " + std::to_string(report.dropped.size()) +
                    " construct" + (report.dropped.size() == 1 ? "" : "s") +
                    " Lontar cannot represent; nothing was written:";
    for (const Dropped& d : report.dropped) m += "\n  " + d.ToString();
    return std::unexpected(Error::InvalidArgument(m));
  }
  if (!media_problems.list.empty()) return std::unexpected(media_problems.ToError(pkg.name()));
  report.media = media.copied();
  if (exam.sections.empty()) {
    std::string m = pkg.name() + ": no item could be imported";
    for (const Dropped& d : report.dropped) m += "\n  " + d.ToString();
    return std::unexpected(Error::InvalidArgument(m));
  }
  placed = {};
  not_written = {};

  // Exam metadata where no template gives it.
  exam.id = ExamIdFrom(plan.identifier.empty() ? package.stem().string() : plan.identifier);
  const std::string title = plan.title.empty() ? package.stem().string() : plan.title;
  exam.title = {title, title};
  exam.instructions = {"Jawablah semua soal.", "Answer every question."};
  exam.duration_minutes = plan.minutes;
  if (exam.duration_minutes == 0) {
    for (const model::Section& s : exam.sections) exam.duration_minutes += s.minutes;
  }
  if ((exam.duration_minutes == 0 || exam.duration_minutes > 600) && !base["duration_minutes"]) {
    report.notes.push_back(
        "no usable time limit in the test; duration_minutes is 60 (edit "
        "exam.yaml)");
    exam.duration_minutes = 60;
  }
  exam.shuffle_items = plan.shuffle_items;
  exam.shuffle_options = all_shuffle;
  if (!all_shuffle && !base["shuffle"]) {
    report.notes.push_back(std::to_string(unshuffled) +
                           " item(s) keep their choices in order (no shuffle, or a fixed choice), "
                           "so options are not shuffled for any item; first: " +
                           first_unshuffled);
  }
  if (one_language > 0) {
    report.notes.push_back(std::to_string(one_language) +
                           " item(s) have text in one language only; it fills both the Bahasa "
                           "Indonesia and the English slot");
  }

  // exam.yaml and the roster; exam.yaml checked; publish.
  const std::string header = "Written by `lontar qti import` from " + pkg.name() +
                             ".\nSections and items come from the package; edit the rest here.";
  LONTAR_TRY(writer.Finish(staging, exam, base, header, options.roster));
  for (const model::Section& section : exam.sections) report.items += section.items.size();
  report.sections = exam.sections.size();
  return report;
}

}  // namespace lontar::interop
