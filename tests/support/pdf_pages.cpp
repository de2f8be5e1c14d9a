#include "tests/support/pdf_pages.hpp"

#include <fstream>

#include "tests/support/golden.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {
namespace {

std::filesystem::path Artifacts() {
  return std::filesystem::path(LONTAR_BIN_DIR) / "../test-artifacts/report";
}

}  // namespace

std::filesystem::path ReportGoldenDir() {
  return std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/report/golden";
}

std::string PdfText(const std::filesystem::path& pdf) {
  const auto r = RunProgram("/usr/bin/pdftotext", {"-layout", pdf.string(), "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string out;
  for (char c : r.out) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

void ExpectContains(const std::string& text, const std::vector<std::string>& wanted) {
  for (const std::string& w : wanted) {
    EXPECT_NE(text.find(w), std::string::npos) << "\"" << w << "\" not in:\n" << text;
  }
}

::testing::AssertionResult MatchesPageGolden(const std::filesystem::path& pdf,
                                             const std::string& name, bool mask_footer) {
  std::filesystem::create_directories(Artifacts());
  const auto stem = Artifacts() / name;
  std::filesystem::copy_file(pdf, Artifacts() / (name + ".pdf"),
                             std::filesystem::copy_options::overwrite_existing);
  const auto r = RunProgram("/usr/bin/pdftoppm", {"-r", "70", "-png", "-singlefile", "-f", "1",
                                                  "-l", "1", pdf.string(), stem.string()});
  if (r.exit_code != 0) return ::testing::AssertionFailure() << "pdftoppm: " << r.err;
  std::filesystem::path regions = stem;
  regions += ".regions.json";
  std::filesystem::remove(regions);
  if (mask_footer) {
    // The footer below the bottom margin: y from 800 pt to the page's end, x across the
    // content width (51 to 470 pt), in pixels at 70 dpi.
    const double px = 70.0 / 72.0;
    std::ofstream(regions) << "{\"volatile\": {\"footer\": [" << 51 * px << ", " << 800 * px << ", "
                           << 470 * px << ", " << 835 * px << "]}}";
  }
  std::filesystem::path png = stem;
  png += ".png";
  return MatchesGolden(png, ReportGoldenDir());
}

}  // namespace lontar::testing
