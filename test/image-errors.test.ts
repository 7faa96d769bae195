/**
 * Bad input gets typed errors, in the TypeScript layer and (if reached
 * directly) in the native one; the encoder lifecycle is strict; and encoding
 * many frames, or forgetting close(), leaks nothing.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

import {
  ConfigError,
  convertFrameSync,
  createFrame,
  EncoderClosedError,
  EncoderError,
  FrameError,
  ImageEncoder,
  NativeAddonError,
  type RawFrame,
} from 'rfbcast';
import { loadNativeAddon } from 'rfbcast/testing';

import { heavyIt } from './helpers/heavy';
import { patternFrame } from './helpers/image-frames';

const at = { timestampUs: 0 };

describe('typed errors', () => {
  let encoder: ImageEncoder;
  beforeEach(() => (encoder = new ImageEncoder({ mode: 'png' })));
  afterEach(() => encoder.close());

  it('rejects bad options with ConfigError', () => {
    expect(() => new ImageEncoder({ mode: 'gif' as never })).toThrow(ConfigError);
    expect(() => new ImageEncoder({ mode: 'gif' as never })).toThrow('mode must be one of jpeg, png, webp, got gif');
    expect(() => new ImageEncoder({ quality: 0 })).toThrow('quality must be an integer from 1 to 100, got 0');
    expect(() => new ImageEncoder({ quality: 80.5 })).toThrow(ConfigError);
    expect(() => new ImageEncoder({ chromaSubsampling: '4:1:1' as never })).toThrow(/chromaSubsampling must be one of/);
    expect(() => new ImageEncoder({ fastDct: 'yes' as never })).toThrow('fastDct must be a boolean, got yes');
    expect(() => new ImageEncoder({ compressionLevel: 10 })).toThrow(/compressionLevel must be an integer from 0 to 9/);
    expect(() => new ImageEncoder({ pngFilter: 'median' as never })).toThrow(/pngFilter must be one of/);
    expect(() => new ImageEncoder({ webpMethod: 7 })).toThrow(/webpMethod must be an integer from 0 to 6/);
    expect(() => new ImageEncoder({ stillMime: 'image/gif' as never })).toThrow(/stillMime must be one of/);
  });

  it('rejects malformed frames with FrameError', async () => {
    const good = patternFrame(8, 8, 0);
    const cases: unknown[] = [
      null,
      { ...good, data: good.data.subarray(1) },
      { ...good, width: 0 },
      { ...good, stride: 4 },
      { ...good, pixelFormat: 'argb' },
      { ...good, data: 'pixels' },
      createFrame({ width: 8, height: 8, memory: 'metal', data: {} }),
    ];
    for (const frame of cases) await expect(encoder.encode(frame as RawFrame, at)).rejects.toThrow(FrameError);
    await expect(encoder.encode(cases[1] as RawFrame, at)).rejects.toThrow(
      'rgba 8x8 with stride 32 needs 256 bytes, got 255',
    );
    await expect(encoder.encode(cases[6] as RawFrame, at)).rejects.toThrow('takes host frames, got metal memory');
  });

  it('rejects WebP frames beyond libwebp limits with FrameError', async () => {
    const webp = new ImageEncoder({ mode: 'webp' });
    const wide = createFrame({ width: 16384, height: 2, data: new Uint8Array(16384 * 2 * 4) });
    await expect(webp.encode(wide, at)).rejects.toThrow(/WebP images are at most 16383 pixels/);
    await webp.close();
  });

  it('rejects bad encode options with ConfigError', async () => {
    const frame = patternFrame(8, 8, 0);
    await expect(encoder.encode(frame, { timestampUs: -1 })).rejects.toThrow(ConfigError);
    await expect(encoder.encode(frame, {} as never)).rejects.toThrow(
      'timestampUs must be a non-negative integer',
    );
    await expect(encoder.encode(frame, undefined as never)).rejects.toThrow('encode options must be an object');
  });

  it('keeps working after a rejected frame', async () => {
    await expect(encoder.encode({ ...patternFrame(8, 8, 0), height: 9 }, at)).rejects.toThrow(FrameError);
    const [payload] = await encoder.encode(patternFrame(8, 8, 0), at);
    expect(payload.mime).toBe('image/png');
  });

  it('wraps a native failure in EncoderError', async () => {
    const addon = loadNativeAddon();
    const failing = Object.assign(Object.create(addon) as object, {
      features: () => addon.features(),
      ImageEncoder: class {
        encode = () => Promise.reject(new Error('disk on fire'));
        close() {}
      },
    });
    const e = new ImageEncoder({ mode: 'jpeg' }, failing as unknown as typeof addon);
    await expect(e.encode(patternFrame(8, 8, 0), at)).rejects.toThrow(EncoderError);
    await expect(e.encode(patternFrame(8, 8, 0), at)).rejects.toThrow(
      'jpeg encode of a 8x8 rgba frame failed: disk on fire',
    );
    await e.close();
  });

  it('refuses a mode the addon was built without, naming the package', () => {
    const addon = loadNativeAddon();
    const noWebp = Object.assign(Object.create(addon) as object, {
      features: () => ({ ...addon.features(), webp: false }),
    });
    expect(() => new ImageEncoder({ mode: 'webp' }, noWebp as typeof addon)).toThrow(NativeAddonError);
    expect(() => new ImageEncoder({ mode: 'jpeg', stillMime: 'image/webp' }, noWebp as typeof addon)).toThrow(
      'image mode webp: built without libwebp: install libwebp-dev and rebuild',
    );
  });
});

describe('native argument checks (the layer below the TypeScript validation)', () => {
  type Native = { encode(...args: unknown[]): Promise<Uint8Array>; close(): void };
  const addon = loadNativeAddon() as unknown as { ImageEncoder: new () => Native };
  const jpeg = { codec: 'jpeg', quality: 80, subsampling: 420, fastDct: true };
  let native: Native;
  beforeEach(() => (native = new addon.ImageEncoder()));
  afterEach(() => native.close());

  it('never reads past the buffer', () => {
    expect(() => native.encode(new Uint8Array(100), 'rgba', 8, 8, 32, jpeg)).toThrow(/buffer too short/);
    expect(() => native.encode(new Uint8Array(256), 'rgba', 8, 8, 16, jpeg)).toThrow(/invalid geometry/);
    expect(() => native.encode(new Uint8Array(95), 'nv12', 8, 8, 8, jpeg)).toThrow(/buffer too short/);
  });

  it('checks every setting', () => {
    const ok = new Uint8Array(256);
    const encode = (settings: unknown, lane?: number) => () => native.encode(ok, 'rgba', 8, 8, 32, settings, lane);
    expect(encode({ ...jpeg, quality: 101 })).toThrow(/quality must be an integer from 1 to 100/);
    expect(encode({ ...jpeg, subsampling: 421 })).toThrow(/420, 422 or 444/);
    expect(encode({ codec: 'png', compressionLevel: 1 })).toThrow(/filter is required/);
    expect(encode({ codec: 'png', compressionLevel: 1, filter: 'x' })).toThrow(/unknown PNG filter/);
    expect(encode({ codec: 'gif' })).toThrow(/unknown image codec/);
    expect(encode(null)).toThrow(/settings must be an object/);
    expect(encode(jpeg, 4)).toThrow(/lane must be from 0 to 3/);
  });

  it('refuses to encode after close', () => {
    native.close();
    expect(() => native.encode(new Uint8Array(256), 'rgba', 8, 8, 32, jpeg)).toThrow(/closed/);
  });
});

describe('lifecycle', () => {
  it('finishes queued encodes before closing, then rejects with EncoderClosedError', async () => {
    const encoder = new ImageEncoder({ mode: 'jpeg' });
    const pending = encoder.encode(patternFrame(64, 64, 0), at);
    const closed = encoder.close();
    await expect(pending).resolves.toHaveLength(1);
    await closed;
    await expect(encoder.encode(patternFrame(64, 64, 0), at)).rejects.toThrow(EncoderClosedError);
    await expect(encoder.encodeStill(patternFrame(64, 64, 0), at)).rejects.toThrow('image encoder is closed');
    await expect(encoder.flush()).rejects.toThrow(EncoderClosedError);
    await expect(encoder.close()).resolves.toBeUndefined();
  });

  it('flush resolves with nothing once queued encodes are done', async () => {
    const encoder = new ImageEncoder({ mode: 'webp' });
    const pending = encoder.encode(patternFrame(64, 64, 0), at);
    await expect(encoder.flush()).resolves.toEqual([]);
    await expect(pending).resolves.toHaveLength(1);
    await encoder.close();
  });
});

/** The collector, reachable from inside Jest's sandbox. */
function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('no leaks', () => {
  const addon = loadNativeAddon();

  it('holds one live native encoder per open ImageEncoder', async () => {
    const before = addon.liveEncoders();
    const encoders = [new ImageEncoder({ mode: 'jpeg' }), new ImageEncoder({ mode: 'png' })];
    expect(addon.liveEncoders()).toBe(before + 2);
    await Promise.all(encoders.map((e) => e.close()));
    expect(addon.liveEncoders()).toBe(before);
  });

  /** `count` encodes of every format and mode, on a fresh encoder every 100 so creation and close are part of the loop. */
  async function encodeMany(count: number): Promise<void> {
    const frames = [
      patternFrame(64, 48, 1),
      patternFrame(64, 48, 2, 'bgra', 8),
      patternFrame(64, 48, 3, 'rgb24', 3),
      convertFrameSync(patternFrame(64, 48, 4), 'nv12'),
    ];
    const modes = ['jpeg', 'png', 'webp'] as const;
    for (let i = 0; i < count; i += 100) {
      const encoder = new ImageEncoder({ mode: modes[(i / 100) % 3], stillMime: 'image/webp' });
      for (let j = 0; j < 100; j++) {
        const frame = frames[j % frames.length];
        await (j % 10 === 9 ? encoder.encodeStill(frame, at) : encoder.encode(frame, at));
      }
      await encoder.close();
    }
  }

  it('encoders opened and closed around many encodes leave no live encoder behind', async () => {
    const before = addon.liveEncoders();
    await encodeMany(600);
    expect(addon.liveEncoders()).toBe(before);
  });

  heavyIt('10 000 encodes keep RSS flat', async () => {
    const before = addon.liveEncoders();
    // A warm-up block first (worker-thread malloc arenas, V8 heap sizing), then
    // 10 000 measured encodes with a collection after every 1000.
    await encodeMany(1000);
    gc();
    const rss0 = process.memoryUsage().rss;
    for (let k = 0; k < 10; k++) {
      await encodeMany(1000);
      gc();
    }
    const grown = process.memoryUsage().rss - rss0;
    expect(addon.liveEncoders()).toBe(before);
    // Leaking even the smallest payload (about 1 KB here) would add over 10 MB.
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });

  it('the garbage collector frees encoders that were never closed', async () => {
    const before = addon.liveEncoders();
    await (async () => {
      const forgotten = Array.from({ length: 20 }, () => new ImageEncoder({ mode: 'jpeg' }));
      await Promise.all(forgotten.map((e) => e.encode(patternFrame(32, 32, 0), at)));
      expect(addon.liveEncoders()).toBe(before + 20);
    })();
    for (let i = 0; i < 20 && addon.liveEncoders() > before; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(addon.liveEncoders()).toBe(before);
  });
});
