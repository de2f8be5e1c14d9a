// PDFs as tests read and look at them: text through pdftotext, page 1 rendered with pdftoppm and
// compared with its golden (golden.hpp), the render and the PDF kept in
// <build>/test-artifacts/report/ for people to look at.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace lontar::testing {

// tests/report/golden: every report golden, whichever test binary draws the page.
std::filesystem::path ReportGoldenDir();

// pdftotext -layout's text with runs of spaces squeezed to one, so that table columns read as
// they print ("TWK 95 150").
std::string PdfText(const std::filesystem::path& pdf);

// Expects every string of `wanted` in `text`.
void ExpectContains(const std::string& text, const std::vector<std::string>& wanted);

// Renders page 1 of `pdf` at 70 dpi as <artifacts>/NAME.png and compares it with
// ReportGoldenDir()/NAME.png. `mask_footer` leaves the footer out of the comparison (the bundle
// id and receipt code differ from store to store when a page is drawn from real bundles).
::testing::AssertionResult MatchesPageGolden(const std::filesystem::path& pdf,
                                             const std::string& name, bool mask_footer);

}  // namespace lontar::testing
