// JS bindings for Metal frames and kernels (Objective-C++, macOS only).
#pragma once
#include <napi.h>

#include "metal_device.h"

namespace rfb {

void InitMetal(Napi::Env env, Napi::Object exports);

// The image behind a MetalFrame object; throws a TypeError for anything else.
const MetalImage& metalImageOf(const Napi::Value& value, const char* what);

}  // namespace rfb
