#include "core/interop/items_csv.hpp"

#include <string>
#include <vector>

#include "core/interop/source_writer.hpp"
#include "core/interop/staging_dir.hpp"
#include "core/util/fs.hpp"

namespace lontar::interop {

namespace fs = std::filesystem;

Result<CsvImportReport> ImportItemsCsv(const fs::path& csv, const fs::path& out,
                                       const CsvImportOptions& options) {
  LONTAR_TRY(StagingDir::CheckFree(out));
  YAML::Node base(YAML::NodeType::Map);
  std::vector<std::string> competencies;
  if (!options.exam_template.empty()) {
    LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadFile(options.exam_template, 1u << 20));
    LONTAR_ASSIGN_OR_RETURN(
        base, ParseExamTemplate(std::string(AsChars(text)), options.exam_template.string()));
    if (const YAML::Node comps = base["competencies"]; comps.IsSequence()) {
      for (const YAML::Node& c : comps) {
        if (c.IsMap() && c["id"] && c["id"].IsScalar()) competencies.push_back(c["id"].Scalar());
      }
    }
  }
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadFile(csv, 256u << 20));
  const fs::path media_dir = csv.parent_path().empty() ? fs::path(".") : csv.parent_path();
  auto items = ReadItemsCsv(AsChars(text), csv.filename().string(), competencies, &media_dir);
  if (!items) {
    std::string m = csv.string() + ": " + std::to_string(items.error().size()) + " problem" +
                    (items.error().size() == 1 ? "" : "s") + "; nothing was written:";
    for (const std::string& p : items.error()) m += "\n  " + p;
    return std::unexpected(Error::InvalidArgument(m));
  }
  CsvImportReport report;
  model::Exam exam;
  exam.id = "ITEMS";
  for (char c : csv.stem().string()) {
    exam.id += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A')
               : ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c
                                                                    : '-';
  }
  exam.id = exam.id.substr(0, 64);
  exam.title = {csv.stem().string(), csv.stem().string()};
  exam.instructions = {"Jawablah semua soal.", "Answer every question."};
  exam.duration_minutes = 60;
  if (!base["duration_minutes"]) {
    report.notes.push_back(
        "no --exam-template: duration_minutes is 60 and titles are the ids "
        "(edit exam.yaml)");
  }
  exam.sections = std::move(items->sections);
  exam.items = std::move(items->items);

  LONTAR_ASSIGN_OR_RETURN(StagingDir staging, StagingDir::Beside(out));
  std::error_code ec;
  for (const auto& [name, path] : items->media) {
    fs::copy_file(path, staging.path() / name, ec);
    if (ec) return std::unexpected(Error::FromErrno("copy " + path.string(), ec.value()));
    ++report.media;
  }
  LONTAR_TRY(PublishSource(staging, exam, base,
                           "Written by `lontar items import-csv` from " + csv.filename().string() +
                               ".\nSections and items come from the spreadsheet; edit the rest "
                               "here.",
                           options.roster));
  report.items = exam.items.size();
  report.sections = exam.sections.size();
  return report;
}

}  // namespace lontar::interop
