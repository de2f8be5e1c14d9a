// ninebox.pdf: the nine-box map drawn for the talent committee, in Indonesian. Page 1 states
// the inputs (exam, potential source, cut-offs, counts) and draws the 3x3 grid: potential
// rendah / menengah / tinggi from left to right, performance di atas / sesuai / di bawah
// ekspektasi from top to bottom, each cell with its box number, name, count and as many names
// as fit. Then one table per box (9 down to 1), then the candidates without a performance rating
// and those without a potential value.
#pragma once

#include <filesystem>

#include "core/report/document.hpp"
#include "core/report/ninebox.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

// Draws `map` to `path` through core/report/document.hpp (written beside it and renamed into
// place by Document::Finish, so a reader never sees half a PDF). Fails naming the file when it
// cannot be written. Touches disk.
[[nodiscard]] Status WriteNineBoxPdf(const NineBoxMap& map, const std::filesystem::path& path,
                                     Fonts& fonts);

}  // namespace lontar::report
