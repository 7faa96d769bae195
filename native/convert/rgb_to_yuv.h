// RGB -> YUV 4:2:0, BT.601 limited range, chroma taken from the top-left pixel
// of each 2x2 block (PROTOCOL.md §13.2). libyuv averages each 2x2 block for
// chroma, which the protocol forbids, so this conversion is our own.
#pragma once
#include <cstdint>

#include "pixel_format.h"

namespace rfb {

struct Yuv420Planes {
  uint8_t* y;
  int yStride;
  uint8_t* u;  // NV12: the interleaved Cb,Cr plane
  int uStride;
  uint8_t* v;  // NV12: unused
  int vStride;
  bool interleaved;  // true for NV12
};

// `src` must be a packed RGB format with even width and height (checked by callers).
void rgbToYuv420(const HostImage& src, const Yuv420Planes& dst);

}  // namespace rfb
