/**
 * The Metal kernels' source (native/vtenc/metal_shaders.h), compiled here as
 * C++ against a tiny stand-in for <metal_stdlib> and run on the CPU over the
 * whole grid: there is no GPU on Linux, but the arithmetic, the indexing and
 * the bounds checks are the same text that Metal compiles at run time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { convertFrameSync, createFrame, type HostFrame } from 'rfbcast';

import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from '../src/scenes/metal-pattern';
import { movingPattern } from '../src/scenes/patterns';
import { randomBytes, refRgb } from './helpers/yuv-reference';

const root = join(__dirname, '..');
const header = readFileSync(join(root, 'native/vtenc/metal_shaders.h'), 'utf8');
const source = /R"msl\(([\s\S]*?)\)msl"/.exec(header)![1];

const SHIM = `#pragma once
#include <cmath>
typedef unsigned char uchar;
typedef unsigned int uint;
struct uint2 { uint x, y; };
namespace metal {
inline float clamp(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }
inline float floor(float v) { return std::floor(v); }
inline uint max(uint a, uint b) { return a > b ? a : b; }
}
#define kernel
#define device
#define constant
`;

// Runs one kernel over its grid plus a margin of out-of-range threads, which
// must write nothing. argv: kernel w h srcStride dstStride order dstBpp dstLength
const DRIVER = `#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <iostream>
#include <string>
#include <vector>
#include "kernels.cpp"
#include "metal_shaders.h"
static_assert(sizeof(Geometry) == sizeof(rfb::MetalGeometry), "Geometry layouts differ");
int main(int argc, char** argv) {
  if (argc != 9) return 2;
  const std::string name = argv[1];
  rfb::MetalGeometry m{uint(atoi(argv[2])), uint(atoi(argv[3])), uint(atoi(argv[4])), uint(atoi(argv[5])),
                       uint(atoi(argv[6])), uint(atoi(argv[7]))};
  Geometry g;
  std::memcpy(&g, &m, sizeof g);
  std::vector<uchar> src((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::vector<uchar> dst(size_t(atoi(argv[8])), 0xEE);
  const bool blocks = name == "rgb_to_nv12";
  const uint gw = blocks ? g.width / 2 : g.width, gh = blocks ? g.height / 2 : g.height;
  for (uint y = 0; y < gh + 3; ++y)
    for (uint x = 0; x < gw + 5; ++x) {
      if (blocks) rgb_to_nv12(src.data(), dst.data(), g, uint2{x, y});
      else to_rgb(src.data(), dst.data(), g, uint2{x, y});
    }
  fwrite(dst.data(), 1, dst.size(), stdout);
  return 0;
}
`;

// Runs the pattern kernel over a width x height frame with stride and params[0] = index.
const PATTERN_DRIVER = `#include <cstdio>
#include <cstdlib>
#include <vector>
#include "pattern.cpp"
int main(int, char** argv) {
  FrameInfo f{uint(atoi(argv[1])), uint(atoi(argv[2])), uint(atoi(argv[3]))};
  float params[1] = {float(atoi(argv[4]))};
  std::vector<uchar> out(size_t(f.stride) * f.height, 0xEE);
  for (uint y = 0; y < f.height + 2; ++y)
    for (uint x = 0; x < f.width + 2; ++x) ${METAL_PATTERN_ENTRY}(out.data(), f, params, uint2{x, y});
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
`;

let dir: string;
let binary: string;
let patternBinary: string;

function compile(driver: string, output: string): void {
  const cc = spawnSync('c++', ['-std=c++17', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-attributes',
    `-I${dir}`, `-I${join(root, 'native/vtenc')}`, join(dir, driver), '-o', output]);
  if (cc.status !== 0) throw new Error(`Metal source does not compile as C++:\n${cc.stderr.toString()}`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rfbcast-msl-'));
  writeFileSync(join(dir, 'metal_stdlib'), SHIM);
  writeFileSync(join(dir, 'kernels.cpp'), source);
  writeFileSync(join(dir, 'driver.cpp'), DRIVER);
  writeFileSync(join(dir, 'pattern.cpp'), METAL_PATTERN_SOURCE);
  writeFileSync(join(dir, 'pattern-driver.cpp'), PATTERN_DRIVER);
  binary = join(dir, 'kernels');
  patternBinary = join(dir, 'pattern');
  compile('driver.cpp', binary);
  compile('pattern-driver.cpp', patternBinary);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORDER = { rgba: 0, bgra: 1, nv12: 2 } as const;

function runKernel(name: string, src: Uint8Array, g: number[], dstLength: number): Buffer {
  const r = spawnSync(binary, [name, ...g.map(String), String(dstLength)], { input: src, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`kernel run failed: ${r.stderr.toString()}`);
  return r.stdout;
}

describe('Metal kernels, run on the CPU', () => {
  it.each(['rgba', 'bgra'] as const)('rgb_to_nv12 from %s gives the CPU conversion byte for byte', (format) => {
    const [w, h, srcStride, dstStride] = [98, 36, 98 * 4 + 60, 128];
    const frame = createFrame({ data: randomBytes(srcStride * h, 11), width: w, height: h, stride: srcStride, pixelFormat: format }) as HostFrame;
    const out = runKernel('rgb_to_nv12', frame.data, [w, h, srcStride, dstStride, ORDER[format], 0], dstStride * h * 1.5);
    const cpu = convertFrameSync(frame, 'nv12').data;
    for (let r = 0; r < h * 1.5; r++) {
      expect(out.subarray(r * dstStride, r * dstStride + w).toString('hex')).toBe(Buffer.from(cpu.subarray(r * w, (r + 1) * w)).toString('hex'));
      expect(out[r * dstStride + w]).toBe(0xee); // row padding untouched
    }
  });

  it('to_rgb turns nv12 into RGB with the BT.601 inverse of PROTOCOL.md §13.2', () => {
    const [w, h, stride] = [40, 22, 64];
    const nv12 = randomBytes(stride * h * 1.5, 5);
    for (const bpp of [3, 4]) {
      const out = runKernel('to_rgb', nv12, [w, h, stride, w * bpp, ORDER.nv12, bpp], w * h * bpp);
      let worst = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const uv = stride * h + (y >> 1) * stride + (x & ~1);
          const want = refRgb(nv12[y * stride + x], nv12[uv], nv12[uv + 1]);
          const o = (y * w + x) * bpp;
          worst = Math.max(worst, Math.abs(out[o] - want.r), Math.abs(out[o + 1] - want.g), Math.abs(out[o + 2] - want.b));
          if (bpp === 4) expect(out[o + 3]).toBe(255);
        }
      }
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('to_rgb repacks rgba and bgra, keeping alpha', () => {
    const [w, h, stride] = [9, 5, 64];
    const src = randomBytes(stride * h, 9);
    const rgb24 = runKernel('to_rgb', src, [w, h, stride, w * 3, ORDER.bgra, 3], w * h * 3);
    const rgba = runKernel('to_rgb', src, [w, h, stride, w * 4, ORDER.rgba, 4], w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = src.subarray(y * stride + x * 4, y * stride + x * 4 + 4);
        expect([...rgb24.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)]).toEqual([p[2], p[1], p[0]]);
        expect([...rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)]).toEqual([...p]);
      }
    }
  });

  it('the scene kernel draws exactly movingPattern (what the fake kernel stands in for)', () => {
    for (const [w, h, stride, index] of [[96, 64, 448, 7], [33, 17, 132, 40]]) {
      const r = spawnSync(patternBinary, [w, h, stride, index].map(String), { maxBuffer: 1 << 24 });
      const want = movingPattern(w, h, index);
      for (let y = 0; y < h; y++) {
        expect(r.stdout.subarray(y * stride, y * stride + w * 4).equals(Buffer.from(want.subarray(y * w * 4, (y + 1) * w * 4)))).toBe(true);
      }
    }
  });
});
