// A report's PDF in one of the report languages: the document's setup (its title, the language's
// page label) and, for a report that is one drawing, the whole file.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "core/report/document.hpp"
#include "core/report/labels.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

// The setup of a report in `language`: `title` (PDF metadata) and the language's page label.
DocumentSetup ReportSetup(std::string title, Language language);

// Writes `path` (Document::Create's and Finish's errors): a document set up by ReportSetup and
// drawn by `draw`.
[[nodiscard]] Status WriteReportPdf(const std::filesystem::path& path, Fonts& fonts,
                                    Language language, std::string title,
                                    const std::function<void(Document&)>& draw);

}  // namespace lontar::report
