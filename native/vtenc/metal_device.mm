#include "metal_device.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "metal_shaders.h"

namespace rfb {
namespace {

int alignedStride(PixelFormat format, int width) {
  const int row = width * bytesPerPixel(format);
  return (row + 63) & ~63;
}

unsigned orderOf(PixelFormat f) {
  return f == PixelFormat::NV12 ? kMetalOrderNv12 : f == PixelFormat::BGRA ? kMetalOrderBgra : kMetalOrderRgba;
}

std::string describe(NSError* error) {
  return error ? std::string([[error localizedDescription] UTF8String]) : std::string("unknown error");
}

}  // namespace

HostImage MetalImage::host() const {
  HostImage img;
  img.data = static_cast<const uint8_t*>([buffer contents]);
  img.length = [buffer length];
  img.format = format;
  img.width = width;
  img.height = height;
  img.stride = stride;
  return img;
}

MetalDevice& MetalDevice::shared() {
  static std::once_flag once;
  static std::unique_ptr<MetalDevice> device;
  static std::string failure;
  std::call_once(once, [] {
    try {
      device.reset(new MetalDevice());
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  if (!device) throw std::runtime_error(failure);
  return *device;
}

MetalDevice::MetalDevice() {
  @autoreleasepool {
    device_ = MTLCreateSystemDefaultDevice();
    if (!device_) throw std::runtime_error("no Metal device");
    queue_ = [device_ newCommandQueue];
    if (!queue_) throw std::runtime_error("Metal gave no command queue");
    rgbToNv12_ = compile(metalShaderSource(), "rgb_to_nv12");
    toRgb_ = compile(metalShaderSource(), "to_rgb");
  }
}

std::string MetalDevice::name() const { return [[device_ name] UTF8String]; }

id<MTLComputePipelineState> MetalDevice::compile(const std::string& source, const std::string& entry) {
  @autoreleasepool {
    NSError* error = nil;
    id<MTLLibrary> library = [device_ newLibraryWithSource:[NSString stringWithUTF8String:source.c_str()]
                                                   options:nil
                                                     error:&error];
    if (!library) throw std::runtime_error("Metal shader compile failed: " + describe(error));
    id<MTLFunction> function = [library newFunctionWithName:[NSString stringWithUTF8String:entry.c_str()]];
    if (!function) throw std::runtime_error("Metal shader has no kernel named '" + entry + "'");
    id<MTLComputePipelineState> pipeline = [device_ newComputePipelineStateWithFunction:function error:&error];
    if (!pipeline) throw std::runtime_error("Metal pipeline for '" + entry + "' failed: " + describe(error));
    return pipeline;
  }
}

id<MTLBuffer> MetalDevice::newBuffer(size_t bytes) {
  id<MTLBuffer> buffer = [device_ newBufferWithLength:bytes options:MTLResourceStorageModeShared];
  if (!buffer) throw std::runtime_error("Metal could not allocate " + std::to_string(bytes) + " bytes");
  return buffer;
}

MetalImage MetalDevice::newImage(PixelFormat format, int width, int height) {
  MetalImage img;
  img.format = format;
  img.width = width;
  img.height = height;
  img.stride = alignedStride(format, width);
  img.buffer = newBuffer(requiredBytes(format, width, height, img.stride));
  return img;
}

double MetalDevice::run(id<MTLComputePipelineState> pipeline, const std::vector<MetalArg>& args, size_t gridWidth,
                        size_t gridHeight) {
  @autoreleasepool {
    id<MTLCommandBuffer> command = [queue_ commandBuffer];
    id<MTLComputeCommandEncoder> encoder = [command computeCommandEncoder];
    [encoder setComputePipelineState:pipeline];
    for (NSUInteger i = 0; i < args.size(); ++i) {
      if (args[i].buffer) {
        [encoder setBuffer:args[i].buffer offset:0 atIndex:i];
      } else {
        [encoder setBytes:args[i].bytes length:args[i].length atIndex:i];
      }
    }
    // Whole threadgroups over the grid; the kernels bounds-check, so this
    // works on GPUs without non-uniform threadgroup support.
    const NSUInteger w = [pipeline threadExecutionWidth];
    const NSUInteger h = std::max<NSUInteger>(1, [pipeline maxTotalThreadsPerThreadgroup] / w);
    [encoder dispatchThreadgroups:MTLSizeMake((gridWidth + w - 1) / w, (gridHeight + h - 1) / h, 1)
            threadsPerThreadgroup:MTLSizeMake(w, h, 1)];
    [encoder endEncoding];
    [command commit];
    [command waitUntilCompleted];
    if ([command status] != MTLCommandBufferStatusCompleted) {
      throw std::runtime_error("Metal command failed: " + describe([command error]));
    }
    return ([command GPUEndTime] - [command GPUStartTime]) * 1000.0;
  }
}

double MetalDevice::rgbToNv12(const MetalImage& src, const MetalImage& dst) {
  const MetalGeometry g{static_cast<unsigned>(src.width), static_cast<unsigned>(src.height),
                        static_cast<unsigned>(src.stride), static_cast<unsigned>(dst.stride), orderOf(src.format), 0};
  return run(rgbToNv12_, {{src.buffer}, {dst.buffer}, {nil, &g, sizeof g}}, src.width / 2, src.height / 2);
}

double MetalDevice::toRgb(const MetalImage& src, id<MTLBuffer> dst, PixelFormat dstFormat) {
  const unsigned bpp = static_cast<unsigned>(bytesPerPixel(dstFormat));
  const MetalGeometry g{static_cast<unsigned>(src.width), static_cast<unsigned>(src.height),
                        static_cast<unsigned>(src.stride), static_cast<unsigned>(src.width) * bpp, orderOf(src.format),
                        bpp};
  return run(toRgb_, {{src.buffer}, {dst}, {nil, &g, sizeof g}}, src.width, src.height);
}

}  // namespace rfb
