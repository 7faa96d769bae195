// The native side of one image encoder: JPEG, PNG or WebP per call, from
// packed RGB directly or from YUV 4:2:0 converted to RGB in the same job.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "../common/live_count.h"
#include "../convert/pixel_format.h"
#include "jpeg.h"
#include "png.h"
#include "webp.h"

namespace rfb {

enum class ImageCodec { Jpeg, Png, Webp };

// Defaults live in the TypeScript layer (src/backends/image/settings.ts), which
// always passes every field of the codec it asks for.
struct ImageSettings {
  ImageCodec codec = ImageCodec::Jpeg;
  JpegSettings jpeg;
  PngSettings png;
  WebpSettings webp;
};

// Keeps what is worth reusing between frames: the TurboJPEG compressor (made
// on first JPEG use) and the RGB scratch buffer for YUV input. Thread-safe:
// concurrent encode() calls on one instance run one after the other.
class ImageEncoder {
 public:
  // Returns the complete image file.
  std::vector<uint8_t> encode(const HostImage& img, const ImageSettings& settings);

 private:
  HostImage toRgb24(const HostImage& yuv);

  std::mutex mutex_;
  LiveEncoderToken live_;
  std::unique_ptr<JpegCompressor> jpeg_;
  std::vector<uint8_t> rgb_;
};

}  // namespace rfb
