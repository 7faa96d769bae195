#include "napi_util.h"

#include <climits>
#include <cmath>
#include <stdexcept>

namespace rfb {

ByteView bytesOf(const Napi::Value& value, const char* what) {
  ByteView v;
  if (value.IsTypedArray()) {
    Napi::TypedArray ta = value.As<Napi::TypedArray>();
    Napi::ArrayBuffer ab = ta.ArrayBuffer();
    v.data = static_cast<uint8_t*>(ab.Data()) + ta.ByteOffset();
    v.length = ta.ByteLength();
  } else if (value.IsDataView()) {
    Napi::DataView dv = value.As<Napi::DataView>();
    v.data = static_cast<uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    v.length = dv.ByteLength();
  } else if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer ab = value.As<Napi::ArrayBuffer>();
    v.data = static_cast<uint8_t*>(ab.Data());
    v.length = ab.ByteLength();
  } else {
    throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a Uint8Array, Buffer or ArrayBuffer");
  }
  return v;
}

int intArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  const double d = info[i].As<Napi::Number>().DoubleValue();
  // Checked before the cast: converting NaN or an out-of-range double to int is undefined.
  if (!std::isfinite(d) || d != std::trunc(d) || d < INT_MIN || d > INT_MAX) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + " must be an integer");
  }
  return static_cast<int>(d);
}

int intOption(const Napi::Object& o, const char* name, int fallback) {
  const Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a string");
  }
  return info[i].As<Napi::String>().Utf8Value();
}

PixelFormat formatArg(const Napi::CallbackInfo& info, size_t i) {
  PixelFormat f;
  const std::string name = stringArg(info, i, "pixelFormat");
  if (!parsePixelFormat(name, &f)) {
    throw Napi::TypeError::New(info.Env(), "unknown pixel format '" + name + "'");
  }
  return f;
}

HostImage hostImageArgs(const Napi::CallbackInfo& info, size_t first) {
  HostImage img;
  const ByteView bytes = bytesOf(info[first], "frame data");
  img.data = bytes.data;
  img.length = bytes.length;
  img.format = formatArg(info, first + 1);
  img.width = intArg(info, first + 2, "width");
  img.height = intArg(info, first + 3, "height");
  img.stride = intArg(info, first + 4, "stride");
  try {
    checkHostImage(img);
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(info.Env(), e.what());
  }
  return img;
}

Napi::Promise PromiseWorker::Start(Napi::Env env, const std::vector<Napi::Value>& keepAlive, Work work, Done done) {
  auto* worker = new PromiseWorker(env, std::move(work), std::move(done));
  for (const Napi::Value& v : keepAlive) worker->keepAlive_.push_back(Napi::Persistent(v));
  Napi::Promise promise = worker->deferred_.Promise();
  worker->Queue();
  return promise;
}

PromiseWorker::PromiseWorker(Napi::Env env, Work work, Done done)
    : Napi::AsyncWorker(env, "rfbcast"), deferred_(Napi::Promise::Deferred::New(env)),
      work_(std::move(work)), done_(std::move(done)) {}

void PromiseWorker::Execute() {
  try {
    work_();
  } catch (const std::exception& e) {
    SetError(e.what());
  }
}

void PromiseWorker::OnOK() {
  Napi::HandleScope scope(Env());
  try {
    deferred_.Resolve(done_(Env()));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  }
}

void PromiseWorker::OnError(const Napi::Error& error) {
  Napi::HandleScope scope(Env());
  deferred_.Reject(error.Value());
}

}  // namespace rfb
