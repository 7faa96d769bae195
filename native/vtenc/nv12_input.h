// Fills the two planes of an NV12 picture (a CVPixelBuffer on macOS, whose
// rows are padded) from any host frame rfbcast takes. Plain C++ so it is
// built and tested on every OS.
#pragma once
#include <cstdint>

#include "../convert/pixel_format.h"

namespace rfb {

struct Nv12Target {
  uint8_t* y;
  int yStride;
  uint8_t* uv;
  int uvStride;
  int width;
  int height;
};

// NV12 is copied row by row, I420 interleaved, packed RGB converted with
// rgbToYuv420 (BT.601 limited, PROTOCOL.md §13.2). Throws
// std::invalid_argument when the sizes differ or the target is too narrow.
void writeNv12(const HostImage& src, const Nv12Target& dst);

}  // namespace rfb
