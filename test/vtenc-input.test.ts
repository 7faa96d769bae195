/**
 * The VideoToolbox encoder's input step: any host frame written into the two
 * padded planes of a pixel buffer (native/vtenc/nv12_input.cc, the code the
 * macOS build runs), checked against the addon's own CPU conversion.
 */
import { convertFrameSync, createFrame, type HostFrame, type PixelFormat } from 'rfbcast';

import { bitstream } from './helpers/native-bitstream';
import { randomBytes } from './helpers/yuv-reference';

const native = bitstream();

/** A pixel-buffer-like target: padded rows, and the CbCr plane at its own offset after a gap. */
function target(width: number, height: number) {
  const yStride = width + 32;
  const uvStride = width + 48;
  const uvOffset = yStride * height + 100;
  return { yStride, uvStride, uvOffset, dst: new Uint8Array(uvOffset + uvStride * (height / 2)).fill(0xee) };
}

/** The target's planes as a tightly packed NV12 buffer. */
function packed(t: ReturnType<typeof target>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 1.5);
  for (let r = 0; r < height; r++) out.set(t.dst.subarray(r * t.yStride, r * t.yStride + width), r * width);
  for (let r = 0; r < height / 2; r++) {
    const at = t.uvOffset + r * t.uvStride;
    out.set(t.dst.subarray(at, at + width), width * height + r * width);
  }
  return out;
}

function frameOf(format: PixelFormat, width: number, height: number, stride: number, seed: number): HostFrame {
  const size = format === 'nv12' || format === 'i420' ? stride * height * 1.5 : stride * height;
  return createFrame({ data: randomBytes(size, seed), width, height, stride, pixelFormat: format }) as HostFrame;
}

function write(frame: HostFrame, t: ReturnType<typeof target>): void {
  const { data, pixelFormat, width, height, stride } = frame;
  native.vtWriteNv12(data, pixelFormat, width, height, stride, t.dst, t.yStride, t.uvOffset, t.uvStride);
}

describe('vtWriteNv12 (host frame -> pixel buffer planes)', () => {
  it.each([
    ['rgba', 4],
    ['bgra', 4],
    ['rgb24', 3],
  ] as const)('converts %s exactly as the CPU conversion does', (format, bpp) => {
    const [w, h] = [70, 34];
    const frame = frameOf(format, w, h, w * bpp + 12, 7);
    const t = target(w, h);
    write(frame, t);
    expect(Buffer.from(packed(t, w, h))).toEqual(Buffer.from(convertFrameSync(frame, 'nv12').data));
  });

  it('copies strided nv12 and interleaves i420 without touching the row padding', () => {
    const [w, h] = [64, 20];
    const nv12 = frameOf('nv12', w, h, w + 16, 3);
    const t = target(w, h);
    write(nv12, t);
    const rows = (f: HostFrame, r: number) => f.data.subarray(r * f.stride, r * f.stride + w);
    const got = packed(t, w, h);
    for (let r = 0; r < h * 1.5; r++) expect(Buffer.from(got.subarray(r * w, (r + 1) * w))).toEqual(Buffer.from(rows(nv12, r)));
    expect(t.dst[w]).toBe(0xee); // padding after the first Y row
    expect(t.dst[t.uvOffset - 1]).toBe(0xee); // the gap before the CbCr plane

    const i420 = frameOf('i420', w, h, w, 5);
    const t2 = target(w, h);
    write(i420, t2);
    const uv = packed(t2, w, h).subarray(w * h);
    const u = i420.data.subarray(w * h, w * h * 1.25);
    const v = i420.data.subarray(w * h * 1.25);
    for (let i = 0; i < u.length; i++) {
      expect([uv[2 * i], uv[2 * i + 1]]).toEqual([u[i], v[i]]);
    }
  });

  it('refuses planes that do not fit the destination', () => {
    const frame = frameOf('rgba', 8, 4, 32, 1);
    const { data } = frame;
    expect(() => native.vtWriteNv12(data, 'rgba', 8, 4, 32, new Uint8Array(40), 8, 32, 8)).toThrow(
      'destination planes do not fit the destination buffer',
    );
    expect(() => native.vtWriteNv12(data, 'rgba', 8, 4, 32, new Uint8Array(64), 4, 32, 8)).toThrow(/do not fit/);
    expect(() => native.vtWriteNv12(data.subarray(0, 50), 'rgba', 8, 4, 32, new Uint8Array(64), 8, 32, 8)).toThrow(
      /buffer too short/,
    );
  });
});
