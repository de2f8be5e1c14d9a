#include "tests/support/enrolled_dir.hpp"

#include "core/terminal/enrollment.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

void WriteEnrolledDir(const std::filesystem::path& dir,
                      const std::vector<terminal::Terminal>& terminals) {
  std::filesystem::create_directories(dir);
  for (const auto& t : terminals) {
    WriteText(dir / (t.id() + ".enroll"), terminal::WriteEnrollment(t, 0));
  }
}

}  // namespace lontar::testing
