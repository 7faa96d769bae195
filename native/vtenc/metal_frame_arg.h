// Reading a MetalFrame argument (Objective-C++, for .mm files only).
#pragma once
#include <napi.h>

#include "metal_device.h"

namespace rfb {
// The image behind a MetalFrame object; throws a TypeError for anything else.
const MetalImage& metalImageOf(const Napi::Value& value, const char* what);
}  // namespace rfb
