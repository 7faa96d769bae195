// One libx264 encoder configured for live streaming (PROTOCOL.md §10.1, §11):
// constrained baseline, no B-frames, no frame latency, an IDR every `fps`
// frames with SPS/PPS in-band. Free of N-API so the benchmark can drive it
// from a plain C++ loop.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

extern "C" {
#include <x264.h>
}

#include "../common/live_count.h"
#include "../convert/pixel_format.h"

namespace rfb {

struct X264Settings {
  int width = 0;
  int height = 0;
  int fps = 30;
  int bitrate = 0;  // bits per second
  std::string preset = "ultrafast";
  int threads = 0;  // slice threads; 0 lets x264 choose
  // VUI colour description codes (H.264 Table E-3/E-4); 2 means unspecified.
  // The matrix is always 6 and the range limited: that is the conversion used.
  int colorPrimaries = 2;
  int colorTransfer = 2;
};

// The NAL units of one encoded picture, contiguous in x264's own buffer: valid
// only while the sink that receives it runs.
struct EncodedPicture {
  const uint8_t* data = nullptr;
  size_t size = 0;
  bool idr = false;
};
using PictureSink = std::function<void(const EncodedPicture&)>;

class X264Session {
 public:
  // Throws std::invalid_argument for settings x264 rejects. Opening the
  // encoder itself takes milliseconds, so it happens on the first encode,
  // which runs on a pool thread.
  explicit X264Session(const X264Settings& settings);
  ~X264Session();
  X264Session(const X264Session&) = delete;
  X264Session& operator=(const X264Session&) = delete;

  // Encodes one frame of the configured size in any host pixel format; packed
  // RGB is first converted to NV12 within this same job. `sink` receives the
  // picture unless x264 produced none. Calls are serialised (concurrent calls
  // wait; their order is the caller's business). Throws std::invalid_argument
  // for a frame of another size, and std::runtime_error when x264 fails.
  void encode(const HostImage& frame, bool forceIdr, const PictureSink& sink);

  const X264Settings& settings() const { return settings_; }

 private:
  void open();
  void setPlanes(const HostImage& frame);

  X264Settings settings_;
  std::string lastError_;
  x264_param_t params_;
  x264_t* encoder_ = nullptr;
  x264_picture_t picture_;
  std::vector<uint8_t> converted_;  // NV12 from packed RGB input
  int64_t pts_ = 0;
  std::mutex mutex_;
  LiveEncoderToken token_;
};

}  // namespace rfb
