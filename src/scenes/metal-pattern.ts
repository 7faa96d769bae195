/**
 * movingPattern (patterns.ts) as a Metal compute kernel, for rendering Metal
 * frames on the GPU in the example, the vtenc benchmark and the macOS tests.
 * It writes the same bytes as movingPattern(width, height, params[0]), so a
 * GPU-rendered frame can be checked against the CPU pattern exactly.
 */
export const METAL_PATTERN_ENTRY = 'moving_pattern';

export const METAL_PATTERN_SOURCE = `
#include <metal_stdlib>
using namespace metal;

struct FrameInfo {
  uint width;
  uint height;
  uint stride;
};

kernel void moving_pattern(device uchar* out [[buffer(0)]],
                           constant FrameInfo& f [[buffer(1)]],
                           constant float* params [[buffer(2)]],
                           uint2 pos [[thread_position_in_grid]]) {
  if (pos.x >= f.width || pos.y >= f.height) return;
  const uint index = uint(params[0]);
  const uint boxW = max(1u, f.width / 8);
  const uint boxH = max(1u, f.height / 8);
  const uint bx = (index * 16) % max(1u, f.width - boxW);
  const uint by = (index * 9) % max(1u, f.height - boxH);
  const bool inBox = pos.x >= bx && pos.x < bx + boxW && pos.y >= by && pos.y < by + boxH;
  device uchar* p = out + pos.y * f.stride + pos.x * 4;
  p[0] = inBox ? 255 : uchar(pos.x * 255 / f.width);
  p[1] = inBox ? 220 : uchar(pos.y * 255 / f.height);
  const uint t = (((pos.x + pos.y) >> 1) + index * 4) & 511;
  p[2] = inBox ? 40 : uchar(t < 256 ? t : 511 - t);
  p[3] = 255;
}
`;
