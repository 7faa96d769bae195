#pragma once
#include <napi.h>

namespace rfb {
void InitConvert(Napi::Env env, Napi::Object exports);
}
