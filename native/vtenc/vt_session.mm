#include "vt_session.h"

#import <CoreMedia/CoreMedia.h>
#import <CoreVideo/CoreVideo.h>
#import <Foundation/Foundation.h>
#import <VideoToolbox/VideoToolbox.h>

#include <chrono>
#include <deque>
#include <mutex>

#include "../h264/avcc.h"
#include "nv12_input.h"

namespace rfb {
namespace {

constexpr int kNalSps = 7;

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The source-frame refcon carries the frame's seq and whether its keyframe was
// forced, packed into the pointer-sized value itself: nothing to allocate, so
// nothing leaks if VideoToolbox never calls back for a frame.
void* packTag(int64_t seq, bool forced) {
  return reinterpret_cast<void*>((static_cast<uintptr_t>(seq) << 1) | (forced ? 1 : 0));
}
int64_t tagSeq(void* tag) { return static_cast<int64_t>(reinterpret_cast<uintptr_t>(tag) >> 1); }
bool tagForced(void* tag) { return (reinterpret_cast<uintptr_t>(tag) & 1) != 0; }

NSString* key(CFStringRef k) { return (__bridge NSString*)k; }

}  // namespace

struct VtSession::Impl {
  VtConfig config;
  VTCompressionSessionRef session = nullptr;
  int64_t frameIndex = 0;

  struct Submitted {
    int64_t seq;
    int64_t index;
  };
  std::deque<Submitted> inFlight;  // pool thread only

  std::mutex mutex;  // guards what the VideoToolbox callback touches below
  std::deque<VtUnit> arrived;
  CMFormatDescriptionRef lastFormat = nullptr;
  std::vector<std::vector<uint8_t>> parameterSets;  // SPS (patched) then PPS of lastFormat
  int nalLengthSize = 4;

  ~Impl() { invalidate(); }

  void invalidate() {
    if (session) {
      VTCompressionSessionCompleteFrames(session, kCMTimeInvalid);
      VTCompressionSessionInvalidate(session);
      CFRelease(session);
      session = nullptr;
    }
    if (lastFormat) {
      CFRelease(lastFormat);
      lastFormat = nullptr;
    }
  }

  static void onOutput(void* self, void* tag, OSStatus status, VTEncodeInfoFlags flags, CMSampleBufferRef sample) {
    static_cast<Impl*>(self)->collect(tag, status, flags, sample);
  }

  // Runs on a VideoToolbox thread.
  void collect(void* tag, OSStatus status, VTEncodeInfoFlags flags, CMSampleBufferRef sample) {
    VtUnit unit;
    unit.seq = tagSeq(tag);
    std::lock_guard<std::mutex> lock(mutex);
    if (status != noErr) {
      unit.error = "VideoToolbox failed to encode the frame (OSStatus " + std::to_string(status) + ")";
    } else if (sample && !(flags & kVTEncodeInfo_FrameDropped)) {
      try {
        rewrite(sample, tagForced(tag), &unit);
      } catch (const std::exception& e) {
        unit.error = e.what();
      }
    }
    arrived.push_back(std::move(unit));
  }

  void rewrite(CMSampleBufferRef sample, bool forced, VtUnit* unit) {
    refreshParameterSets(CMSampleBufferGetFormatDescription(sample));
    CMBlockBufferRef block = CMSampleBufferGetDataBuffer(sample);
    const size_t length = CMBlockBufferGetDataLength(block);
    std::vector<uint8_t> avcc(length);
    const OSStatus st = CMBlockBufferCopyDataBytes(block, 0, length, avcc.data());
    if (st != kCMBlockBufferNoErr) throw VtError("cannot read the encoded sample", st);
    h264::AnnexBUnit au = h264::avccToAnnexB(avcc.data(), length, nalLengthSize, parameterSets, forced);
    unit->data = std::move(au.bytes);
    unit->keyframe = au.keyframe;
  }

  // The SPS and PPS live in the format description, which changes rarely:
  // patch the SPS (PROTOCOL.md §11.1, §13.3) once per description.
  void refreshParameterSets(CMFormatDescriptionRef format) {
    if (!format) throw std::runtime_error("encoded sample has no format description");
    if (lastFormat && CFEqual(lastFormat, format)) return;
    size_t count = 0;
    int headerLength = 0;
    OSStatus st = CMVideoFormatDescriptionGetH264ParameterSetAtIndex(format, 0, nullptr, nullptr, &count, &headerLength);
    if (st != noErr) throw VtError("cannot read the H.264 parameter sets", st);
    std::vector<std::vector<uint8_t>> sets;
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* data = nullptr;
      size_t size = 0;
      st = CMVideoFormatDescriptionGetH264ParameterSetAtIndex(format, i, &data, &size, nullptr, nullptr);
      if (st != noErr || size == 0) throw VtError("cannot read H.264 parameter set " + std::to_string(i), st);
      if ((data[0] & 0x1f) == kNalSps) {
        sets.push_back(h264::patchSps(data, size, config.hasColour ? &config.colour : nullptr));
      } else {
        sets.emplace_back(data, data + size);
      }
    }
    parameterSets = std::move(sets);
    nalLengthSize = headerLength;
    if (lastFormat) CFRelease(lastFormat);
    lastFormat = static_cast<CMFormatDescriptionRef>(CFRetain(format));
  }

  void setProperty(CFStringRef name, CFTypeRef value, bool required) {
    const OSStatus st = VTSessionSetProperty(session, name, value);
    if (st != noErr && required) {
      throw VtError(std::string("VideoToolbox refused ") + [key(name) UTF8String], st);
    }
  }

  void open(bool lowLatency) {
    NSMutableDictionary* spec = [@{key(kVTVideoEncoderSpecification_RequireHardwareAcceleratedVideoEncoder) : @YES}
        mutableCopy];
    if (lowLatency) spec[key(kVTVideoEncoderSpecification_EnableLowLatencyRateControl)] = @YES;
    NSDictionary* source = @{
      key(kCVPixelBufferPixelFormatTypeKey) : @(kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange),
      key(kCVPixelBufferWidthKey) : @(config.width),
      key(kCVPixelBufferHeightKey) : @(config.height),
      key(kCVPixelBufferIOSurfacePropertiesKey) : @{},
    };
    const OSStatus st = VTCompressionSessionCreate(kCFAllocatorDefault, config.width, config.height,
                                                   kCMVideoCodecType_H264, (__bridge CFDictionaryRef)spec,
                                                   (__bridge CFDictionaryRef)source, kCFAllocatorDefault, onOutput,
                                                   this, &session);
    if (st != noErr) {
      session = nullptr;
      throw VtError("VideoToolbox refused a hardware H.264 session", st);
    }
  }

  // Low-latency rate control appeared in macOS 11.3 and not every encoder
  // offers it (or accepts every setting below with it); without it the
  // session is still real-time and reorder-free.
  void configure() {
    try {
      configure(true);
    } catch (const VtError&) {
      invalidate();
      configure(false);
    }
  }

  void configure(bool lowLatency) {
    open(lowLatency);
    setProperty(kVTCompressionPropertyKey_RealTime, kCFBooleanTrue, false);
    setProperty(kVTCompressionPropertyKey_AllowFrameReordering, kCFBooleanFalse, true);
    setProperty(kVTCompressionPropertyKey_ProfileLevel, kVTProfileLevel_H264_Baseline_AutoLevel, true);
    setProperty(kVTCompressionPropertyKey_AverageBitRate, (__bridge CFNumberRef) @(config.bitrate), true);
    setProperty(kVTCompressionPropertyKey_ExpectedFrameRate, (__bridge CFNumberRef) @(config.fps), false);
    setProperty(kVTCompressionPropertyKey_MaxKeyFrameInterval, (__bridge CFNumberRef) @(config.gop), true);
    // The SPS is patched to the same values, so these are best effort.
    setProperty(kVTCompressionPropertyKey_YCbCrMatrix, kCVImageBufferYCbCrMatrix_ITU_R_601_4, false);
    if (config.hasColour) {
      CFStringRef primaries = CVColorPrimariesGetStringForIntegerCodePoint(config.colour.primaries);
      CFStringRef transfer = CVTransferFunctionGetStringForIntegerCodePoint(config.colour.transfer);
      if (primaries) setProperty(kVTCompressionPropertyKey_ColorPrimaries, primaries, false);
      if (transfer) setProperty(kVTCompressionPropertyKey_TransferFunction, transfer, false);
    }
    const OSStatus st = VTCompressionSessionPrepareToEncodeFrames(session);
    if (st != noErr) throw VtError("VideoToolbox could not prepare the session", st);
  }

  CVPixelBufferRef fill(const HostImage& frame) {
    CVPixelBufferPoolRef pool = VTCompressionSessionGetPixelBufferPool(session);
    if (!pool) throw std::runtime_error("VideoToolbox gave no pixel buffer pool");
    CVPixelBufferRef buffer = nullptr;
    const CVReturn rc = CVPixelBufferPoolCreatePixelBuffer(kCFAllocatorDefault, pool, &buffer);
    if (rc != kCVReturnSuccess) throw VtError("no pixel buffer from the pool", rc);
    CVPixelBufferLockBaseAddress(buffer, 0);
    try {
      writeNv12(frame, {static_cast<uint8_t*>(CVPixelBufferGetBaseAddressOfPlane(buffer, 0)),
                        static_cast<int>(CVPixelBufferGetBytesPerRowOfPlane(buffer, 0)),
                        static_cast<uint8_t*>(CVPixelBufferGetBaseAddressOfPlane(buffer, 1)),
                        static_cast<int>(CVPixelBufferGetBytesPerRowOfPlane(buffer, 1)), config.width, config.height});
    } catch (...) {
      CVPixelBufferUnlockBaseAddress(buffer, 0);
      CVPixelBufferRelease(buffer);
      throw;
    }
    CVPixelBufferUnlockBaseAddress(buffer, 0);
    CVBufferSetAttachment(buffer, kCVImageBufferYCbCrMatrixKey, kCVImageBufferYCbCrMatrix_ITU_R_601_4,
                          kCVAttachmentMode_ShouldPropagate);
    return buffer;
  }

  void submit(CVPixelBufferRef buffer, bool forceKeyframe, int64_t seq) {
    NSDictionary* options = forceKeyframe ? @{key(kVTEncodeFrameOptionKey_ForceKeyFrame) : @YES} : nil;
    const int64_t index = frameIndex++;
    inFlight.push_back({seq, index});
    const OSStatus st =
        VTCompressionSessionEncodeFrame(session, buffer, CMTimeMake(index, config.fps), CMTimeMake(1, config.fps),
                                        (__bridge CFDictionaryRef)options, packTag(seq, forceKeyframe), nullptr);
    CVPixelBufferRelease(buffer);
    if (st != noErr) {
      inFlight.pop_back();
      throw VtError("VideoToolbox refused the frame", st);
    }
  }

  // Waits for every frame up to `index` (all when negative) and returns their
  // units in submission order. Output order equals input order (no
  // reordering), so the callbacks' queue lines up with inFlight; a frame that
  // produced no callback was dropped.
  std::vector<VtUnit> complete(int64_t index) {
    const CMTime upTo = index < 0 ? kCMTimeInvalid : CMTimeMake(index, config.fps);
    const OSStatus st = VTCompressionSessionCompleteFrames(session, upTo);
    if (st != noErr) throw VtError("VideoToolbox could not complete frames", st);
    std::vector<VtUnit> done;
    std::lock_guard<std::mutex> lock(mutex);
    while (!inFlight.empty() && (index < 0 || inFlight.front().index <= index)) {
      const int64_t seq = inFlight.front().seq;
      inFlight.pop_front();
      if (!arrived.empty() && arrived.front().seq == seq) {
        done.push_back(std::move(arrived.front()));
        arrived.pop_front();
      } else {
        VtUnit dropped;
        dropped.seq = seq;
        done.push_back(std::move(dropped));
      }
    }
    return done;
  }
};

VtSession::VtSession(const VtConfig& config) : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  @autoreleasepool {
    impl_->configure();
  }
}

VtSession::~VtSession() = default;

VtStep VtSession::encode(const HostImage& frame, bool forceKeyframe, int64_t seq) {
  Impl& s = *impl_;
  if (seq < 0) throw std::invalid_argument("seq must not be negative");
  VtStep step;
  @autoreleasepool {
    auto t0 = std::chrono::steady_clock::now();
    CVPixelBufferRef buffer = s.fill(frame);
    step.copyMs = msSince(t0);
    t0 = std::chrono::steady_clock::now();
    s.submit(buffer, forceKeyframe, seq);
    const size_t depth = static_cast<size_t>(s.config.pipelineDepth);
    if (s.inFlight.size() > depth) step.units = s.complete(s.inFlight[s.inFlight.size() - 1 - depth].index);
    step.encodeMs = msSince(t0);
  }
  return step;
}

VtStep VtSession::flush() {
  VtStep step;
  const auto t0 = std::chrono::steady_clock::now();
  @autoreleasepool {
    step.units = impl_->complete(-1);
  }
  step.encodeMs = msSince(t0);
  return step;
}

int32_t VtSession::probe(std::string* message) {
  try {
    VtConfig config;
    config.width = 320;
    config.height = 240;
    config.bitrate = 500'000;
    VtSession session(config);
    std::vector<uint8_t> grey(static_cast<size_t>(config.width) * config.height * 3 / 2, 128);
    HostImage frame;
    frame.data = grey.data();
    frame.length = grey.size();
    frame.format = PixelFormat::NV12;
    frame.width = config.width;
    frame.height = config.height;
    frame.stride = config.width;
    const VtStep step = session.encode(frame, true, 0);
    const VtUnit* unit = step.units.empty() ? nullptr : &step.units[0];
    if (!unit || !unit->error.empty() || unit->data.empty()) {
      if (message) *message = unit && !unit->error.empty() ? unit->error : "the test frame produced no output";
      return kVTVideoEncoderMalfunctionErr;
    }
    return noErr;
  } catch (const VtError& e) {
    if (message) *message = e.what();
    return e.status;
  } catch (const std::exception& e) {
    if (message) *message = e.what();
    return kVTVideoEncoderMalfunctionErr;
  }
}

}  // namespace rfb
