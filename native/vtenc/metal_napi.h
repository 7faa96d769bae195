// JS bindings for Metal frames and kernels (macOS only). Plain C++, so the
// addon's entry point can include it.
#pragma once
#include <napi.h>

namespace rfb {
void InitMetal(Napi::Env env, Napi::Object exports);
}  // namespace rfb
