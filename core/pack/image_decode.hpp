// The pixel decoders behind core/pack/image_check.hpp (internal to core/pack): libpng for PNG,
// libjpeg-turbo for JPEG, both read row by row into a RowScaler (image_scale.hpp), their input
// read from a ByteSource a buffer at a time, so that a decode holds a row or two, the buffer and
// the scaled output, never the file nor the whole image at its own size. The exceptions are the
// images those libraries can only decode whole, an interlaced PNG (its seven passes fill every row
// again) and a progressive JPEG (its scans refine coefficients of the whole image); InspectImage
// bounds their size (ImageLimits::max_whole_pixels).
//
// Strict, since a decode that passed at `pack build` must mean the whole image shows on a
// terminal: libpng's "benign" errors (image data short or too long) and libjpeg's corrupt-data
// warnings (premature end, bad Huffman code, a marker inside the data) refuse the image; what
// only describes the image (an unknown JFIF revision, an odd ICC profile) does not. PNG's
// ancillary chunks are skipped (tRNS, transparency, excepted): nothing here uses colour profiles
// or gamma, and their own errors must not refuse an image whose pixels are whole.
#pragma once

#include "core/pack/image_check.hpp"

namespace lontar::pack::detail {

// `info` is InspectImage's verdict on `source`, read here from where it stands (its first byte);
// the result is out_w x out_h (at most the image's size). kMalformed "does not decode: <the
// library's reason>"; kIo "not enough memory ..."; the source's own error as it is. Reads what
// the source reads.
[[nodiscard]] Result<DecodedImage> DecodePng(ByteSource& source, const ImageInfo& info, int out_w,
                                             int out_h);
// DecodePng for its verdict only (CheckImage): the same libpng set-up, every row of every pass
// decoded and converted to RGBA as DecodePng does, but one row at a time and not scaled or kept,
// so neither the scaler's work nor (interlaced) a whole image's memory. Same errors. Reads what
// the source reads.
[[nodiscard]] Status CheckPng(ByteSource& source, const ImageInfo& info);
[[nodiscard]] Result<DecodedImage> DecodeJpeg(ByteSource& source, const ImageInfo& info, int out_w,
                                              int out_h);

}  // namespace lontar::pack::detail
