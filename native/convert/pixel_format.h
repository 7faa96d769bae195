// Pixel formats shared by every native module. The names follow rfbcast's
// memory-order convention ("rgba" is R,G,B,A in memory), not libyuv's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace rfb {

enum class PixelFormat { RGBA, BGRA, RGB24, NV12, I420 };

bool parsePixelFormat(const std::string& name, PixelFormat* out);
const char* pixelFormatName(PixelFormat f);
bool isPackedRgb(PixelFormat f);
int bytesPerPixel(PixelFormat f);  // packed formats only

// A frame in host memory. `stride` is the byte pitch of the first plane; the
// chroma planes of I420 (stride / 2) and NV12 (stride) follow contiguously,
// exactly as the TypeScript frame constructors lay them out.
struct HostImage {
  const uint8_t* data = nullptr;
  size_t length = 0;
  PixelFormat format = PixelFormat::RGBA;
  int width = 0;
  int height = 0;
  int stride = 0;
};

// Bytes the layout above needs; 0 when the geometry is invalid.
size_t requiredBytes(PixelFormat f, int width, int height, int stride);

// Throws std::invalid_argument naming the problem when `img` cannot be read
// safely. The TypeScript layer validates first; this keeps native code from
// ever reading out of bounds if it is called directly.
void checkHostImage(const HostImage& img);

}  // namespace rfb
