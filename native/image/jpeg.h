// JPEG through libjpeg-turbo's TurboJPEG API.
#pragma once
#include <cstdint>
#include <vector>

#include "../convert/pixel_format.h"

namespace rfb {

struct JpegSettings {
  int quality = 0;        // 1..100
  int subsampling = 420;  // 420, 422 or 444
  bool fastDct = false;   // the integer "ifast" DCT instead of the accurate one
};

// One TurboJPEG compressor and its output buffer, both reused across frames.
// Not thread-safe: one compress() at a time.
class JpegCompressor {
 public:
  // Throws std::runtime_error when the addon was built without libjpeg-turbo.
  JpegCompressor();
  ~JpegCompressor();
  JpegCompressor(const JpegCompressor&) = delete;
  JpegCompressor& operator=(const JpegCompressor&) = delete;

  // `img` is packed RGBA, BGRA or RGB24; alpha is dropped. Appends a JFIF file to `out`.
  void compress(const HostImage& img, const JpegSettings& settings, std::vector<uint8_t>& out);

 private:
  // Without libjpeg-turbo the constructor throws and these stay unused.
  [[maybe_unused]] void* handle_ = nullptr;  // tjhandle
  [[maybe_unused]] unsigned char* buffer_ = nullptr;
  [[maybe_unused]] unsigned long capacity_ = 0;
};

}  // namespace rfb
