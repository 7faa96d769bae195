#include "nv12_input_napi.h"

#include <stdexcept>

#include "../common/napi_util.h"
#include "nv12_input.h"

namespace rfb {
namespace {

// (src, format, width, height, stride, dst, yStride, uvOffset, uvStride): dst
// holds the Y plane at 0 and the CbCr plane at uvOffset, as a pixel buffer's
// planes may sit apart.
Napi::Value WriteNv12(const Napi::CallbackInfo& info) {
  const HostImage src = hostImageArgs(info, 0);
  const ByteView dst = bytesOf(info[5], "destination");
  const int yStride = intArg(info, 6, "yStride");
  const int uvOffset = intArg(info, 7, "uvOffset");
  const int uvStride = intArg(info, 8, "uvStride");
  const size_t w = static_cast<size_t>(src.width), h = static_cast<size_t>(src.height);
  const bool fits = yStride >= src.width && uvStride >= src.width && uvOffset >= 0 &&
                    static_cast<size_t>(uvOffset) >= static_cast<size_t>(yStride) * (h - 1) + w &&
                    static_cast<size_t>(uvOffset) + static_cast<size_t>(uvStride) * (h / 2 - 1) + w <= dst.length;
  if (!fits) throw Napi::RangeError::New(info.Env(), "destination planes do not fit the destination buffer");
  try {
    writeNv12(src, {dst.data, yStride, dst.data + uvOffset, uvStride, src.width, src.height});
  } catch (const std::invalid_argument& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

}  // namespace

void InitNv12Input(Napi::Env env, Napi::Object exports) {
  exports.Set("vtWriteNv12", Napi::Function::New(env, WriteNv12, "vtWriteNv12"));
}

}  // namespace rfb
