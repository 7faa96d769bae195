// JS binding: `new ImageEncoder()`, then encode(data, format, width, height,
// stride, settings[, lane]) -> Promise<Buffer> on the libuv pool, and close().
// Encodes on different lanes (0..3, default 0) may run at the same time.
// `settings` is { codec: 'jpeg', quality, subsampling, fastDct }, { codec:
// 'png', compressionLevel, filter } or { codec: 'webp', quality, method,
// lossless }; the TypeScript layer fills in every field.
#include "image_napi.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../common/napi_util.h"
#include "image_encoder.h"

namespace rfb {
namespace {

Napi::Value field(const Napi::Object& o, const char* name) {
  if (!o.Has(name)) throw Napi::TypeError::New(o.Env(), std::string("settings.") + name + " is required");
  return o.Get(name);
}

int intField(const Napi::Object& o, const char* name, int lo, int hi) {
  const Napi::Value v = field(o, name);
  const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  if (!(d >= lo && d <= hi && d == std::floor(d))) {
    throw Napi::RangeError::New(o.Env(), std::string("settings.") + name + " must be an integer from " +
                                             std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<int>(d);
}

bool boolField(const Napi::Object& o, const char* name) {
  const Napi::Value v = field(o, name);
  if (!v.IsBoolean()) throw Napi::TypeError::New(o.Env(), std::string("settings.") + name + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string stringField(const Napi::Object& o, const char* name) {
  const Napi::Value v = field(o, name);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string("settings.") + name + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

ImageSettings settingsArg(const Napi::Value& value) {
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), "settings must be an object");
  const Napi::Object o = value.As<Napi::Object>();
  ImageSettings s;
  const std::string codec = stringField(o, "codec");
  if (codec == "jpeg") {
    s.codec = ImageCodec::Jpeg;
    s.jpeg.quality = intField(o, "quality", 1, 100);
    s.jpeg.subsampling = intField(o, "subsampling", 420, 444);
    if (s.jpeg.subsampling != 420 && s.jpeg.subsampling != 422 && s.jpeg.subsampling != 444) {
      throw Napi::RangeError::New(o.Env(), "settings.subsampling must be 420, 422 or 444");
    }
    s.jpeg.fastDct = boolField(o, "fastDct");
  } else if (codec == "png") {
    s.codec = ImageCodec::Png;
    s.png.compressionLevel = intField(o, "compressionLevel", 0, 9);
    const std::string filter = stringField(o, "filter");
    if (!parsePngFilter(filter, &s.png.filter)) {
      throw Napi::RangeError::New(o.Env(), "unknown PNG filter '" + filter + "'");
    }
  } else if (codec == "webp") {
    s.codec = ImageCodec::Webp;
    s.webp.quality = intField(o, "quality", 0, 100);
    s.webp.method = intField(o, "method", 0, 6);
    s.webp.lossless = boolField(o, "lossless");
  } else {
    throw Napi::RangeError::New(o.Env(), "unknown image codec '" + codec + "'");
  }
  return s;
}

class ImageEncoderWrap : public Napi::ObjectWrap<ImageEncoderWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ImageEncoder",
                       {InstanceMethod<&ImageEncoderWrap::Encode>("encode"),
                        InstanceMethod<&ImageEncoderWrap::Close>("close")});
  }

  explicit ImageEncoderWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<ImageEncoderWrap>(info), encoder_(std::make_shared<ImageEncoder>()) {}

 private:
  // (data, format, width, height, stride, settings[, lane])
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    if (!encoder_) throw Napi::Error::New(info.Env(), "image encoder is closed");
    const HostImage img = hostImageArgs(info, 0);
    const ImageSettings settings = settingsArg(info[5]);
    const int lane = info.Length() > 6 ? intArg(info, 6, "lane") : 0;
    if (lane < 0 || lane >= ImageEncoder::kLanes) {
      throw Napi::RangeError::New(info.Env(), "lane must be from 0 to " + std::to_string(ImageEncoder::kLanes - 1));
    }
    auto out = std::make_shared<std::vector<uint8_t>>();
    std::shared_ptr<ImageEncoder> encoder = encoder_;
    return PromiseWorker::Start(
        info.Env(), {info[0]},
        [encoder, lane, img, settings, out] { *out = encoder->lanes[lane].encode(img, settings); },
        [out](Napi::Env env) { return Napi::Buffer<uint8_t>::Copy(env, out->data(), out->size()); });
  }

  // Running jobs hold their own reference, so the encoder is freed when the
  // last of them ends; the same happens when the wrapper is collected.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    encoder_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<ImageEncoder> encoder_;
};

}  // namespace

void InitImage(Napi::Env env, Napi::Object exports) {
  exports.Set("ImageEncoder", ImageEncoderWrap::Define(env));
}

}  // namespace rfb
