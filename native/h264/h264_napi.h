#pragma once
#include <napi.h>

namespace rfb {
// h264PatchSps and h264AvccToAnnexB: the bitstream rewriting the VideoToolbox
// encoder does, exposed on every OS so it is tested where there is no Mac.
void InitH264(Napi::Env env, Napi::Object exports);
}  // namespace rfb
