/**
 * Image payloads decoded back with the system ffmpeg (never our own code):
 * PNG is exact, JPEG and WebP at quality 80 meet their PSNR floors, sizes are
 * right, and every host layout gives the same picture.
 */
import {
  convertFrameSync,
  createFrame,
  DISPLAY_P3,
  type EncodedUnit,
  type HostFrame,
  ImageEncoder,
  type ImageEncoderOptions,
} from 'rfbcast';

import { psnr, rgbaToRgb } from './helpers/ffmpeg';
import { decodeRgb, type PackedFormat, patternFrame, probeSize } from './helpers/image-frames';

const W = 1280;
const H = 720;

async function encodeOnce(options: ImageEncoderOptions, frame: HostFrame, still = false): Promise<EncodedUnit> {
  const encoder = new ImageEncoder(options);
  try {
    const opts = { timestampUs: 1234 };
    const payloads = await (still ? encoder.encodeStill(frame, opts) : encoder.encode(frame, opts));
    expect(payloads).toHaveLength(1);
    return payloads[0];
  } finally {
    await encoder.close();
  }
}

describe('decode-back with ffmpeg at 1280x720', () => {
  const frame = patternFrame(W, H, 5);
  const original = rgbaToRgb(frame.data);

  it('PNG is bit-exact', async () => {
    const payload = await encodeOnce({ mode: 'png' }, frame);
    expect(payload.mime).toBe('image/png');
    expect(probeSize(payload)).toEqual({ width: W, height: H });
    expect(Buffer.compare(decodeRgb(payload), Buffer.from(original))).toBe(0);
  });

  it.each([
    ['jpeg', 'image/jpeg', 32],
    ['webp', 'image/webp', 30],
  ] as const)('%s at quality 80 reaches its PSNR floor', async (mode, mime, floor) => {
    const payload = await encodeOnce({ mode, quality: 80 }, frame);
    expect(payload.mime).toBe(mime);
    expect(payload.keyframe).toBe(true);
    expect(probeSize(payload)).toEqual({ width: W, height: H });
    expect(psnr(decodeRgb(payload), original)).toBeGreaterThanOrEqual(floor);
  });

  it('a lower quality gives a smaller, worse JPEG', async () => {
    const q80 = await encodeOnce({ mode: 'jpeg', quality: 80 }, frame);
    const q30 = await encodeOnce({ mode: 'jpeg', quality: 30 }, frame);
    expect(q30.data.byteLength).toBeLessThan(q80.data.byteLength);
    expect(psnr(decodeRgb(q30), original)).toBeLessThan(psnr(decodeRgb(q80), original));
  });
});

describe('host layouts', () => {
  const w = 320;
  const h = 180;
  const layouts: Array<[PackedFormat, number]> = [
    ['rgba', 12],
    ['bgra', 0],
    ['bgra', 36],
    ['rgb24', 0],
    ['rgb24', 5],
  ];

  it.each(['jpeg', 'png', 'webp'] as const)('%s: strided, BGRA and RGB24 give the packed RGBA picture', async (mode) => {
    const packed = decodeRgb(await encodeOnce({ mode }, patternFrame(w, h, 0)));
    for (const [format, pad] of layouts) {
      const decoded = decodeRgb(await encodeOnce({ mode }, patternFrame(w, h, 0, format, pad)));
      expect({ format, pad, same: Buffer.compare(decoded, packed) === 0 }).toEqual({ format, pad, same: true });
    }
  });

  it.each(['nv12', 'i420'] as const)('%s frames are converted to RGB first, as the host does', async (yuv) => {
    const planar = convertFrameSync(patternFrame(w, h, 0), yuv);
    const expected = convertFrameSync(planar, 'rgb24').data;
    const payload = await encodeOnce({ mode: 'png' }, planar);
    expect(probeSize(payload)).toEqual({ width: w, height: h });
    expect(Buffer.compare(decodeRgb(payload), Buffer.from(expected))).toBe(0);
    const jpeg = await encodeOnce({ mode: 'jpeg' }, planar);
    expect(psnr(decodeRgb(jpeg), expected)).toBeGreaterThanOrEqual(32);
  });

  it('odd sizes encode at their exact size in every mode', async () => {
    for (const mode of ['jpeg', 'png', 'webp'] as const) {
      const payload = await encodeOnce({ mode }, patternFrame(33, 17, 2));
      expect(probeSize(payload)).toEqual({ width: 33, height: 17 });
    }
  });
});

describe('one encoder, many frames', () => {
  it('takes frames of any size, in order, each a keyframe stamped with its size and timestamp', async () => {
    const encoder = new ImageEncoder({ mode: 'webp' });
    const sizes: Array<[number, number]> = [
      [64, 48],
      [640, 360],
      [31, 7],
      [200, 100],
    ];
    const results = await Promise.all(
      sizes.map(([w, h], i) => encoder.encode(patternFrame(w, h, i), { timestampUs: 1000 * i })),
    );
    await encoder.close();
    results.forEach(([payload], i) => {
      const [width, height] = sizes[i];
      expect(payload).toMatchObject({ keyframe: true, timestampUs: 1000 * i, mime: 'image/webp', width, height });
      expect(probeSize(payload)).toEqual({ width: sizes[i][0], height: sizes[i][1] });
    });
  });
});

describe('units describe their frame', () => {
  it('carry the frame\'s size, pixel ratio and colour, for frames and stills; a ratio of 1 is left out', async () => {
    const encoder = new ImageEncoder({ mode: 'jpeg' });
    try {
      const hiDpi = createFrame({ ...patternFrame(90, 50, 1), pixelRatio: 2, color: DISPLAY_P3 });
      const [unit] = await encoder.encode(hiDpi, { timestampUs: 5 });
      expect(unit).toMatchObject({ width: 90, height: 50, pixelRatio: 2, color: DISPLAY_P3, timestampUs: 5 });
      const [still] = await encoder.encodeStill(hiDpi, { timestampUs: 6 });
      expect(still).toMatchObject({ width: 90, height: 50, pixelRatio: 2, color: DISPLAY_P3, mime: 'image/png' });
      const [plain] = await encoder.encode(createFrame({ ...patternFrame(40, 30, 2), pixelRatio: 1 }), { timestampUs: 7 });
      expect(plain).toMatchObject({ width: 40, height: 30 });
      expect('pixelRatio' in plain || 'color' in plain).toBe(false);
    } finally {
      await encoder.close();
    }
  });
});

describe('stills', () => {
  const frame = patternFrame(320, 180, 3, 'bgra', 8);
  const original = rgbaToRgb(patternFrame(320, 180, 3).data);

  it('are lossless PNG by default, whatever the mode', async () => {
    const payload = await encodeOnce({ mode: 'jpeg' }, frame, true);
    expect(payload).toMatchObject({ mime: 'image/png', keyframe: true, timestampUs: 1234, width: 320, height: 180 });
    expect(Buffer.compare(decodeRgb(payload), Buffer.from(original))).toBe(0);
  });

  it('are lossless WebP when stillMime asks for WebP (a viewer without image/png)', async () => {
    const payload = await encodeOnce({ mode: 'webp', stillMime: 'image/webp' }, frame, true);
    expect(payload.mime).toBe('image/webp');
    expect(Buffer.compare(decodeRgb(payload), Buffer.from(original))).toBe(0);
  });

  it('are maximum-quality JPEG when stillMime asks for JPEG', async () => {
    const still = await encodeOnce({ mode: 'jpeg', stillMime: 'image/jpeg' }, frame, true);
    const normal = await encodeOnce({ mode: 'jpeg' }, frame);
    expect(still.mime).toBe('image/jpeg');
    expect(psnr(decodeRgb(still), original)).toBeGreaterThan(psnr(decodeRgb(normal), original) + 6);
  });
});
