#include "pixel_format.h"

#include <stdexcept>

namespace rfb {

bool parsePixelFormat(const std::string& name, PixelFormat* out) {
  if (name == "rgba") *out = PixelFormat::RGBA;
  else if (name == "bgra") *out = PixelFormat::BGRA;
  else if (name == "rgb24") *out = PixelFormat::RGB24;
  else if (name == "nv12") *out = PixelFormat::NV12;
  else if (name == "i420") *out = PixelFormat::I420;
  else return false;
  return true;
}

const char* pixelFormatName(PixelFormat f) {
  switch (f) {
    case PixelFormat::RGBA: return "rgba";
    case PixelFormat::BGRA: return "bgra";
    case PixelFormat::RGB24: return "rgb24";
    case PixelFormat::NV12: return "nv12";
    case PixelFormat::I420: return "i420";
  }
  return "?";
}

bool isPackedRgb(PixelFormat f) {
  return f == PixelFormat::RGBA || f == PixelFormat::BGRA || f == PixelFormat::RGB24;
}

int bytesPerPixel(PixelFormat f) {
  return f == PixelFormat::RGB24 ? 3 : isPackedRgb(f) ? 4 : 1;
}

size_t requiredBytes(PixelFormat f, int width, int height, int stride) {
  if (width <= 0 || height <= 0 || stride < width * bytesPerPixel(f)) return 0;
  const size_t s = static_cast<size_t>(stride), h = static_cast<size_t>(height);
  if (isPackedRgb(f)) return s * (h - 1) + static_cast<size_t>(width) * bytesPerPixel(f);
  if ((width & 1) || (height & 1) || (stride & 1)) return 0;
  // Y plane plus chroma: I420 has two planes of (stride/2) x (h/2), NV12 one of stride x (h/2).
  return s * h + s * (h / 2);
}

void checkHostImage(const HostImage& img) {
  const size_t need = requiredBytes(img.format, img.width, img.height, img.stride);
  if (need == 0) {
    throw std::invalid_argument(std::string("invalid geometry for ") + pixelFormatName(img.format) + " " +
                                std::to_string(img.width) + "x" + std::to_string(img.height) + " stride " +
                                std::to_string(img.stride));
  }
  if (img.length < need) {
    throw std::invalid_argument(std::string("buffer too short for ") + pixelFormatName(img.format) + " " +
                                std::to_string(img.width) + "x" + std::to_string(img.height) + ": need " +
                                std::to_string(need) + " bytes, have " + std::to_string(img.length));
  }
}

}  // namespace rfb
