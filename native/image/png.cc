#include "png.h"

#include <csetjmp>
#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#ifdef RFB_HAVE_PNG
#include <png.h>
#endif

namespace rfb {

bool parsePngFilter(const std::string& name, PngFilter* out) {
  static const std::pair<const char*, PngFilter> kNames[] = {
      {"none", PngFilter::None},       {"sub", PngFilter::Sub},     {"up", PngFilter::Up},
      {"average", PngFilter::Average}, {"paeth", PngFilter::Paeth}, {"adaptive", PngFilter::Adaptive},
  };
  for (const auto& [n, filter] : kNames) {
    if (name == n) {
      *out = filter;
      return true;
    }
  }
  return false;
}

#ifdef RFB_HAVE_PNG

namespace {

int filterMask(PngFilter f) {
  switch (f) {
    case PngFilter::None: return PNG_FILTER_NONE;
    case PngFilter::Sub: return PNG_FILTER_SUB;
    case PngFilter::Up: return PNG_FILTER_UP;
    case PngFilter::Average: return PNG_FILTER_AVG;
    case PngFilter::Paeth: return PNG_FILTER_PAETH;
    case PngFilter::Adaptive: return PNG_ALL_FILTERS;
  }
  return PNG_FILTER_NONE;
}

// libpng reports errors by longjmp; the message goes to the buffer given as
// the error pointer instead of stderr.
constexpr size_t kMessageSize = 256;

void onError(png_structp png, png_const_charp message) {
  std::snprintf(static_cast<char*>(png_get_error_ptr(png)), kMessageSize, "%s", message);
  png_longjmp(png, 1);
}

void onWarning(png_structp, png_const_charp) {}

void appendBytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  bool grown = true;
  try {
    out->insert(out->end(), data, data + length);
  } catch (const std::bad_alloc&) {
    grown = false;
  }
  // Outside the catch block: a longjmp must not leave an active handler behind.
  if (!grown) png_error(png, "out of memory");
}

// Holds nothing with a destructor: a longjmp out of libpng lands in this frame.
bool writeRows(png_structp png, png_infop info, const HostImage& img, const PngSettings& s) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, img.width, img.height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, s.compressionLevel);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, filterMask(s.filter));
  // Larger zlib output chunks mean fewer IDAT chunks and write callbacks.
  png_set_compression_buffer_size(png, 1 << 16);
  png_write_info(png, info);
  // Transforms applied while libpng copies each row into its own buffer, so
  // BGRA and the alpha byte cost no extra pass.
  if (img.format == PixelFormat::BGRA) png_set_bgr(png);
  if (img.format != PixelFormat::RGB24) png_set_filler(png, 0, PNG_FILLER_AFTER);
  for (int y = 0; y < img.height; ++y) png_write_row(png, img.data + static_cast<size_t>(y) * img.stride);
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

void encodePng(const HostImage& img, const PngSettings& s, std::vector<uint8_t>& out) {
  if (!isPackedRgb(img.format)) {
    throw std::invalid_argument(std::string("PNG input must be packed RGB, got ") + pixelFormatName(img.format));
  }
  char message[kMessageSize] = "unknown libpng error";
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, onError, onWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    throw std::bad_alloc();
  }
  png_set_write_fn(png, &out, appendBytes, nullptr);
  const bool written = writeRows(png, info, img, s);
  png_destroy_write_struct(&png, &info);
  if (!written) throw std::runtime_error(std::string("PNG encode failed: ") + message);
}

#else

void encodePng(const HostImage&, const PngSettings&, std::vector<uint8_t>&) {
  throw std::runtime_error("built without libpng: install libpng-dev and rebuild");
}

#endif

}  // namespace rfb
