// JS bindings of the libx264 encoder: the X264Encoder class (with the
// encode-only benchmark floor as a method) and x264Presets.
#pragma once
#include <napi.h>

namespace rfb {

void InitX264(Napi::Env env, Napi::Object exports);

}  // namespace rfb
