#include "convert.h"

#include <stdexcept>
#include <string>

#include "rgb_to_yuv.h"
#include "yuv_to_rgb.h"

namespace rfb {

void convertImage(const HostImage& src, PixelFormat dstFormat, uint8_t* dst, size_t dstLength, int rowStart,
                  int rowCount) {
  const bool toYuv = isPackedRgb(src.format) && !isPackedRgb(dstFormat);
  const bool toRgb = !isPackedRgb(src.format) && (dstFormat == PixelFormat::RGB24 || dstFormat == PixelFormat::RGBA);
  if (!toYuv && !toRgb) {
    throw std::invalid_argument(std::string("unsupported conversion ") + pixelFormatName(src.format) + " -> " +
                                pixelFormatName(dstFormat));
  }
  const int w = src.width, h = src.height;
  if ((w & 1) || (h & 1)) {
    throw std::invalid_argument("4:2:0 conversion needs even width and height, got " + std::to_string(w) + "x" +
                                std::to_string(h));
  }
  if (rowCount == 0) rowCount = h - rowStart;
  if (rowStart < 0 || rowCount <= 0 || (rowStart & 1) || (rowCount & 1) || rowStart + rowCount > h) {
    throw std::invalid_argument("invalid row band " + std::to_string(rowStart) + "+" + std::to_string(rowCount) +
                                " for height " + std::to_string(h));
  }
  const int dstStride = w * bytesPerPixel(dstFormat);
  const size_t need = requiredBytes(dstFormat, w, h, dstStride);
  if (dstLength < need) {
    throw std::invalid_argument("destination too short: need " + std::to_string(need) + " bytes, have " +
                                std::to_string(dstLength));
  }
  const size_t r0 = static_cast<size_t>(rowStart), c0 = r0 / 2;
  if (toRgb) {
    Yuv420Source s = yuv420PlanesOf(src);
    s.y += r0 * s.yStride;
    s.u += c0 * s.uStride;
    if (s.v) s.v += c0 * s.vStride;
    yuv420ToRgb(s, w, rowCount, dstFormat, dst + r0 * dstStride, dstStride);
    return;
  }
  HostImage rows = src;
  rows.data = src.data + r0 * src.stride;
  rows.height = rowCount;
  uint8_t* chroma = dst + static_cast<size_t>(w) * h;
  const int cs = w / 2;
  const Yuv420Planes planes =
      dstFormat == PixelFormat::NV12
          ? Yuv420Planes{dst + r0 * w, w, chroma + c0 * w, w, nullptr, 0, true}
          : Yuv420Planes{dst + r0 * w, w, chroma + c0 * cs, cs, chroma + static_cast<size_t>(cs) * (h / 2) + c0 * cs,
                         cs, false};
  rgbToYuv420(rows, planes);
}

}  // namespace rfb
