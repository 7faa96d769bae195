#include "x264_session.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <stdexcept>

#include "../common/side_thread.h"
#include "../convert/convert.h"
#include "../convert/yuv_to_rgb.h"

namespace rfb {
namespace {

// x264 prints to stderr by default; keep its last error for our exceptions instead.
void logToSession(void* priv, int level, const char* format, va_list args) {
  if (level > X264_LOG_ERROR) return;
  char message[256];
  vsnprintf(message, sizeof message, format, args);
  std::string& last = *static_cast<std::string*>(priv);
  last = message;
  while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
}

x264_param_t liveParams(const X264Settings& s, std::string* lastError) {
  x264_param_t p;
  if (x264_param_default_preset(&p, s.preset.c_str(), "zerolatency") < 0) {
    throw std::invalid_argument("unknown x264 preset '" + s.preset + "'");
  }
  p.i_width = s.width;
  p.i_height = s.height;
  p.i_csp = X264_CSP_I420;  // NV12 pictures are accepted too: both map to x264's internal NV12
  p.i_fps_num = static_cast<uint32_t>(s.fps);
  p.i_fps_den = 1;
  p.i_timebase_num = 1;
  p.i_timebase_den = static_cast<uint32_t>(s.fps);
  p.b_vfr_input = 0;
  // Sliced threads split each picture, so no frame waits for another.
  p.i_threads = s.threads;
  p.b_sliced_threads = 1;
  p.i_sync_lookahead = 0;
  p.rc.i_lookahead = 0;
  p.i_bframe = 0;
  p.i_keyint_max = s.fps;
  p.i_keyint_min = s.fps;
  p.i_scenecut_threshold = 0;
  p.b_intra_refresh = 0;
  p.b_open_gop = 0;
  p.b_annexb = 1;
  p.b_repeat_headers = 1;
  p.b_aud = 0;
  const int kbps = std::max(1, s.bitrate / 1000);
  p.rc.i_rc_method = X264_RC_ABR;
  p.rc.i_bitrate = kbps;
  p.rc.i_vbv_max_bitrate = kbps;
  // A one-frame VBV: no picture may burst past what the link carries in a frame time.
  p.rc.i_vbv_buffer_size = std::max(1, kbps / s.fps);
  p.vui.i_colorprim = s.colorPrimaries;
  p.vui.i_transfer = s.colorTransfer;
  p.vui.i_colmatrix = 6;
  p.vui.b_fullrange = 0;
  p.i_log_level = X264_LOG_ERROR;
  p.pf_log = logToSession;
  p.p_log_private = lastError;
  if (x264_param_apply_profile(&p, "baseline") < 0) {
    throw std::invalid_argument("x264 rejected the baseline profile: " + *lastError);
  }
  return p;
}

}  // namespace

X264Session::X264Session(const X264Settings& settings) : settings_(settings) {
  const X264Settings& s = settings_;
  if (s.width < 16 || s.height < 16 || (s.width & 1) || (s.height & 1)) {
    throw std::invalid_argument("x264 needs an even width and height of at least 16, got " + std::to_string(s.width) +
                                "x" + std::to_string(s.height));
  }
  if (s.fps < 1 || s.bitrate < 1000 || s.threads < 0) {
    throw std::invalid_argument("x264 needs fps >= 1, bitrate >= 1000 and threads >= 0");
  }
  params_ = liveParams(s, &lastError_);
  x264_picture_init(&picture_);
}

X264Session::~X264Session() {
  if (encoder_) x264_encoder_close(encoder_);
}

void X264Session::open() {
  encoder_ = x264_encoder_open(&params_);
  if (!encoder_) throw std::runtime_error("x264_encoder_open failed: " + lastError_);
}

namespace {

// From this size up, the bottom half of a frame is converted on the side
// thread while this one converts the top half: x264's slice threads are idle
// until the encode starts, and reading a frame that is not in cache is bound
// by what one core can pull from memory.
constexpr long kSplitConversionPixels = 1280L * 720;

// NV12 because it is x264's own layout: its copy of the picture is then two
// plain plane copies, with no interleaving of U and V.
void convertToNv12(const HostImage& frame, uint8_t* dst, size_t size) {
  const int h = frame.height;
  if (static_cast<long>(frame.width) * h < kSplitConversionPixels) {
    convertImage(frame, PixelFormat::NV12, dst, size);
    return;
  }
  const int half = (h / 2) & ~1;
  runSideBySide([&] { convertImage(frame, PixelFormat::NV12, dst, size, 0, half); },
                [&] { convertImage(frame, PixelFormat::NV12, dst, size, half, h - half); });
}

}  // namespace

// x264 copies the picture into its own frame during encode, so planar input
// is passed in place; packed RGB is converted to NV12 first, inside the same
// pool job as the encode.
void X264Session::setPlanes(const HostImage& frame) {
  HostImage yuv = frame;
  if (isPackedRgb(frame.format)) {
    converted_.resize(static_cast<size_t>(frame.width) * frame.height * 3 / 2);
    convertToNv12(frame, converted_.data(), converted_.size());
    yuv = HostImage{converted_.data(), converted_.size(), PixelFormat::NV12, frame.width, frame.height, frame.width};
  }
  const Yuv420Source s = yuv420PlanesOf(yuv);
  x264_image_t& img = picture_.img;
  img.i_csp = s.interleaved ? X264_CSP_NV12 : X264_CSP_I420;
  img.i_plane = s.interleaved ? 2 : 3;
  img.plane[0] = const_cast<uint8_t*>(s.y);
  img.i_stride[0] = s.yStride;
  img.plane[1] = const_cast<uint8_t*>(s.u);
  img.i_stride[1] = s.uStride;
  img.plane[2] = const_cast<uint8_t*>(s.v);
  img.i_stride[2] = s.vStride;
}

void X264Session::encode(const HostImage& frame, bool forceIdr, const PictureSink& sink) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (frame.width != settings_.width || frame.height != settings_.height) {
    throw std::invalid_argument("frame is " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                                " but the encoder is " + std::to_string(settings_.width) + "x" +
                                std::to_string(settings_.height));
  }
  checkHostImage(frame);
  if (!encoder_) open();
  setPlanes(frame);
  // X264_TYPE_IDR, not KEYFRAME: a forced keyframe must be a real IDR (§9.2).
  picture_.i_type = forceIdr ? X264_TYPE_IDR : X264_TYPE_AUTO;
  picture_.i_pts = pts_++;
  x264_nal_t* nals = nullptr;
  int count = 0;
  x264_picture_t out;
  const int size = x264_encoder_encode(encoder_, &nals, &count, &picture_, &out);
  if (size < 0) throw std::runtime_error("x264_encoder_encode failed: " + lastError_);
  if (size == 0 || count == 0) return;
  // x264 writes a picture's NAL units back to back, so the first payload spans them all.
  EncodedPicture pic{nals[0].p_payload, static_cast<size_t>(size), false};
  for (int i = 0; i < count; ++i) pic.idr = pic.idr || nals[i].i_type == NAL_SLICE_IDR;
  sink(pic);
}

}  // namespace rfb
