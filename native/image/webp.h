// WebP through libwebp.
#pragma once
#include <cstdint>
#include <vector>

#include "../convert/pixel_format.h"

namespace rfb {

struct WebpSettings {
  int quality = 0;        // lossy quality 0..100
  int method = 0;         // 0 (fastest) .. 6 (smallest)
  bool lossless = false;  // exact pixels; quality and method are then ignored
};

// `img` is packed RGBA, BGRA or RGB24; alpha is dropped. Appends a WebP file
// to `out`. Throws std::runtime_error when built without libwebp.
void encodeWebp(const HostImage& img, const WebpSettings& settings, std::vector<uint8_t>& out);

}  // namespace rfb
