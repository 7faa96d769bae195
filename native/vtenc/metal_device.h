// The Metal side of rfbcast (Objective-C++; included from .mm files only):
// frames in shared-storage buffers, the conversion kernels, and dispatch.
#pragma once
#import <Metal/Metal.h>

#include <string>
#include <vector>

#include "../convert/pixel_format.h"

namespace rfb {

// A frame in a shared-storage MTLBuffer, so the CPU can read and write it
// without a copy. The layout is that of a host frame (pixel_format.h): rows of
// `stride` bytes, and for NV12 the CbCr plane right after the Y plane.
struct MetalImage {
  id<MTLBuffer> buffer = nil;
  PixelFormat format = PixelFormat::RGBA;
  int width = 0;
  int height = 0;
  int stride = 0;

  // A host view of the buffer's contents (valid while `buffer` lives).
  HostImage host() const;
};

// One argument of a kernel, by index: a buffer, or a few bytes set inline.
struct MetalArg {
  id<MTLBuffer> buffer = nil;
  const void* bytes = nullptr;
  size_t length = 0;
};

class MetalDevice {
 public:
  // The system default GPU with the conversion kernels compiled. Throws
  // std::runtime_error naming the reason when there is no usable device.
  static MetalDevice& shared();

  // Allocates a frame; rows are padded to 64 bytes, as GPUs like them.
  MetalImage newImage(PixelFormat format, int width, int height);
  id<MTLBuffer> newBuffer(size_t bytes);
  id<MTLComputePipelineState> compile(const std::string& source, const std::string& entry);
  std::string name() const;

  // Each call commits one command buffer, waits for it (the caller is a pool
  // thread), and returns the GPU time in milliseconds.
  double rgbToNv12(const MetalImage& src, const MetalImage& dst);
  double toRgb(const MetalImage& src, id<MTLBuffer> dst, PixelFormat dstFormat);
  double run(id<MTLComputePipelineState> pipeline, const std::vector<MetalArg>& args, size_t gridWidth,
             size_t gridHeight);

 private:
  MetalDevice();
  id<MTLDevice> device_;
  id<MTLCommandQueue> queue_;
  id<MTLComputePipelineState> rgbToNv12_;
  id<MTLComputePipelineState> toRgb_;
};

}  // namespace rfb
