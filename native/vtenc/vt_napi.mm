// new VtEncoder({ width, height, bitrate, fps, gop, pipelineDepth,
//                 primaries?, transfer? })
//   .open()                                               -> Promise<void>
//   .encode(data, format, width, height, stride, forceKeyframe, seq) -> Promise<Step>
//   .encodeMetal(metalFrame, forceKeyframe, seq)          -> Promise<Step>
//   .flush()                                              -> Promise<Step>
//   .close()
// Step = { units: [{ seq, data, keyframe, error? }], copyMs, encodeMs }.
// vtSupported() -> Promise<{ ok, status, message? }> opens a real session.
// Calls on one encoder must not overlap (the TypeScript layer queues them);
// overlapping calls are refused rather than raced.
#include "vt_napi.h"

#include <atomic>
#include <memory>

#include "../common/live_count.h"
#include "../common/napi_util.h"
#include "metal_frame_arg.h"
#include "vt_session.h"

namespace rfb {
namespace {

Napi::Object stepToJs(Napi::Env env, const VtStep& step) {
  Napi::Array units = Napi::Array::New(env, step.units.size());
  for (size_t i = 0; i < step.units.size(); ++i) {
    const VtUnit& u = step.units[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("seq", Napi::Number::New(env, static_cast<double>(u.seq)));
    o.Set("data", Napi::Buffer<uint8_t>::Copy(env, u.data.data(), u.data.size()));
    o.Set("keyframe", Napi::Boolean::New(env, u.keyframe));
    if (!u.error.empty()) o.Set("error", Napi::String::New(env, u.error));
    units.Set(static_cast<uint32_t>(i), o);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("units", units);
  out.Set("copyMs", Napi::Number::New(env, step.copyMs));
  out.Set("encodeMs", Napi::Number::New(env, step.encodeMs));
  return out;
}

class VtEncoder : public Napi::ObjectWrap<VtEncoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "VtEncoder",
                       {InstanceMethod<&VtEncoder::Open>("open"), InstanceMethod<&VtEncoder::Encode>("encode"),
                        InstanceMethod<&VtEncoder::EncodeMetal>("encodeMetal"),
                        InstanceMethod<&VtEncoder::Flush>("flush"), InstanceMethod<&VtEncoder::Close>("close")});
  }

  explicit VtEncoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<VtEncoder>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "VtEncoder options must be an object");
    const Napi::Object o = info[0].As<Napi::Object>();
    config_.width = intOption(o, "width", 0);
    config_.height = intOption(o, "height", 0);
    config_.bitrate = intOption(o, "bitrate", config_.bitrate);
    config_.fps = intOption(o, "fps", config_.fps);
    config_.gop = intOption(o, "gop", config_.fps);
    config_.pipelineDepth = intOption(o, "pipelineDepth", 0);
    if (config_.width <= 0 || config_.height <= 0 || ((config_.width | config_.height) & 1)) {
      throw Napi::RangeError::New(env, "VtEncoder needs an even, positive width and height");
    }
    if (config_.bitrate <= 0 || config_.fps <= 0 || config_.gop <= 0 || config_.pipelineDepth < 0 ||
        config_.pipelineDepth > 16) {
      throw Napi::RangeError::New(env, "VtEncoder needs positive bitrate, fps and gop, and a pipelineDepth of 0 to 16");
    }
    if (!o.Get("primaries").IsUndefined()) {
      config_.hasColour = true;
      config_.colour = {intOption(o, "primaries", 1), intOption(o, "transfer", 13)};
    }
    token_ = std::make_unique<LiveEncoderToken>();
  }

 private:
  using Job = std::function<VtStep(VtSession&)>;

  // Runs `job` on a pool thread against the session, opening it first if
  // needed; resolves with the step. `keep` stays referenced until the end.
  Napi::Value Schedule(const Napi::CallbackInfo& info, std::vector<Napi::Value> keep, Job job) {
    Napi::Env env = info.Env();
    if (!token_) throw Napi::Error::New(env, "VtEncoder is closed");
    if (busy_.exchange(true)) throw Napi::Error::New(env, "VtEncoder is busy: calls must not overlap");
    keep.push_back(info.This());
    auto result = std::make_shared<VtStep>();
    return PromiseWorker::Start(
        env, keep,
        [this, job, result] {
          struct Idle {
            std::atomic<bool>& flag;
            ~Idle() { flag = false; }
          } idle{busy_};
          if (!session_) session_ = std::make_unique<VtSession>(config_);
          *result = job(*session_);
        },
        [result](Napi::Env env) -> Napi::Value { return stepToJs(env, *result); });
  }

  Napi::Value Open(const Napi::CallbackInfo& info) {
    return Schedule(info, {}, [](VtSession&) { return VtStep{}; });
  }

  Napi::Value Encode(const Napi::CallbackInfo& info) {
    const HostImage image = hostImageArgs(info, 0);
    const bool force = info[5].ToBoolean();
    const int64_t seq = info[6].ToNumber().Int64Value();
    return Schedule(info, {info[0]}, [image, force, seq](VtSession& s) { return s.encode(image, force, seq); });
  }

  // The frame must be nv12: Metal RGB frames are converted on the GPU first.
  Napi::Value EncodeMetal(const Napi::CallbackInfo& info) {
    const MetalImage image = metalImageOf(info[0], "frame");
    if (image.format != PixelFormat::NV12) throw Napi::TypeError::New(info.Env(), "encodeMetal takes an nv12 MetalFrame");
    const bool force = info[1].ToBoolean();
    const int64_t seq = info[2].ToNumber().Int64Value();
    return Schedule(info, {info[0]},
                    [image, force, seq](VtSession& s) { return s.encode(image.host(), force, seq); });
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    return Schedule(info, {}, [](VtSession& s) { return s.flush(); });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (busy_) throw Napi::Error::New(info.Env(), "VtEncoder cannot close while a call is running");
    session_.reset();
    token_.reset();
    return info.Env().Undefined();
  }

  VtConfig config_;
  std::unique_ptr<VtSession> session_;
  std::unique_ptr<LiveEncoderToken> token_;
  std::atomic<bool> busy_{false};
};

Napi::Value Supported(const Napi::CallbackInfo& info) {
  struct Result {
    int32_t status = 0;
    std::string message;
  };
  auto result = std::make_shared<Result>();
  return PromiseWorker::Start(
      info.Env(), {}, [result] { result->status = VtSession::probe(&result->message); },
      [result](Napi::Env env) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("ok", Napi::Boolean::New(env, result->status == 0));
        out.Set("status", Napi::Number::New(env, result->status));
        if (!result->message.empty()) out.Set("message", Napi::String::New(env, result->message));
        return out;
      });
}

}  // namespace

void InitVtenc(Napi::Env env, Napi::Object exports) {
  exports.Set("VtEncoder", VtEncoder::Define(env));
  exports.Set("vtSupported", Napi::Function::New(env, Supported, "vtSupported"));
}

}  // namespace rfb
