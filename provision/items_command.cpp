// `lontar items import-csv`: items in from a spreadsheet (core/interop/items_csv.hpp does the
// work; this file reads the options and prints the report).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/interop/items_csv.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

struct ItemsArgs {
  std::filesystem::path csv, out;
  interop::CsvImportOptions options;
  bool json = false;
};

Status ImportCsv(const ItemsArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(interop::CsvImportReport r,
                          interop::ImportItemsCsv(a.csv, a.out, a.options));
  if (a.json) {
    nlohmann::ordered_json j;
    j["out"] = a.out.string();
    j["items"] = r.items;
    j["sections"] = r.sections;
    j["media"] = r.media;
    j["notes"] = r.notes;
    std::cout << j.dump(2) << "\n";
    return Ok();
  }
  for (const std::string& n : r.notes) std::cerr << "note: " << n << "\n";
  std::cout << "imported " << r.items << " item(s) in " << r.sections << " section(s) and "
            << r.media << " image(s) into " << a.out.string() << "\n";
  if (a.options.roster.empty()) {
    std::cout << "add roster.csv (docs/authoring.md) before `lontar pack build`\n";
  }
  return Ok();
}

}  // namespace

void RegisterItemsCommands(CLI::App& app, Runner& runner) {
  auto args = std::make_shared<ItemsArgs>();
  auto* items = AddCommandGroup(app, "items", "items in from spreadsheets (docs/import.md)");
  auto* csv = items->add_subcommand(
      "import-csv", "turn a spreadsheet of items (assets/templates/items.csv) into a source");
  csv->add_option("file", args->csv, "FILE.csv, one row per item")
      ->required()
      ->check(CLI::ExistingFile);
  csv->add_option("--out", args->out, "authoring source directory to create")->required();
  csv->add_option("--exam-template", args->options.exam_template,
                  "exam.yaml giving the exam's metadata, sections' titles, competencies, ...")
      ->check(CLI::ExistingFile);
  csv->add_option("--roster", args->options.roster, "roster.csv to copy into the source")
      ->check(CLI::ExistingFile);
  AddJsonFlag(*csv, args->json);
  runner.RunOnCall(*csv, [args] { return ImportCsv(*args); });
}

}  // namespace lontar::cli
