// The native side of one image encoder: JPEG, PNG or WebP per call, from
// packed RGB directly or from YUV 4:2:0 converted to RGB in the same job.
#pragma once
#include <array>
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

// One lane of an encoder: what is worth reusing between frames, the
// TurboJPEG compressor (made on first JPEG use) and the RGB scratch buffer for
// YUV input. Thread-safe: concurrent encode() calls on one lane run one after
// the other.
class ImageLane {
 public:
  // Returns the complete image file.
  std::vector<uint8_t> encode(const HostImage& img, const ImageSettings& settings);

 private:
  HostImage toRgb24(const HostImage& yuv);

  std::mutex mutex_;
  std::unique_ptr<JpegCompressor> jpeg_;
  std::vector<uint8_t> rgb_;
};

// Everything one JS ImageEncoder owns natively. Several lanes let the bands
// of one large JPEG be encoded at once on different pool threads; a lane's
// resources are only allocated when it is first used.
struct ImageEncoder {
  static constexpr int kLanes = 4;
  LiveEncoderToken live;
  std::array<ImageLane, kLanes> lanes;
};

}  // namespace rfb
