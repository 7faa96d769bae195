// Small helpers shared by the N-API modules: byte views over JS typed arrays,
// argument checks, and a promise-returning worker for the libuv thread pool.
#pragma once
#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "../convert/pixel_format.h"

namespace rfb {

struct ByteView {
  uint8_t* data = nullptr;
  size_t length = 0;
};

// Any TypedArray, DataView or ArrayBuffer; throws a TypeError otherwise.
ByteView bytesOf(const Napi::Value& value, const char* what);

int intArg(const Napi::CallbackInfo& info, size_t i, const char* what);
// o[name] as an int, or `fallback` when it is undefined; a TypeError when it is not a number.
int intOption(const Napi::Object& o, const char* name, int fallback);
std::string stringArg(const Napi::CallbackInfo& info, size_t i, const char* what);
PixelFormat formatArg(const Napi::CallbackInfo& info, size_t i);

// Reads (data, format, width, height, stride) starting at argument `first` and
// checks the buffer is long enough for that geometry.
HostImage hostImageArgs(const Napi::CallbackInfo& info, size_t first);


// Runs `work` on a pool thread and settles a promise with `done(env)` on the JS
// thread. `keepAlive` values (the input and output buffers) stay referenced
// until the job ends so the garbage collector cannot free memory in use. A
// std::exception thrown by `work` rejects the promise with its message.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Done = std::function<Napi::Value(Napi::Env)>;

  static Napi::Promise Start(Napi::Env env, const std::vector<Napi::Value>& keepAlive, Work work, Done done);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  PromiseWorker(Napi::Env env, Work work, Done done);
  Napi::Promise::Deferred deferred_;
  Work work_;
  Done done_;
  std::vector<Napi::Reference<Napi::Value>> keepAlive_;
};

}  // namespace rfb
