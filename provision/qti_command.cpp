// `lontar qti import|export`: items in from (and out to) item banks that speak QTI 3.0. The work
// is in core/interop; this file only reads the options and prints the report.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/interop/qti_export.hpp"
#include "core/interop/qti_import.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

struct QtiArgs {
  std::filesystem::path package, out, source;
  interop::QtiImportOptions import;
  bool json = false;
};

Json DroppedJson(const std::vector<interop::Dropped>& dropped) {
  Json out = Json::array();
  for (const interop::Dropped& d : dropped) {
    out.push_back({{"where", d.where}, {"item", d.item}, {"message", d.message}});
  }
  return out;
}

// What both directions report under --json: where they wrote, and how much.
Json CountsJson(const std::filesystem::path& out, std::size_t items, std::size_t sections,
                std::size_t media) {
  return Json{{"out", out.string()}, {"items", items}, {"sections", sections}, {"media", media}};
}

Status Import(const QtiArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(interop::QtiImportReport r,
                          interop::ImportQti(a.package, a.out, a.import));
  if (a.json) {
    Json j = CountsJson(a.out, r.items, r.sections, r.media);
    j["skipped"] = DroppedJson(r.dropped);
    j["notes"] = r.notes;
    std::cout << j.dump(2) << "\n";
    return Ok();
  }
  for (const interop::Dropped& d : r.dropped) std::cerr << d.ToString() << "\n";
  for (const std::string& n : r.notes) std::cerr << "note: " << n << "\n";
  std::cout << "imported " << r.items << " item(s) in " << r.sections << " section(s) and "
            << r.media << " image(s) into " << a.out.string();
  if (!r.dropped.empty()) {
    std::cout << "; " << r.dropped.size() << " construct(s) dropped (listed above; their items "
              << "were skipped)";
  }
  std::cout << "\n";
  if (a.import.roster.empty()) {
    std::cout << "add roster.csv (docs/authoring.md) before `lontar pack build`\n";
  }
  return Ok();
}

Status Export(const QtiArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(interop::QtiExportReport r, interop::ExportQti(a.source, a.out));
  if (a.json) {
    const Json j = CountsJson(a.out, r.items, r.sections, r.media);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "exported " << r.items << " item(s) in " << r.sections << " section(s) and "
              << r.media << " image(s) to " << a.out.string() << "\n";
  }
  return Ok();
}

}  // namespace

void RegisterQtiCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<QtiArgs>();
  auto* qti = AddCommandGroup(app, "qti", "QTI 3.0 item banks: import and export (docs/import.md)");

  auto* import = qti->add_subcommand(
      "import", "turn a QTI 3.0 package (zip or directory) into an authoring source");
  import->add_option("package", args->package, "PACKAGE.zip or a directory")->required();
  import->add_option("--out", args->out, "authoring source directory to create")->required();
  import
      ->add_option("--points-correct", args->import.points_correct,
                   "points for a right answer where the item scores 1/0 (match_correct)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  import->add_flag("--strict", args->import.strict,
                   "write nothing when any construct would be dropped");
  import->add_option("--roster", args->import.roster, "roster.csv to copy into the source")
      ->check(CLI::ExistingFile);
  import
      ->add_option("--exam-template", args->import.exam_template,
                   "exam.yaml giving what QTI has no place for (pass rules, competencies, ...)")
      ->check(CLI::ExistingFile);
  AddJsonFlag(*import, args->json);
  runner.RunOnCall(*import, [args] { return Import(*args); });

  auto* exp = qti->add_subcommand(
      "export", "write an authoring source as a QTI 3.0 package that `qti import` reads back");
  exp->add_option("source", args->source, "authoring source directory (as for pack build)")
      ->required();
  exp->add_option("--out", args->out, "PACKAGE.zip to create")->required();
  AddJsonFlag(*exp, args->json);
  runner.RunOnCall(*exp, [args] { return Export(*args); });
}

}  // namespace lontar::cli
