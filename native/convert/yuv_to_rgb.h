// YUV 4:2:0 -> packed RGB through libyuv (BT.601 limited range, its default).
#pragma once
#include <cstdint>

#include "pixel_format.h"

namespace rfb {

struct Yuv420Source {
  const uint8_t* y;
  int yStride;
  const uint8_t* u;  // NV12: the interleaved Cb,Cr plane
  int uStride;
  const uint8_t* v;  // NV12: unused
  int vStride;
  bool interleaved;
};

// The planes of a host NV12 or I420 image laid out as pixel_format.h describes.
Yuv420Source yuv420PlanesOf(const HostImage& img);

// `dstFormat` is RGB24 or RGBA. Throws std::runtime_error when the addon was
// built without libyuv.
void yuv420ToRgb(const Yuv420Source& src, int width, int height, PixelFormat dstFormat, uint8_t* dst,
                 int dstStride);

}  // namespace rfb
