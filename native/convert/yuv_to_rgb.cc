#include "yuv_to_rgb.h"

#include <stdexcept>

#ifdef RFB_HAVE_YUV
#include <libyuv.h>
#endif

namespace rfb {

Yuv420Source yuv420PlanesOf(const HostImage& img) {
  const uint8_t* chroma = img.data + static_cast<size_t>(img.stride) * img.height;
  if (img.format == PixelFormat::NV12) return {img.data, img.stride, chroma, img.stride, nullptr, 0, true};
  const int cs = img.stride / 2;
  return {img.data, img.stride, chroma, cs, chroma + static_cast<size_t>(cs) * (img.height / 2), cs, false};
}

void yuv420ToRgb(const Yuv420Source& s, int width, int height, PixelFormat dstFormat, uint8_t* dst, int dstStride) {
#ifdef RFB_HAVE_YUV
  // libyuv names byte orders by little-endian words: its "RAW" is R,G,B in
  // memory (our rgb24) and its "ABGR" is R,G,B,A in memory (our rgba).
  const bool rgba = dstFormat == PixelFormat::RGBA;
  int rc;
  if (s.interleaved) {
    rc = rgba ? libyuv::NV12ToABGR(s.y, s.yStride, s.u, s.uStride, dst, dstStride, width, height)
              : libyuv::NV12ToRAW(s.y, s.yStride, s.u, s.uStride, dst, dstStride, width, height);
  } else {
    rc = rgba ? libyuv::I420ToABGR(s.y, s.yStride, s.u, s.uStride, s.v, s.vStride, dst, dstStride, width, height)
              : libyuv::I420ToRAW(s.y, s.yStride, s.u, s.uStride, s.v, s.vStride, dst, dstStride, width, height);
  }
  if (rc != 0) throw std::runtime_error("libyuv conversion failed");
#else
  (void)s;
  (void)width;
  (void)height;
  (void)dstFormat;
  (void)dst;
  (void)dstStride;
  throw std::runtime_error("built without libyuv: install libyuv-dev and rebuild");
#endif
}

}  // namespace rfb
