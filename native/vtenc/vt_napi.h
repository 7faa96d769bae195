#pragma once
#include <napi.h>

namespace rfb {
// VtEncoder and vtSupported (Objective-C++, macOS only).
void InitVtenc(Napi::Env env, Napi::Object exports);
}  // namespace rfb
