#include "x264_napi.h"

#include <chrono>
#include <memory>
#include <stdexcept>

#include "../common/napi_util.h"
#include "x264_session.h"

namespace rfb {
namespace {

// { width, height, fps, bitrate, preset?, threads?, colorPrimaries?, colorTransfer? }
X264Settings settingsArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsObject()) throw Napi::TypeError::New(info.Env(), "options must be an object");
  const Napi::Object o = info[i].As<Napi::Object>();
  X264Settings s;
  s.width = intOption(o, "width", 0);
  s.height = intOption(o, "height", 0);
  s.fps = intOption(o, "fps", s.fps);
  s.bitrate = intOption(o, "bitrate", 0);
  s.threads = intOption(o, "threads", s.threads);
  s.colorPrimaries = intOption(o, "colorPrimaries", s.colorPrimaries);
  s.colorTransfer = intOption(o, "colorTransfer", s.colorTransfer);
  const Napi::Value preset = o.Get("preset");
  if (!preset.IsUndefined()) {
    if (!preset.IsString()) throw Napi::TypeError::New(info.Env(), "preset must be a string");
    s.preset = preset.As<Napi::String>().Utf8Value();
  }
  return s;
}

std::shared_ptr<X264Session> newSession(Napi::Env env, const X264Settings& s) {
  try {
    return std::make_shared<X264Session>(s);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// new X264Encoder(options); encode(data, format, width, height, stride,
// forceKeyframe) -> Promise<{ data: Buffer, keyframe: boolean } | null>;
// benchmark(i420Frames[], first, count) -> Promise<Float64Array>; close().
// A pending encode holds the session, so close() or garbage collection during
// an encode frees it only when that encode ends.
class X264Encoder : public Napi::ObjectWrap<X264Encoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "X264Encoder",
                       {InstanceMethod<&X264Encoder::Encode>("encode"),
                        InstanceMethod<&X264Encoder::Benchmark>("benchmark"),
                        InstanceMethod<&X264Encoder::Close>("close")});
  }

  explicit X264Encoder(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<X264Encoder>(info), session_(newSession(info.Env(), settingsArg(info, 0))) {}

 private:
  struct Output {
    std::vector<uint8_t> bytes;
    bool idr = false;
    bool produced = false;
  };

  Napi::Value Encode(const Napi::CallbackInfo& info) {
    if (!session_) throw Napi::Error::New(info.Env(), "x264 encoder is closed");
    const HostImage frame = hostImageArgs(info, 0);
    const bool force = info.Length() > 5 && info[5].ToBoolean().Value();
    auto out = std::make_shared<Output>();
    std::shared_ptr<X264Session> session = session_;
    return PromiseWorker::Start(
        info.Env(), {info[0]},
        [session, frame, force, out] {
          session->encode(frame, force, [&](const EncodedPicture& pic) {
            out->bytes.assign(pic.data, pic.data + pic.size);
            out->idr = pic.idr;
            out->produced = true;
          });
        },
        [out](Napi::Env env) -> Napi::Value {
          if (!out->produced) return env.Null();
          Napi::Object result = Napi::Object::New(env);
          result.Set("data", Napi::Buffer<uint8_t>::Copy(env, out->bytes.data(), out->bytes.size()));
          result.Set("keyframe", Napi::Boolean::New(env, out->idr));
          return result;
        });
  }

  // The benchmark floor: x264 alone on tight I420 frames of the encoder's size,
  // timed frame by frame in a C++ loop on a pool thread (frame k is
  // i420Frames[(first + k) % length]). Returns milliseconds per frame.
  Napi::Value Benchmark(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!session_) throw Napi::Error::New(env, "x264 encoder is closed");
    if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "frames must be an array");
    const Napi::Array list = info[0].As<Napi::Array>();
    const int first = intArg(info, 1, "first");
    const int count = intArg(info, 2, "count");
    if (list.Length() == 0 || first < 0 || count < 1) {
      throw Napi::RangeError::New(env, "need frames, first >= 0 and count >= 1");
    }
    const X264Settings& s = session_->settings();
    std::vector<HostImage> frames;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      const ByteView bytes = bytesOf(list.Get(i), "frame");
      frames.push_back(HostImage{bytes.data, bytes.length, PixelFormat::I420, s.width, s.height, s.width});
    }
    auto times = std::make_shared<std::vector<double>>();
    std::shared_ptr<X264Session> session = session_;
    return PromiseWorker::Start(
        env, {info[0]},
        [session, frames, first, count, times] {
          const auto ignore = [](const EncodedPicture&) {};
          for (int k = 0; k < count; ++k) {
            const auto t0 = std::chrono::steady_clock::now();
            session->encode(frames[(first + k) % frames.size()], false, ignore);
            times->push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
          }
        },
        [times](Napi::Env env) -> Napi::Value {
          Napi::Float64Array out = Napi::Float64Array::New(env, times->size());
          for (size_t i = 0; i < times->size(); ++i) out[i] = (*times)[i];
          return out;
        });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    session_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<X264Session> session_;
};

Napi::Value Presets(Napi::Env env) {
  Napi::Array names = Napi::Array::New(env);
  for (uint32_t i = 0; x264_preset_names[i]; ++i) names.Set(i, Napi::String::New(env, x264_preset_names[i]));
  return names;
}

}  // namespace

void InitX264(Napi::Env env, Napi::Object exports) {
  exports.Set("X264Encoder", X264Encoder::Define(env));
  exports.Set("x264Presets", Presets(env));
}

}  // namespace rfb
