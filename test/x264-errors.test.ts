/**
 * Bad input to the libx264 backend gives typed errors and leaves the process
 * (and the encoder) working; encoders never leak native memory.
 */
import { ConfigError, createFrame, EncoderClosedError, FrameError, rgbaFrame, X264Encoder, type RawFrame } from 'rfbcast';
import { loadNativeAddon } from 'rfbcast/testing';

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { x264Binding } from '../src/backends/x264/binding';
import { heavyIt } from './helpers/heavy';
import { movingPattern } from '../src/scenes/patterns';

const W = 64;
const H = 48;
const at = (i: number) => ({ timestampUs: i * 33_333 });
const goodFrame = () => rgbaFrame(movingPattern(W, H, 0), W, H);

describe('libx264 options', () => {
  it.each([
    [{ width: 63, height: 48 }, /width must be even/],
    [{ width: 64, height: 47 }, /height must be even/],
    [{ width: 14, height: 48 }, /width must be at least 16/],
    [{ width: 64 } as never, /height is required/],
    [{ width: 64, height: 48, fps: 0 }, /fps must be an integer/],
    [{ width: 64, height: 48, bitrate: 12.5 }, /bitrate must be an integer/],
    [{ width: 64, height: 48, threads: -1 }, /threads must be an integer/],
    [{ width: 64, height: 48, preset: 'ludicrous' }, /libx264: unknown preset 'ludicrous' \(expected one of ultrafast/],
    [{ width: 64, height: 48, color: 'p3' as never }, /color must be a colour descriptor/],
  ])('rejects %j with a ConfigError', (options, message) => {
    expect(() => new X264Encoder(options)).toThrow(ConfigError);
    expect(() => new X264Encoder(options)).toThrow(message);
  });
});

describe('libx264 bad input', () => {
  let encoder: X264Encoder;

  beforeEach(() => {
    encoder = new X264Encoder({ width: W, height: H });
  });

  afterEach(() => encoder.close());

  it.each<[string, () => RawFrame, RegExp]>([
    ['a short buffer', () => ({ width: W, height: H, pixelFormat: 'rgba', memory: 'host', data: new Uint8Array(100) }), /needs 12288 bytes, got 100/],
    ['a long buffer', () => ({ width: W, height: H, pixelFormat: 'i420', memory: 'host', data: new Uint8Array(W * H * 2) }), /needs 4608 bytes, got 6144/],
    ['an unknown pixel format', () => ({ ...goodFrame(), pixelFormat: 'yuyv' as never }), /unknown pixel format 'yuyv'/],
    ['another size', () => rgbaFrame(movingPattern(32, 32, 0), 32, 32), /frame is 32x32 but this encoder was built for 64x48/],
    ['a non-host frame', () => ({ ...goodFrame(), memory: 'metal', data: {} }), /libx264 takes host frames, got a metal frame/],
    ['a stride too small', () => ({ ...goodFrame(), stride: 10 }), /stride 10 is less than/],
  ])('rejects %s with a FrameError and keeps encoding', async (_what, frame, message) => {
    await expect(encoder.encode(frame(), at(0))).rejects.toThrow(FrameError);
    await expect(encoder.encode(frame(), at(0))).rejects.toThrow(message);
    const [au] = await encoder.encode(goodFrame(), at(1));
    expect(au.keyframe).toBe(true);
  });

  it('rejects a bad timestamp with a ConfigError', async () => {
    await expect(encoder.encode(goodFrame(), { timestampUs: -1 })).rejects.toThrow(ConfigError);
    await expect(encoder.encode(goodFrame(), { timestampUs: Number.NaN })).rejects.toThrow(/timestampUs/);
  });

  it('rejects encode and flush after close with EncoderClosedError; close is idempotent', async () => {
    const pending = encoder.encode(goodFrame(), at(0));
    const closing = encoder.close();
    expect(encoder.close()).toBe(closing);
    await expect(encoder.encode(goodFrame(), at(1))).rejects.toThrow(EncoderClosedError);
    await expect(encoder.flush()).rejects.toThrow(EncoderClosedError);
    // What was queued before close() still completes.
    expect((await pending)[0].keyframe).toBe(true);
    await closing;
    expect(encoder.closed).toBe(true);
  });

  it('flush() resolves after queued encodes and returns nothing buffered', async () => {
    const pending = [0, 1, 2].map((i) => encoder.encode(goodFrame(), at(i)));
    expect(await encoder.flush()).toEqual([]);
    for (const p of pending) await expect(p).resolves.toHaveLength(1);
  });

  it('the native encoder itself checks lengths and geometry, throwing instead of reading out of bounds', async () => {
    const binding = x264Binding(loadNativeAddon());
    if (!binding) throw new Error('addon built without libx264');
    const native = new binding.X264Encoder({
      width: W, height: H, fps: 30, bitrate: 1_000_000, preset: 'ultrafast', threads: 0, colorPrimaries: 2, colorTransfer: 2,
    });
    expect(() => native.encode(new Uint8Array(10), 'rgba', W, H, W * 4, false)).toThrow(/buffer too short/);
    expect(() => native.encode(new Uint8Array(W * H * 4), 'argb' as never, W, H, W * 4, false)).toThrow(/unknown pixel format/);
    await expect(native.encode(new Uint8Array(32 * 32 * 4), 'rgba', 32, 32, 128, false)).rejects.toThrow(/encoder is 64x48/);
    native.close();
    expect(() => native.encode(new Uint8Array(W * H * 4), 'rgba', W, H, W * 4, false)).toThrow(/closed/);
    expect(() => new binding.X264Encoder({ width: 15 } as never)).toThrow(/even width and height/);
  });
});

describe('libx264 resources', () => {
  /** `run(n)`: n create/encode/close cycles of a size x size encoder, four at a time. */
  const encoderCycles = (size: number) => {
    const frame = createFrame({ data: movingPattern(size, size, 1), width: size, height: size });
    const cycle = async (i: number) => {
      const encoder = new X264Encoder({ width: size, height: size, bitrate: 200_000 });
      const [au] = await encoder.encode(frame, at(i));
      await encoder.close();
      return au.keyframe;
    };
    // Four at a time keeps both cores busy: opening x264 costs about 3 ms of CPU.
    return async (n: number) => {
      for (let i = 0; i < n; i += 4) expect(await Promise.all([0, 1, 2, 3].map((k) => cycle(i + k)))).not.toContain(false);
    };
  };

  it('create/encode/close cycles leave no live encoder behind', async () => {
    const addon = loadNativeAddon();
    const before = addon.liveEncoders();
    await encoderCycles(32)(400);
    expect(addon.liveEncoders()).toBe(before);
  });

  heavyIt('10 000 create/encode/close cycles keep RSS within 30 MB and leave no live encoder', async () => {
    const addon = loadNativeAddon();
    const before = addon.liveEncoders();
    const run = encoderCycles(32);
    // Warm up before the baseline: the JIT, and glibc's malloc arenas, which
    // grow as x264's own slice threads (four encoders at a time) get arenas of
    // their own and are then reused. After a 200-cycle warm-up, ~20 MB of that
    // one-off growth fell inside the measurement; later cycles add ~1 MB per
    // thousand, most of it jest's heap.
    await run(2_000);
    const start = process.memoryUsage().rss;
    await run(10_000);
    const grown = (process.memoryUsage().rss - start) / 2 ** 20;
    expect(grown).toBeLessThan(30);
    expect(addon.liveEncoders()).toBe(before);
  }, 180_000);

  it('frees the native encoder of one that was never closed once it is garbage collected', async () => {
    const addon = loadNativeAddon();
    const before = addon.liveEncoders();
    await (async () => {
      const forgotten = [new X264Encoder({ width: W, height: H }), new X264Encoder({ width: W, height: H })];
      await forgotten[0].encode(goodFrame(), at(0));
      expect(addon.liveEncoders()).toBe(before + 2);
    })();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 20 && addon.liveEncoders() > before; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(addon.liveEncoders()).toBe(before);
  });

  it('counts a live native encoder until close()', async () => {
    const addon = loadNativeAddon();
    const before = addon.liveEncoders();
    const encoder = new X264Encoder({ width: W, height: H });
    expect(addon.liveEncoders()).toBe(before + 1);
    await encoder.close();
    expect(addon.liveEncoders()).toBe(before);
  });
});
