#include "core/report/report_pdf.hpp"

#include <utility>

namespace lontar::report {

DocumentSetup ReportSetup(std::string title, Language language) {
  DocumentSetup setup;
  setup.title = std::move(title);
  setup.page_label = LabelsFor(language).page;
  return setup;
}

Status WriteReportPdf(const std::filesystem::path& path, Fonts& fonts, Language language,
                      std::string title, const std::function<void(Document&)>& draw) {
  LONTAR_ASSIGN_OR_RETURN(Document doc,
                          Document::Create(path, fonts, ReportSetup(std::move(title), language)));
  draw(doc);
  return doc.Finish();
}

}  // namespace lontar::report
