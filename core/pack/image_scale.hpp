// Scaling an image down while it is decoded, one row at a time, so that a decode holds one input
// row and the scaled output, never the whole image at its own size (core/pack/image_decode.cpp).
//
// A box filter: output pixel (x, y) is the rounded mean of the input pixels in
//   columns [x * in_w / out_w, (x + 1) * in_w / out_w)  and rows [y * in_h / out_h, ...)
// (integer division), so every input pixel counts in exactly one output pixel, and an output the
// size of the input is the input. It only shrinks: out_w <= in_w and out_h <= in_h.
#pragma once

#include <cstdint>
#include <vector>

#include "core/util/bytes.hpp"

namespace lontar::pack {

class RowScaler {
 public:
  // Requires 1 <= out_w <= in_w and 1 <= out_h <= in_h. Allocates the output (out_w * out_h * 4
  // bytes) and one output row of sums; throws std::bad_alloc when they cannot be had.
  RowScaler(int in_w, int in_h, int out_w, int out_h);

  // The next input row, top to bottom: in_w RGBA pixels. Rows past in_h are ignored. Allocates
  // nothing (safe to call between setjmp and longjmp).
  void AddRow(const std::uint8_t* rgba);

  // True once all in_h rows were added.
  bool done() const { return next_in_ == in_h_; }
  int out_width() const { return out_w_; }
  int out_height() const { return out_h_; }
  // The scaled image, RGBA rows top to bottom; whole once done().
  Bytes& out() { return out_; }

 private:
  int in_h_, out_w_, out_h_;         // the input's width is col_start_'s last value
  int next_in_ = 0;                  // the input row AddRow takes next
  int out_row_ = 0;                  // the output row it adds to
  int rows_in_ = 0;                  // input rows added to sums_ so far
  std::vector<int> col_start_;       // out_w + 1 input column boundaries
  std::vector<std::uint64_t> sums_;  // out_w * 4 (a box of 16 megapixels overflows 32 bits)
  Bytes out_;
};

// The largest size that fits in fit_w x fit_h (either 0: no bound on that side) keeping the
// proportions, never larger than w x h and at least 1 x 1. Pure.
void FitInside(int w, int h, int fit_w, int fit_h, int& out_w, int& out_h);

}  // namespace lontar::pack
