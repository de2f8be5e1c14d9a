#include "core/pack/image_scale.hpp"

#include <algorithm>

namespace lontar::pack {
namespace {

// Start of box `i` of `n` boxes over `size` pixels.
int Boundary(int i, int size, int n) {
  return static_cast<int>(static_cast<std::int64_t>(i) * size / n);
}

}  // namespace

RowScaler::RowScaler(int in_w, int in_h, int out_w, int out_h)
    : in_h_(in_h), out_w_(out_w), out_h_(out_h) {
  col_start_.resize(static_cast<std::size_t>(out_w) + 1);
  for (int x = 0; x <= out_w; ++x)
    col_start_[static_cast<std::size_t>(x)] = Boundary(x, in_w, out_w);
  sums_.assign(static_cast<std::size_t>(out_w) * 4, 0);
  out_.resize(static_cast<std::size_t>(out_w) * out_h * 4);
}

void RowScaler::AddRow(const std::uint8_t* rgba) {
  if (next_in_ >= in_h_) return;
  ++next_in_;
  for (int x = 0; x < out_w_; ++x) {
    std::uint64_t* s = &sums_[static_cast<std::size_t>(x) * 4];
    const std::uint8_t* p = rgba + static_cast<std::size_t>(col_start_[x]) * 4;
    const std::uint8_t* end = rgba + static_cast<std::size_t>(col_start_[x + 1]) * 4;
    for (; p < end; p += 4) {
      s[0] += p[0];
      s[1] += p[1];
      s[2] += p[2];
      s[3] += p[3];
    }
  }
  ++rows_in_;
  // The output row is whole when the next input row starts the next box (or there is none).
  if (next_in_ < Boundary(out_row_ + 1, in_h_, out_h_)) return;
  std::uint8_t* row = &out_[static_cast<std::size_t>(out_row_) * out_w_ * 4];
  for (int x = 0; x < out_w_; ++x) {
    const std::uint64_t n = static_cast<std::uint64_t>(col_start_[x + 1] - col_start_[x]) *
                            static_cast<std::uint64_t>(rows_in_);
    for (int c = 0; c < 4; ++c) {
      std::uint64_t& s = sums_[static_cast<std::size_t>(x) * 4 + c];
      row[x * 4 + c] = static_cast<std::uint8_t>((s + n / 2) / n);
      s = 0;
    }
  }
  rows_in_ = 0;
  ++out_row_;
}

void FitInside(int w, int h, int fit_w, int fit_h, int& out_w, int& out_h) {
  double scale = 1.0;
  if (fit_w > 0 && w > fit_w) scale = std::min(scale, static_cast<double>(fit_w) / w);
  if (fit_h > 0 && h > fit_h) scale = std::min(scale, static_cast<double>(fit_h) / h);
  out_w = w;
  out_h = h;
  if (scale < 1.0) {
    out_w = std::clamp(static_cast<int>(w * scale), 1, w);
    out_h = std::clamp(static_cast<int>(h * scale), 1, h);
  }
}

}  // namespace lontar::pack
