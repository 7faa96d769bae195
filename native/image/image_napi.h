#pragma once
#include <napi.h>

namespace rfb {

void InitImage(Napi::Env env, Napi::Object exports);

}  // namespace rfb
