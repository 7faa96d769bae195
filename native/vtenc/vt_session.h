// A VideoToolbox H.264 compression session driven synchronously from a pool
// thread: each encode() writes one frame into a pooled IOSurface-backed 420v
// pixel buffer, submits it, and returns the access units that are complete.
// VideoToolbox calls back on its own threads; those callbacks only fill a
// queue here and never touch JavaScript.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../convert/pixel_format.h"
#include "../h264/sps_vui.h"

namespace rfb {

struct VtConfig {
  int width = 0;
  int height = 0;
  int bitrate = 12'000'000;
  int fps = 30;
  int gop = 30;  // MaxKeyFrameInterval, in frames
  // 0: every encode() returns its own frame. k > 0: up to k frames stay in
  // flight, and each encode() returns those that completed.
  int pipelineDepth = 0;
  bool hasColour = false;
  h264::VuiColour colour{1, 13};
};

// One submitted frame's result, in submission order. A frame VideoToolbox
// dropped has empty `data` and no `error`.
struct VtUnit {
  int64_t seq = 0;
  std::vector<uint8_t> data;  // Annex B
  bool keyframe = false;
  std::string error;
};

struct VtStep {
  std::vector<VtUnit> units;
  double copyMs = 0;    // writing the frame into the pixel buffer
  double encodeMs = 0;  // submitting it and waiting for completed frames
};

// A VideoToolbox failure with its OSStatus.
struct VtError : std::runtime_error {
  VtError(const std::string& what, int32_t status)
      : std::runtime_error(what + " (OSStatus " + std::to_string(status) + ")"), status(status) {}
  int32_t status;
};

class VtSession {
 public:
  // Throws VtError when VideoToolbox refuses the configuration. The
  // destructor completes frames in flight and invalidates the session.
  explicit VtSession(const VtConfig& config);
  ~VtSession();
  VtSession(const VtSession&) = delete;
  VtSession& operator=(const VtSession&) = delete;

  // `frame` is a host image (NV12, I420 or packed RGB) of the configured size.
  VtStep encode(const HostImage& frame, bool forceKeyframe, int64_t seq);
  // Completes every frame still in flight.
  VtStep flush();

  // Opens a real session at a small size and encodes one frame: 0 when
  // VideoToolbox can encode H.264 in hardware, else the refusing OSStatus.
  static int32_t probe(std::string* message);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rfb
