#include "core/pack/image_decode.hpp"

// libjpeg's header needs size_t and FILE declared before it.
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

#include "core/pack/byte_source.hpp"
#include "core/pack/image_scale.hpp"

namespace lontar::pack::detail {
namespace {

// Both libraries report a fatal error through a callback that must not return: it longjmps back
// to the function that called setjmp. So each decode keeps every C++ object in a job made before
// setjmp, and the function holding setjmp has no local with a destructor; nothing between
// setjmp and longjmp allocates through C++ (RowScaler::AddRow does not).

// ----- PNG

struct PngJob {
  BufferedReader* reader = nullptr;
  std::optional<Error> source_error;  // the source failed (not the image)
  int width = 0, height = 0;
  RowScaler* scaler = nullptr;  // null: checked only, rows not kept (CheckPng)
  Bytes row;                    // one decoded row, RGBA
  Bytes whole;                  // interlaced: every row, RGBA
  std::vector<png_bytep> rows;  // interlaced: into `whole`
  std::string error;            // set before a longjmp (reserved, so that setting it rarely
                                // allocates; libpng's messages are short)

  // The next `n` bytes into `out`: false when the file ends first or the source fails
  // (source_error). Returns before libpng's error callback jumps, so nothing here outlives it.
  bool Take(std::uint8_t* out, std::size_t n) {
    auto got = reader->Read(out, n);
    if (!got) {
      source_error = std::move(got).error();
      return false;
    }
    return *got == n;
  }
};

void PngRead(png_structp png, png_bytep out, png_size_t n) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  if (!job->Take(out, n)) png_error(png, "the file ends inside the image data");
}

void PngError(png_structp png, png_const_charp message) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  job->error.assign(message != nullptr ? message : "unknown");
  png_longjmp(png, 1);
}

void PngWarning(png_structp, png_const_charp) {}  // warnings describe, they do not refuse

// False with job.error set when libpng refused the image.
bool RunPng(PngJob& job, bool interlaced) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, PngError, PngWarning);
  if (png == nullptr) {
    job.error = "Out of memory";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    job.error = "Out of memory";
    return false;
  }
  if (setjmp(png_jmpbuf(png)) != 0) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &job, PngRead);
  png_set_benign_errors(png, 0);
  // Every ancillary chunk but tRNS skipped (image_decode.hpp).
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  png_set_user_limits(png, static_cast<png_uint_32>(job.width),
                      static_cast<png_uint_32>(job.height));
  png_set_chunk_malloc_max(png, 1u << 20);
  png_read_info(png, info);
  if (png_get_image_width(png, info) != static_cast<png_uint_32>(job.width) ||
      png_get_image_height(png, info) != static_cast<png_uint_32>(job.height)) {
    png_error(png, "its header changed between two reads");
  }
  const int colour = png_get_color_type(png, info);
  png_set_expand(png);  // palette to RGB, grey below 8 bits to 8, tRNS to alpha
  png_set_strip_16(png);
  if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_gray_to_rgb(png);
  }
  png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);  // where the image has none
  const int passes = interlaced ? png_set_interlace_handling(png) : 1;
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != static_cast<std::size_t>(job.width) * 4) {
    png_error(png, "rows are not RGBA after conversion");
  }
  if (job.scaler == nullptr) {
    // Checked only: every row of every pass decoded and converted as below, into one row (an
    // interlaced pass fills in the pixels it carries), then dropped.
    for (int pass = 0; pass < passes; ++pass) {
      for (int y = 0; y < job.height; ++y) png_read_row(png, job.row.data(), nullptr);
    }
  } else if (interlaced) {
    png_read_image(png, job.rows.data());
    for (int y = 0; y < job.height; ++y) job.scaler->AddRow(job.rows[static_cast<std::size_t>(y)]);
  } else {
    for (int y = 0; y < job.height; ++y) {
      png_read_row(png, job.row.data(), nullptr);
      job.scaler->AddRow(job.row.data());
    }
  }
  png_read_end(png, nullptr);  // to IEND: data past the last row is refused too
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

// ----- JPEG

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void JpegFail(j_common_ptr c) {
  auto* e = reinterpret_cast<JpegError*>(c->err);
  (*c->err->format_message)(c, e->message);
  std::longjmp(e->jump, 1);
}

// libjpeg goes on after a warning, filling what it could not decode with grey: for the warnings
// that mean lost data, stop instead.
void JpegMessage(j_common_ptr c, int level) {
  if (level >= 0) return;  // trace messages
  switch (c->err->msg_code) {
    case JWRN_JFIF_MAJOR:
    case JWRN_ADOBE_XFORM:
    case JWRN_BOGUS_ICC:
      return;  // they describe the image; its pixels are whole
    default:
      JpegFail(c);
  }
}

struct JpegJob {
  BufferedReader* reader = nullptr;
  std::optional<Error> source_error;  // the source failed (not the image)
  jpeg_source_mgr source{};
  int width = 0, height = 0;
  int denominator = 1;   // decoded at 1/denominator of its size (libjpeg's DCT scaling)
  int scaled_width = 0;  // and so this wide
  RowScaler* scaler = nullptr;
  Bytes row;  // one decoded row at the scaled width, 4 bytes a pixel
  JpegError error{};
  bool out_of_memory = false;
  jpeg_decompress_struct cinfo{};  // here, not in RunJpeg's frame: it outlives a longjmp
};

// Adobe's CMYK JPEGs store the inks inverted (what Photoshop writes, and what saw_Adobe_marker
// says); others plain.
void CmykToRgba(std::uint8_t* p, std::size_t pixels, bool inverted) {
  for (std::size_t i = 0; i < pixels; ++i, p += 4) {
    int c = p[0], m = p[1], y = p[2], k = p[3];
    if (!inverted) {
      c = 255 - c;
      m = 255 - m;
      y = 255 - y;
      k = 255 - k;
    }
    p[0] = static_cast<std::uint8_t>(c * k / 255);
    p[1] = static_cast<std::uint8_t>(m * k / 255);
    p[2] = static_cast<std::uint8_t>(y * k / 255);
    p[3] = 255;
  }
}

// libjpeg's input: the reader's buffer, a view at a time (the job is cinfo.client_data). At the
// file's end it is given an EOI marker and warned (JWRN_JPEG_EOF), which JpegMessage turns into
// a refusal, as with libjpeg's own memory source. A failing source jumps out like an error.
boolean JpegFill(j_decompress_ptr c) {
  auto* job = static_cast<JpegJob*>(c->client_data);
  static const JOCTET kEoi[2] = {0xff, JPEG_EOI};
  bool failed = false, end = false;
  {
    auto piece = job->reader->Next(16 << 10);
    if (!piece) {
      job->source_error = std::move(piece).error();
      failed = true;
    } else if (piece->empty()) {
      end = true;
    } else {
      job->source.next_input_byte = piece->data();
      job->source.bytes_in_buffer = piece->size();
    }
  }
  if (failed) {
    std::snprintf(job->error.message, sizeof job->error.message, "the source failed");
    std::longjmp(job->error.jump, 1);
  }
  if (end) {
    job->source.next_input_byte = kEoi;
    job->source.bytes_in_buffer = 2;
    WARNMS(c, JWRN_JPEG_EOF);
  }
  return TRUE;
}

void JpegSkip(j_decompress_ptr c, long n) {
  jpeg_source_mgr* src = c->src;
  while (n > static_cast<long>(src->bytes_in_buffer)) {
    n -= static_cast<long>(src->bytes_in_buffer);
    src->bytes_in_buffer = 0;
    JpegFill(c);
  }
  if (n > 0) {
    src->next_input_byte += n;
    src->bytes_in_buffer -= static_cast<std::size_t>(n);
  }
}

void JpegNothing(j_decompress_ptr) {}

bool RunJpeg(JpegJob& job) {
  jpeg_decompress_struct& cinfo = job.cinfo;
  cinfo.err = jpeg_std_error(&job.error.mgr);
  job.error.mgr.error_exit = JpegFail;
  job.error.mgr.emit_message = JpegMessage;
  if (setjmp(job.error.jump) != 0) {
    job.out_of_memory = job.error.mgr.msg_code == JERR_OUT_OF_MEMORY;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  // A progressive image's coefficients are held whole: InspectImage bounds them; this is the
  // backstop against a header that lies.
  cinfo.mem->max_memory_to_use = 256L << 20;
  cinfo.client_data = &job;
  job.source.init_source = JpegNothing;
  job.source.fill_input_buffer = JpegFill;
  job.source.skip_input_data = JpegSkip;
  job.source.resync_to_restart = jpeg_resync_to_restart;
  job.source.term_source = JpegNothing;
  job.source.bytes_in_buffer = 0;
  job.source.next_input_byte = nullptr;
  cinfo.src = &job.source;
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width != static_cast<JDIMENSION>(job.width) ||
      cinfo.image_height != static_cast<JDIMENSION>(job.height)) {
    std::snprintf(job.error.message, sizeof job.error.message,
                  "its frame header says %ux%u, the file's structure %dx%d", cinfo.image_width,
                  cinfo.image_height, job.width, job.height);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(job.denominator);
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_width != static_cast<JDIMENSION>(job.scaled_width) ||
      cinfo.output_components != 4) {
    std::snprintf(job.error.message, sizeof job.error.message,
                  "scaled to %ux%u with %d components, not as asked", cinfo.output_width,
                  cinfo.output_height, cinfo.output_components);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  JSAMPROW row = job.row.data();
  while (cinfo.output_scanline < cinfo.output_height) {
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) break;
    if (cmyk) CmykToRgba(row, cinfo.output_width, cinfo.saw_Adobe_marker != 0);
    job.scaler->AddRow(row);
  }
  jpeg_finish_decompress(&cinfo);  // to EOI
  jpeg_destroy_decompress(&cinfo);
  return true;
}

Error NoMemory(const ImageInfo& info) {
  return Error::Io("not enough memory to decode a " + std::to_string(info.width) + "x" +
                   std::to_string(info.height) + " image");
}

}  // namespace

Result<DecodedImage> DecodePng(ByteSource& source, const ImageInfo& info, int out_w, int out_h) {
  BufferedReader reader(source);
  PngJob job;
  job.reader = &reader;
  job.width = info.width;
  job.height = info.height;
  std::optional<RowScaler> scaler;
  try {
    job.error.reserve(256);
    scaler.emplace(info.width, info.height, out_w, out_h);
    if (info.whole) {
      job.whole.resize(static_cast<std::size_t>(info.width) * info.height * 4);
      job.rows.resize(static_cast<std::size_t>(info.height));
      for (int y = 0; y < info.height; ++y) {
        job.rows[static_cast<std::size_t>(y)] =
            &job.whole[static_cast<std::size_t>(y) * info.width * 4];
      }
    } else {
      job.row.resize(static_cast<std::size_t>(info.width) * 4);
    }
  } catch (const std::bad_alloc&) {
    return std::unexpected(NoMemory(info));
  }
  job.scaler = &*scaler;
  if (!RunPng(job, info.whole)) {
    if (job.source_error) return std::unexpected(std::move(*job.source_error));
    if (job.error == "Out of memory") return std::unexpected(NoMemory(info));
    return std::unexpected(Error::Malformed("does not decode: " + job.error));
  }
  if (!scaler->done()) return std::unexpected(Error::Malformed("does not decode: rows missing"));
  return DecodedImage{out_w, out_h, std::move(scaler->out())};
}

Status CheckPng(ByteSource& source, const ImageInfo& info) {
  BufferedReader reader(source);
  PngJob job;
  job.reader = &reader;
  job.width = info.width;
  job.height = info.height;
  try {
    job.error.reserve(256);
    job.row.resize(static_cast<std::size_t>(info.width) * 4);
  } catch (const std::bad_alloc&) {
    return std::unexpected(NoMemory(info));
  }
  if (!RunPng(job, info.whole)) {
    if (job.source_error) return std::unexpected(std::move(*job.source_error));
    if (job.error == "Out of memory") return std::unexpected(NoMemory(info));
    return std::unexpected(Error::Malformed("does not decode: " + job.error));
  }
  return Ok();
}

Result<DecodedImage> DecodeJpeg(ByteSource& source, const ImageInfo& info, int out_w, int out_h) {
  // The smallest of libjpeg's sizes (1/1, 1/2, 1/4, 1/8, each rounded up) still at least the
  // output's: the IDCT then makes fewer pixels and the box filter does the rest.
  int denominator = 1;
  for (int d : {8, 4, 2}) {
    if ((info.width + d - 1) / d >= out_w && (info.height + d - 1) / d >= out_h) {
      denominator = d;
      break;
    }
  }
  const int w = (info.width + denominator - 1) / denominator;
  const int h = (info.height + denominator - 1) / denominator;
  BufferedReader reader(source);
  JpegJob job;
  job.reader = &reader;
  job.width = info.width;
  job.height = info.height;
  job.denominator = denominator;
  std::optional<RowScaler> scaler;
  try {
    scaler.emplace(w, h, out_w, out_h);
    job.row.resize(static_cast<std::size_t>(w) * 4);
  } catch (const std::bad_alloc&) {
    return std::unexpected(NoMemory(info));
  }
  job.scaler = &*scaler;
  job.scaled_width = w;
  if (!RunJpeg(job)) {
    if (job.source_error) return std::unexpected(std::move(*job.source_error));
    if (job.out_of_memory) return std::unexpected(NoMemory(info));
    return std::unexpected(Error::Malformed(std::string("does not decode: ") + job.error.message));
  }
  if (!scaler->done()) return std::unexpected(Error::Malformed("does not decode: rows missing"));
  return DecodedImage{out_w, out_h, std::move(scaler->out())};
}

}  // namespace lontar::pack::detail
