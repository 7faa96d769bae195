// Counts native encoders that are alive (constructed and not yet closed), so
// tests can prove that sessions never leak an encoder.
#pragma once
#include <atomic>

namespace rfb {

std::atomic<int>& liveEncoderCount();

// Hold one of these for as long as a native encoder owns resources.
class LiveEncoderToken {
 public:
  LiveEncoderToken() { ++liveEncoderCount(); }
  ~LiveEncoderToken() { release(); }
  LiveEncoderToken(const LiveEncoderToken&) = delete;
  LiveEncoderToken& operator=(const LiveEncoderToken&) = delete;
  void release() {
    if (held_) {
      held_ = false;
      --liveEncoderCount();
    }
  }

 private:
  bool held_ = true;
};

}  // namespace rfb
