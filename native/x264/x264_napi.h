// JS bindings of the libx264 encoder: the X264Encoder class, x264Benchmark()
// (the encode-only floor of the benchmark) and x264Presets.
#pragma once
#include <napi.h>

namespace rfb {

void InitX264(Napi::Env env, Napi::Object exports);

}  // namespace rfb
