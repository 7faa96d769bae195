// One entry point for every colour conversion rfbcast performs on the CPU.
#pragma once
#include <cstdint>

#include "pixel_format.h"

namespace rfb {

// Converts `src` into `dst`, a tightly packed buffer in `dstFormat` of the same
// size (planar formats: Y plane then chroma, as in pixel_format.h).
// Supported: rgba/bgra/rgb24 -> i420/nv12, and nv12/i420 -> rgb24/rgba.
// Throws std::invalid_argument for other pairs or a short destination.
//
// Only rows [rowStart, rowStart + rowCount) are converted (both even), so one
// large frame can be split into bands that run on several pool threads; a
// rowCount of 0 means "to the last row".
void convertImage(const HostImage& src, PixelFormat dstFormat, uint8_t* dst, size_t dstLength, int rowStart = 0,
                  int rowCount = 0);

}  // namespace rfb
