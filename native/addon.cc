// The rfbcast native addon: colour conversion, encoders and (on macOS)
// VideoToolbox and Metal, each compiled in only when its library was found.
#include <napi.h>

#include "common/live_count.h"
#include "convert/convert_napi.h"
#include "h264/h264_napi.h"
#include "vtenc/nv12_input_napi.h"
#ifdef RFB_HAVE_VTENC
#include "vtenc/vt_napi.h"
#endif
#ifdef RFB_HAVE_METAL
#include "vtenc/metal_napi.h"
#endif
#ifdef RFB_HAVE_X264
#include "x264/x264_napi.h"
#endif
#include "image/image_napi.h"

namespace rfb {
std::atomic<int>& liveEncoderCount() {
  static std::atomic<int> count{0};
  return count;
}
}  // namespace rfb

namespace {

Napi::Value LiveEncoders(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), rfb::liveEncoderCount().load());
}

Napi::Value Features(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object f = Napi::Object::New(env);
  auto flag = [&](const char* name, bool on) { f.Set(name, Napi::Boolean::New(env, on)); };
#ifdef RFB_HAVE_X264
  flag("x264", true);
#else
  flag("x264", false);
#endif
#ifdef RFB_HAVE_TURBOJPEG
  flag("turbojpeg", true);
#else
  flag("turbojpeg", false);
#endif
#ifdef RFB_HAVE_WEBP
  flag("webp", true);
#else
  flag("webp", false);
#endif
#ifdef RFB_HAVE_PNG
  flag("png", true);
#else
  flag("png", false);
#endif
#ifdef RFB_HAVE_YUV
  flag("yuv", true);
#else
  flag("yuv", false);
#endif
#ifdef RFB_HAVE_VTENC
  flag("vtenc", true);
#else
  flag("vtenc", false);
#endif
#ifdef RFB_HAVE_METAL
  flag("metal", true);
#else
  flag("metal", false);
#endif
  return f;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("features", Napi::Function::New(env, Features, "features"));
  exports.Set("liveEncoders", Napi::Function::New(env, LiveEncoders, "liveEncoders"));
  rfb::InitConvert(env, exports);
  rfb::InitH264(env, exports);
  rfb::InitNv12Input(env, exports);
#ifdef RFB_HAVE_VTENC
  rfb::InitVtenc(env, exports);
#endif
#ifdef RFB_HAVE_METAL
  rfb::InitMetal(env, exports);
#endif
#ifdef RFB_HAVE_X264
  rfb::InitX264(env, exports);
#endif
  rfb::InitImage(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(rfbcast, Init)
