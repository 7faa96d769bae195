#pragma once
#include <napi.h>

namespace rfb {
// vtWriteNv12: the VideoToolbox encoder's input step (any host frame into the
// padded planes of a pixel buffer), exposed on every OS for tests.
void InitNv12Input(Napi::Env env, Napi::Object exports);
}  // namespace rfb
