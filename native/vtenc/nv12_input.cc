#include "nv12_input.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "../convert/rgb_to_yuv.h"
#include "../convert/yuv_to_rgb.h"

namespace rfb {
namespace {

void copyPlane(const uint8_t* src, int srcStride, uint8_t* dst, int dstStride, int rowBytes, int rows) {
  for (int r = 0; r < rows; ++r) {
    std::memcpy(dst + static_cast<ptrdiff_t>(r) * dstStride, src + static_cast<ptrdiff_t>(r) * srcStride, rowBytes);
  }
}

void interleave(const Yuv420Source& s, const Nv12Target& d) {
  for (int r = 0; r < d.height / 2; ++r) {
    const uint8_t* u = s.u + static_cast<ptrdiff_t>(r) * s.uStride;
    const uint8_t* v = s.v + static_cast<ptrdiff_t>(r) * s.vStride;
    uint8_t* uv = d.uv + static_cast<ptrdiff_t>(r) * d.uvStride;
    for (int x = 0; x < d.width / 2; ++x) {
      uv[2 * x] = u[x];
      uv[2 * x + 1] = v[x];
    }
  }
}

}  // namespace

void writeNv12(const HostImage& src, const Nv12Target& dst) {
  if (src.width != dst.width || src.height != dst.height) {
    throw std::invalid_argument("frame is " + std::to_string(src.width) + "x" + std::to_string(src.height) +
                                ", the NV12 target " + std::to_string(dst.width) + "x" + std::to_string(dst.height));
  }
  if ((dst.width & 1) || (dst.height & 1) || dst.yStride < dst.width || dst.uvStride < dst.width) {
    throw std::invalid_argument("NV12 target needs an even size and strides of at least its width");
  }
  if (isPackedRgb(src.format)) {
    rgbToYuv420(src, {dst.y, dst.yStride, dst.uv, dst.uvStride, nullptr, 0, true});
    return;
  }
  const Yuv420Source s = yuv420PlanesOf(src);
  copyPlane(s.y, s.yStride, dst.y, dst.yStride, dst.width, dst.height);
  if (s.interleaved) {
    copyPlane(s.u, s.uStride, dst.uv, dst.uvStride, dst.width, dst.height / 2);
  } else {
    interleave(s, dst);
  }
}

}  // namespace rfb
