// MetalFrame(width, height, pixelFormat): a frame in a shared MTLBuffer, with
// `contents` (a Uint8Array over the same memory), `stride` and the geometry.
// MetalKernel(source, entry).run(frame, params): a user compute kernel over
// every pixel. metalRgbToNv12 and metalToRgb: the conversions, on the pool.
#include "metal_napi.h"

#include "metal_frame_arg.h"

#include <cstring>
#include <memory>
#include <stdexcept>

#include "../common/napi_util.h"

namespace rfb {
namespace {

// Marks objects made by MetalFrame, so a look-alike is never unwrapped.
constexpr napi_type_tag kMetalFrameTag = {0x7266626361737431ULL, 0x6d6574616c667231ULL};

Napi::Object gpuTime(Napi::Env env, double ms) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("gpuMs", Napi::Number::New(env, ms));
  return out;
}

MetalDevice& device(Napi::Env env) {
  try {
    return MetalDevice::shared();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("Metal is unavailable: ") + e.what());
  }
}

class MetalFrame : public Napi::ObjectWrap<MetalFrame> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MetalFrame",
                       {InstanceAccessor<&MetalFrame::Width>("width"), InstanceAccessor<&MetalFrame::Height>("height"),
                        InstanceAccessor<&MetalFrame::Stride>("stride"),
                        InstanceAccessor<&MetalFrame::Format>("pixelFormat"),
                        InstanceAccessor<&MetalFrame::Contents>("contents")});
  }

  explicit MetalFrame(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MetalFrame>(info) {
    Napi::Env env = info.Env();
    const int width = intArg(info, 0, "width");
    const int height = intArg(info, 1, "height");
    const PixelFormat format = formatArg(info, 2);
    if (format != PixelFormat::RGBA && format != PixelFormat::BGRA && format != PixelFormat::NV12) {
      throw Napi::TypeError::New(env, "a Metal frame is rgba, bgra or nv12");
    }
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
      throw Napi::RangeError::New(env, "Metal frame size must be 1 to 16384 per side");
    }
    if (format == PixelFormat::NV12 && ((width | height) & 1)) {
      throw Napi::RangeError::New(env, "an nv12 Metal frame needs an even width and height");
    }
    try {
      image_ = device(env).newImage(format, width, height);
    } catch (const std::runtime_error& e) {
      throw Napi::Error::New(env, e.what());
    }
    // One external ArrayBuffer for the frame's lifetime: V8 refuses a second
    // one over the same memory. It keeps the MTLBuffer alive on its own.
    void* retained = (__bridge_retained void*)image_.buffer;
    Napi::ArrayBuffer bytes = Napi::ArrayBuffer::New(
        env, [image_.buffer contents], [image_.buffer length],
        [](Napi::Env, void*, void* hint) { CFRelease(hint); }, retained);
    contents_ = Napi::Persistent(Napi::Uint8Array::New(env, bytes.ByteLength(), bytes, 0));
    info.This().As<Napi::Object>().TypeTag(&kMetalFrameTag);
  }

  const MetalImage& image() const { return image_; }

 private:
  Napi::Value Width(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), image_.width); }
  Napi::Value Height(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), image_.height); }
  Napi::Value Stride(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), image_.stride); }
  Napi::Value Format(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), pixelFormatName(image_.format));
  }
  Napi::Value Contents(const Napi::CallbackInfo&) { return contents_.Value(); }

  MetalImage image_;
  Napi::Reference<Napi::Uint8Array> contents_;
};

class MetalKernel : public Napi::ObjectWrap<MetalKernel> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MetalKernel", {InstanceMethod<&MetalKernel::Run>("run")});
  }

  // Compiles at construction: a kernel is made once and run per frame.
  explicit MetalKernel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MetalKernel>(info) {
    const std::string source = stringArg(info, 0, "source");
    const std::string entry = stringArg(info, 1, "entry");
    try {
      pipeline_ = device(info.Env()).compile(source, entry);
    } catch (const std::runtime_error& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
  }

 private:
  struct FrameInfo {
    uint32_t width, height, stride;
  };

  // run(frame, params: Float32Array) -> Promise<{ gpuMs }>. The kernel sees
  // the frame's bytes at buffer(0), FrameInfo at buffer(1), params at buffer(2).
  Napi::Value Run(const Napi::CallbackInfo& info) {
    const MetalImage image = metalImageOf(info[0], "frame");
    if (info.Length() < 2 || !info[1].IsTypedArray() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw Napi::TypeError::New(info.Env(), "params must be a Float32Array");
    }
    const ByteView params = bytesOf(info[1], "params");
    if (params.length == 0 || params.length > 4096) {
      throw Napi::RangeError::New(info.Env(), "params must hold 1 to 1024 floats");
    }
    auto copy = std::make_shared<std::vector<uint8_t>>(params.data, params.data + params.length);
    auto ms = std::make_shared<double>(0);
    id<MTLComputePipelineState> pipeline = pipeline_;
    const FrameInfo frame{static_cast<uint32_t>(image.width), static_cast<uint32_t>(image.height),
                          static_cast<uint32_t>(image.stride)};
    return PromiseWorker::Start(
        info.Env(), {info[0], info.This()},
        [pipeline, image, frame, copy, ms] {
          *ms = MetalDevice::shared().run(
              pipeline, {{image.buffer}, {nil, &frame, sizeof frame}, {nil, copy->data(), copy->size()}}, image.width,
              image.height);
        },
        [ms](Napi::Env env) -> Napi::Value { return gpuTime(env, *ms); });
  }

  id<MTLComputePipelineState> pipeline_;
};

Napi::Value Available(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  try {
    out.Set("device", Napi::String::New(env, MetalDevice::shared().name()));
    out.Set("available", Napi::Boolean::New(env, true));
  } catch (const std::exception& e) {
    out.Set("available", Napi::Boolean::New(env, false));
    out.Set("reason", Napi::String::New(env, e.what()));
  }
  return out;
}

// (src rgba|bgra MetalFrame, dst nv12 MetalFrame of the same size) -> Promise<{ gpuMs }>
Napi::Value RgbToNv12(const Napi::CallbackInfo& info) {
  const MetalImage src = metalImageOf(info[0], "source");
  const MetalImage dst = metalImageOf(info[1], "destination");
  if (src.format == PixelFormat::NV12 || dst.format != PixelFormat::NV12) {
    throw Napi::TypeError::New(info.Env(), "metalRgbToNv12 converts an rgba or bgra frame into an nv12 frame");
  }
  if (src.width != dst.width || src.height != dst.height) {
    throw Napi::RangeError::New(info.Env(), "source and destination Metal frames differ in size");
  }
  auto ms = std::make_shared<double>(0);
  return PromiseWorker::Start(
      info.Env(), {info[0], info[1]}, [src, dst, ms] { *ms = MetalDevice::shared().rgbToNv12(src, dst); },
      [ms](Napi::Env env) -> Napi::Value { return gpuTime(env, *ms); });
}

// (src MetalFrame, dstFormat 'rgba'|'rgb24', dst Uint8Array of width*height*bpp) -> Promise<{ gpuMs }>
Napi::Value ToRgb(const Napi::CallbackInfo& info) {
  const MetalImage src = metalImageOf(info[0], "source");
  const PixelFormat format = formatArg(info, 1);
  if (format != PixelFormat::RGBA && format != PixelFormat::RGB24) {
    throw Napi::TypeError::New(info.Env(), "metalToRgb writes rgba or rgb24");
  }
  const ByteView dst = bytesOf(info[2], "destination");
  const size_t size = static_cast<size_t>(src.width) * src.height * bytesPerPixel(format);
  if (dst.length < size) throw Napi::RangeError::New(info.Env(), "destination is too small for the frame");
  auto ms = std::make_shared<double>(0);
  return PromiseWorker::Start(
      info.Env(), {info[0], info[2]},
      [src, format, dst, size, ms] {
        MetalDevice& gpu = MetalDevice::shared();
        id<MTLBuffer> staging = gpu.newBuffer(size);
        *ms = gpu.toRgb(src, staging, format);
        std::memcpy(dst.data, [staging contents], size);
      },
      [ms](Napi::Env env) -> Napi::Value { return gpuTime(env, *ms); });
}

}  // namespace

const MetalImage& metalImageOf(const Napi::Value& value, const char* what) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kMetalFrameTag)) {
    throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a MetalFrame");
  }
  return MetalFrame::Unwrap(value.As<Napi::Object>())->image();
}

void InitMetal(Napi::Env env, Napi::Object exports) {
  exports.Set("MetalFrame", MetalFrame::Define(env));
  exports.Set("MetalKernel", MetalKernel::Define(env));
  exports.Set("metalAvailable", Napi::Function::New(env, Available, "metalAvailable"));
  exports.Set("metalRgbToNv12", Napi::Function::New(env, RgbToNv12, "metalRgbToNv12"));
  exports.Set("metalToRgb", Napi::Function::New(env, ToRgb, "metalToRgb"));
}

}  // namespace rfb
