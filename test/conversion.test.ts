import { ConversionError, convertFrame, convertFrameSync, createFrame, type HostFrame, type PixelFormat } from 'rfbcast';

import { randomBytes, refCb, refCr, refRgb, refY, type Rgb } from './helpers/yuv-reference';

const CHANNELS: Record<'rgba' | 'bgra' | 'rgb24', { r: number; g: number; b: number; bpp: number }> = {
  rgba: { r: 0, g: 1, b: 2, bpp: 4 },
  bgra: { r: 2, g: 1, b: 0, bpp: 4 },
  rgb24: { r: 0, g: 1, b: 2, bpp: 3 },
};

function pixel(frame: HostFrame, x: number, y: number): Rgb {
  const c = CHANNELS[frame.pixelFormat as keyof typeof CHANNELS];
  const o = y * frame.stride + x * c.bpp;
  return { r: frame.data[o + c.r], g: frame.data[o + c.g], b: frame.data[o + c.b] };
}

/** Y, Cb, Cr of a tightly packed 4:2:0 frame at luma position (x, y). */
function yuvAt(frame: HostFrame, x: number, y: number): [number, number, number] {
  const { width: w, height: h, data } = frame;
  const cx = x >> 1;
  const cy = y >> 1;
  if (frame.pixelFormat === 'nv12') {
    const uv = w * h + cy * w + cx * 2;
    return [data[y * w + x], data[uv], data[uv + 1]];
  }
  const u = w * h + cy * (w / 2) + cx;
  return [data[y * w + x], data[u], data[u + (w / 2) * (h / 2)]];
}

function randomRgbFrame(format: 'rgba' | 'bgra' | 'rgb24', width: number, height: number, pad: number, seed: number) {
  const stride = width * CHANNELS[format].bpp + pad;
  return createFrame({ data: randomBytes(stride * height, seed), width, height, stride, pixelFormat: format }) as HostFrame;
}

describe('RGB -> YUV 4:2:0 against the BT.601 reference', () => {
  const cases: Array<['rgba' | 'bgra' | 'rgb24', 'i420' | 'nv12', number, number, number]> = [
    ['rgba', 'i420', 98, 36, 0],
    ['rgba', 'nv12', 130, 18, 7],
    ['bgra', 'i420', 64, 10, 13],
    ['bgra', 'nv12', 96, 66, 3],
    ['rgb24', 'i420', 34, 22, 5],
    ['rgb24', 'nv12', 70, 8, 1],
  ];
  it.each(cases)('%s -> %s at %dx%d, row padding %d', async (from, to, w, h, pad) => {
    const src = randomRgbFrame(from, w, h, pad, w * h + pad);
    for (const out of [await convertFrame(src, to), convertFrameSync(src, to)]) {
      expect(out).toMatchObject({ width: w, height: h, pixelFormat: to, stride: w });
      let maxY = 0;
      let maxC = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const [Y, Cb, Cr] = yuvAt(out, x, y);
          maxY = Math.max(maxY, Math.abs(Y - refY(pixel(src, x, y))));
          // Chroma comes from the top-left pixel of each 2x2 block, not an average.
          const tl = pixel(src, x & ~1, y & ~1);
          maxC = Math.max(maxC, Math.abs(Cb - refCb(tl)), Math.abs(Cr - refCr(tl)));
        }
      }
      expect(maxY).toBeLessThanOrEqual(1);
      expect(maxC).toBeLessThanOrEqual(2);
    }
  });

  it('grey 123 gives Y 122 and neutral chroma; the NV12 chroma plane starts at W*H', () => {
    const w = 8;
    const h = 4;
    const grey = new Uint8Array(w * h * 4).fill(123);
    const nv12 = convertFrameSync(createFrame({ data: grey, width: w, height: h }) as HostFrame, 'nv12');
    expect(nv12.data.byteLength).toBe(w * h * 1.5);
    for (let i = 0; i < w * h; i++) expect(Math.abs(nv12.data[i] - 122)).toBeLessThanOrEqual(1);
    for (let i = w * h; i < nv12.data.byteLength; i++) expect(Math.abs(nv12.data[i] - 128)).toBeLessThanOrEqual(1);
  });
});

describe('YUV 4:2:0 -> RGB against the BT.601 reference', () => {
  // libyuv's 6-bit fixed-point inverse matrix rounds differently from the
  // floating-point formula; it stays within 3 levels on random input.
  const TOLERANCE = 3;
  const cases: Array<['i420' | 'nv12', 'rgba' | 'rgb24', number, number, number]> = [
    ['i420', 'rgba', 64, 18, 6],
    ['i420', 'rgb24', 42, 10, 0],
    ['nv12', 'rgba', 36, 12, 10],
    ['nv12', 'rgb24', 100, 20, 2],
  ];
  it.each(cases)('%s -> %s at %dx%d, row padding %d', async (from, to, w, h, pad) => {
    const stride = w + pad;
    const src = createFrame({
      data: randomBytes(stride * h * 1.5, w + h),
      width: w,
      height: h,
      stride,
      pixelFormat: from,
    }) as HostFrame;
    const bpp = to === 'rgba' ? 4 : 3;
    for (const out of [await convertFrame(src, to), convertFrameSync(src, to)]) {
      expect(out).toMatchObject({ width: w, height: h, stride: w * bpp });
      let maxErr = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const Y = src.data[y * stride + x];
          const chroma = stride * h;
          const [cb, cr] =
            from === 'nv12'
              ? [src.data[chroma + (y >> 1) * stride + (x & ~1)], src.data[chroma + (y >> 1) * stride + (x & ~1) + 1]]
              : [
                  src.data[chroma + (y >> 1) * (stride / 2) + (x >> 1)],
                  src.data[chroma + (stride / 2) * (h / 2) + (y >> 1) * (stride / 2) + (x >> 1)],
                ];
          const ref = refRgb(Y, cb, cr);
          const o = (y * w + x) * bpp;
          maxErr = Math.max(maxErr, Math.abs(out.data[o] - ref.r), Math.abs(out.data[o + 1] - ref.g), Math.abs(out.data[o + 2] - ref.b));
          if (bpp === 4) expect(out.data[o + 3]).toBe(255);
        }
      }
      expect(maxErr).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});

describe('banded conversion of large frames', () => {
  it.each(['i420', 'nv12'] as const)('the async form, split over pool threads, equals the sync form (1080p -> %s)', async (to) => {
    const w = 1920;
    const h = 1080;
    const src = createFrame({ data: randomBytes(w * h * 4, 11), width: w, height: h }) as HostFrame;
    const banded = await convertFrame(src, to);
    const whole = convertFrameSync(src, to);
    expect(Buffer.compare(banded.data, whole.data)).toBe(0);
    const back = await convertFrame(banded, 'rgba');
    expect(Buffer.compare(back.data, convertFrameSync(whole, 'rgba').data)).toBe(0);
  });
});

describe('conversion errors and destinations', () => {
  const rgba = createFrame({ data: new Uint8Array(4 * 4 * 4), width: 4, height: 4 }) as HostFrame;

  it('writes into a caller-supplied destination', async () => {
    const dst = new Uint8Array(4 * 4 * 1.5 + 10);
    const out = await convertFrame(rgba, 'i420', { dst });
    expect(out.data.buffer).toBe(dst.buffer);
    expect(out.data.byteLength).toBe(24);
  });

  it.each([
    [() => convertFrameSync(rgba, 'bgra' as PixelFormat), /unsupported conversion rgba -> bgra/],
    [() => convertFrameSync(rgba, 'nv12', { dst: new Uint8Array(5) }), /destination holds 5 bytes; nv12 4x4 needs 24/],
    [
      () => convertFrameSync(createFrame({ data: new Uint8Array(3 * 2 * 4), width: 3, height: 2 }) as HostFrame, 'i420'),
      /needs an even width and height, got 3x2/,
    ],
  ])('throws a ConversionError naming the problem (%#)', (fn, message) => {
    expect(fn).toThrow(ConversionError);
    expect(fn).toThrow(message);
  });

  it('rejects the async form the same way', async () => {
    await expect(convertFrame(rgba, 'rgb24')).rejects.toThrow(/unsupported conversion rgba -> rgb24/);
  });
});

describe('async conversion keeps the event loop responsive', () => {
  it('the event loop keeps turning while 200 conversions at 1080p run on the pool', async () => {
    const w = 1920;
    const h = 1080;
    const src = createFrame({ data: randomBytes(w * h * 4, 7), width: w, height: h }) as HostFrame;
    const outs = Array.from({ length: 4 }, () => new Uint8Array(w * h * 1.5));
    // Counts turns of the event loop (one check phase each), not time: a conversion done on
    // this thread would finish all 200 without one turn, whatever the machine's speed.
    let turns = 0;
    let done = false;
    const turn = () => {
      if (done) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    // Four conversions at a time (the pool size), 200 in all, all started from this thread.
    let started = 0;
    const lane = async (dst: Uint8Array) => {
      while (started < 200) {
        started++;
        await convertFrame(src, started % 2 ? 'i420' : 'nv12', { dst });
      }
    };
    await Promise.all(outs.map(lane));
    done = true;
    expect(started).toBe(200);
    // Each lane waits for 50 conversions one after another, each finishing in a later turn.
    expect(turns).toBeGreaterThanOrEqual(50);
  });
});
