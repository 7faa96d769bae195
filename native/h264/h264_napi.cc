#include "h264_napi.h"

#include <stdexcept>

#include "../common/napi_util.h"
#include "avcc.h"
#include "sps_vui.h"

namespace rfb {
namespace {

Napi::Buffer<uint8_t> copyOut(Napi::Env env, const std::vector<uint8_t>& bytes) {
  return Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size());
}

// (sps[, primaries, transfer]): the colour pair is given together or not at all.
Napi::Value PatchSps(const Napi::CallbackInfo& info) {
  const ByteView sps = bytesOf(info[0], "sps");
  h264::VuiColour colour{};
  const bool withColour = info.Length() > 1 && !info[1].IsUndefined();
  if (withColour) colour = {intArg(info, 1, "primaries"), intArg(info, 2, "transfer")};
  if (withColour && (colour.primaries < 0 || colour.primaries > 255 || colour.transfer < 0 || colour.transfer > 255)) {
    throw Napi::RangeError::New(info.Env(), "VUI colour codes must be 0 to 255");
  }
  try {
    return copyOut(info.Env(), h264::patchSps(sps.data, sps.length, withColour ? &colour : nullptr));
  } catch (const std::invalid_argument& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

// (sample, nalLengthSize, parameterSets: Uint8Array[], forced) -> { data, keyframe }
Napi::Value AvccToAnnexB(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ByteView sample = bytesOf(info[0], "sample");
  const int nalLengthSize = intArg(info, 1, "nalLengthSize");
  if (info.Length() < 4 || !info[2].IsArray() || !info[3].IsBoolean()) {
    throw Napi::TypeError::New(env, "expected (sample, nalLengthSize, parameterSets[], forced)");
  }
  Napi::Array list = info[2].As<Napi::Array>();
  std::vector<std::vector<uint8_t>> sets;
  for (uint32_t i = 0; i < list.Length(); ++i) {
    const ByteView ps = bytesOf(list.Get(i), "parameter set");
    sets.emplace_back(ps.data, ps.data + ps.length);
  }
  try {
    const h264::AnnexBUnit unit =
        h264::avccToAnnexB(sample.data, sample.length, nalLengthSize, sets, info[3].As<Napi::Boolean>().Value());
    Napi::Object out = Napi::Object::New(env);
    out.Set("data", copyOut(env, unit.bytes));
    out.Set("keyframe", Napi::Boolean::New(env, unit.keyframe));
    return out;
  } catch (const std::invalid_argument& e) {
    throw Napi::Error::New(env, e.what());
  }
}

}  // namespace

void InitH264(Napi::Env env, Napi::Object exports) {
  exports.Set("h264PatchSps", Napi::Function::New(env, PatchSps, "h264PatchSps"));
  exports.Set("h264AvccToAnnexB", Napi::Function::New(env, AvccToAnnexB, "h264AvccToAnnexB"));
}

}  // namespace rfb
