// PNG through libpng.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "../convert/pixel_format.h"

namespace rfb {

// The PNG row filters; Adaptive lets libpng try all five on every row.
enum class PngFilter { None, Sub, Up, Average, Paeth, Adaptive };

bool parsePngFilter(const std::string& name, PngFilter* out);

struct PngSettings {
  int compressionLevel = 0;  // zlib level 0..9
  PngFilter filter = PngFilter::None;
};

// `img` is packed RGBA, BGRA or RGB24. Appends an 8-bit RGB PNG (alpha
// dropped, like the other image modes: a stream is an opaque surface) to `out`.
// Throws std::runtime_error when the addon was built without libpng.
void encodePng(const HostImage& img, const PngSettings& settings, std::vector<uint8_t>& out);

}  // namespace rfb
