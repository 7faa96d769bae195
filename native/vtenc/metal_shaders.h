// Metal Shading Language source of rfbcast's conversion kernels, compiled at
// run time with newLibraryWithSource (no offline metallib to ship). Kept
// free of vector types so test/vtenc-metal-kernels.test.ts can compile the
// same text as C++ against a small shim and check it on the CPU.
#pragma once

namespace rfb {

// Must match struct Geometry below, field for field.
struct MetalGeometry {
  unsigned width;      // pixels
  unsigned height;
  unsigned srcStride;  // bytes per row of the source (and of its CbCr plane)
  unsigned dstStride;  // bytes per row of the destination
  unsigned order;      // source layout: 0 rgba, 1 bgra, 2 nv12
  unsigned dstBpp;     // to_rgb: 4 writes rgba, 3 writes rgb24
};

constexpr unsigned kMetalOrderRgba = 0, kMetalOrderBgra = 1, kMetalOrderNv12 = 2;

inline const char* metalShaderSource() {
  return R"msl(
#include <metal_stdlib>
using namespace metal;

struct Geometry {
  uint width;
  uint height;
  uint srcStride;
  uint dstStride;
  uint order;
  uint dstBpp;
};

// RGBA/BGRA -> NV12, BT.601 limited range (PROTOCOL.md 13.2), one thread per
// 2x2 block. The integer coefficients and rounding are those of the CPU path
// (native/convert/rgb_to_yuv.cc), so both give identical bytes; chroma is
// taken from the block's top-left pixel, not averaged.
kernel void rgb_to_nv12(device const uchar* src [[buffer(0)]],
                        device uchar* dst [[buffer(1)]],
                        constant Geometry& g [[buffer(2)]],
                        uint2 block [[thread_position_in_grid]]) {
  const uint x = block.x * 2;
  const uint y = block.y * 2;
  if (x >= g.width || y >= g.height) return;
  const uint ri = g.order == 1 ? 2 : 0;
  const uint bi = g.order == 1 ? 0 : 2;
  for (uint dy = 0; dy < 2; ++dy) {
    for (uint dx = 0; dx < 2; ++dx) {
      device const uchar* p = src + (y + dy) * g.srcStride + (x + dx) * 4;
      const uint r = p[ri];
      const uint gr = p[1];
      const uint b = p[bi];
      dst[(y + dy) * g.dstStride + x + dx] = uchar((66 * r + 129 * gr + 25 * b + 0x1080) >> 8);
    }
  }
  device const uchar* p = src + y * g.srcStride + x * 4;
  const int r = p[ri];
  const int gr = p[1];
  const int b = p[bi];
  device uchar* uv = dst + g.height * g.dstStride + (y / 2) * g.dstStride + x;
  uv[0] = uchar((112 * b - 38 * r - 74 * gr + 0x8080) >> 8);
  uv[1] = uchar((112 * r - 94 * gr - 18 * b + 0x8080) >> 8);
}

uchar to_byte(float v) {
  return uchar(clamp(floor(v + 0.5f), 0.0f, 255.0f));
}

// Any rfbcast Metal frame -> packed RGBA or RGB24 for host downloads. NV12
// goes through the BT.601 limited-range inverse of PROTOCOL.md 13.2.
kernel void to_rgb(device const uchar* src [[buffer(0)]],
                   device uchar* dst [[buffer(1)]],
                   constant Geometry& g [[buffer(2)]],
                   uint2 pos [[thread_position_in_grid]]) {
  if (pos.x >= g.width || pos.y >= g.height) return;
  device uchar* o = dst + pos.y * g.dstStride + pos.x * g.dstBpp;
  uchar alpha = 255;
  if (g.order == 2) {
    const float c = 1.164f * (float(src[pos.y * g.srcStride + pos.x]) - 16.0f);
    device const uchar* uv = src + g.height * g.srcStride + (pos.y / 2) * g.srcStride + (pos.x / 2) * 2;
    const float cb = float(uv[0]) - 128.0f;
    const float cr = float(uv[1]) - 128.0f;
    o[0] = to_byte(c + 1.596f * cr);
    o[1] = to_byte(c - 0.392f * cb - 0.813f * cr);
    o[2] = to_byte(c + 2.017f * cb);
  } else {
    device const uchar* p = src + pos.y * g.srcStride + pos.x * 4;
    o[0] = p[g.order == 1 ? 2 : 0];
    o[1] = p[1];
    o[2] = p[g.order == 1 ? 0 : 2];
    alpha = p[3];
  }
  if (g.dstBpp == 4) o[3] = alpha;
}
)msl";
}

}  // namespace rfb
