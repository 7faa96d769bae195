// JS bindings: convert(src, format, width, height, stride, dstFormat, dst
// [, rowStart, rowCount]) and its promise twin convertAsync(...), which runs
// on the libuv pool.
#include "convert_napi.h"

#include <stdexcept>

#include "../common/napi_util.h"
#include "convert.h"

namespace rfb {
namespace {

struct ConvertJob {
  HostImage src;
  PixelFormat dstFormat;
  ByteView dst;
  int rowStart;
  int rowCount;

  void run() const { convertImage(src, dstFormat, dst.data, dst.length, rowStart, rowCount); }
};

// (src, format, width, height, stride, dstFormat, dst[, rowStart, rowCount])
ConvertJob jobArgs(const Napi::CallbackInfo& info) {
  const bool banded = info.Length() > 7;
  return ConvertJob{hostImageArgs(info, 0), formatArg(info, 5), bytesOf(info[6], "destination"),
                    banded ? intArg(info, 7, "rowStart") : 0, banded ? intArg(info, 8, "rowCount") : 0};
}

Napi::Value ConvertSync(const Napi::CallbackInfo& info) {
  const ConvertJob job = jobArgs(info);
  try {
    job.run();
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

Napi::Value ConvertAsync(const Napi::CallbackInfo& info) {
  const ConvertJob job = jobArgs(info);
  return PromiseWorker::Start(
      info.Env(), {info[0], info[6]}, [job] { job.run(); },
      [](Napi::Env env) { return env.Undefined(); });
}

}  // namespace

void InitConvert(Napi::Env env, Napi::Object exports) {
  exports.Set("convert", Napi::Function::New(env, ConvertSync, "convert"));
  exports.Set("convertAsync", Napi::Function::New(env, ConvertAsync, "convertAsync"));
}

}  // namespace rfb
