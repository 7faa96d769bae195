/**
 * Frame adapters: an image-only viewer of a Metal stream. The image encoder
 * here is a test stand-in that writes real PNGs with sharp (the project's
 * image backend is built elsewhere); its output is decoded by ffmpeg and
 * compared with the picture that was rendered into the Metal frame.
 */
import sharp from 'sharp';

import {
  type BackendDescriptor,
  ConfigError,
  createFrame,
  DISPLAY_P3,
  type EncodedUnit,
  type EncodeOptions,
  type EncoderBackend,
  type FrameDownload,
  FrameError,
  HostFrameAdapter,
  type HostFrame,
  Metal,
  type RawFrame,
  registryOf,
  unitOf,
} from 'rfbcast';
import { FrameDownloadToken } from 'rfbcast/testing';
import { MetalHostFrameAdapter } from '../src/metal/host-frame-adapter';

import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from '../src/scenes/metal-pattern';
import { movingPattern } from '../src/scenes/patterns';
import { fakeMac } from './helpers/fake-apple';
import { decodeToRaw, psnr, rgbaToRgb } from './helpers/ffmpeg';
import { refRgb } from './helpers/yuv-reference';
import { until } from './helpers/viewer';

/** A PNG encoder taking host rgba/rgb24 only, recording every frame it was handed. */
class PngEncoder implements EncoderBackend {
  readonly transport = 'image' as const;
  readonly mime = 'image/png';
  readonly frames: RawFrame[] = [];
  closed = false;

  async encode(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    if (frame.memory !== 'host') throw new Error(`PngEncoder got a ${frame.memory} frame`);
    this.frames.push(frame);
    const host = frame as HostFrame;
    const channels = host.pixelFormat === 'rgb24' ? 3 : 4;
    const rows = Buffer.alloc(host.width * host.height * channels);
    for (let y = 0; y < host.height; y++) {
      rows.set(host.data.subarray(y * host.stride, y * host.stride + host.width * channels), y * host.width * channels);
    }
    const data = await sharp(rows, { raw: { width: host.width, height: host.height, channels } }).png().toBuffer();
    return [unitOf(host, { data, keyframe: true, timestampUs: options.timestampUs, mime: this.mime })];
  }

  encodeStill(frame: RawFrame, options: EncodeOptions): Promise<EncodedUnit[]> {
    return this.encode(frame, options);
  }

  async flush(): Promise<EncodedUnit[]> {
    return [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function pngBackend(pixelFormats: Array<'rgba' | 'rgb24'>, made: PngEncoder[]): BackendDescriptor {
  return {
    name: 'png-test',
    label: 'PNG (test stand-in)',
    transport: 'image',
    rank: 1,
    capabilities: { pixelFormats, memories: ['host'], codecs: ['image/png'], hardware: false },
    probe: async () => ({ available: true, state: 'ok' }),
    create: () => {
      const e = new PngEncoder();
      made.push(e);
      return e;
    },
  };
}

const W = 96;
const H = 64;

function setup(pixelFormats: Array<'rgba' | 'rgb24'> = ['rgba', 'rgb24']) {
  const mac = fakeMac();
  const made: PngEncoder[] = [];
  registryOf(mac.c).registerBackend(pngBackend(pixelFormats, made));
  // `metal` is the Metal API under test; `gpu` the fake binding beneath it.
  return { c: mac.c, gpu: mac.metal, made, metal: mac.c.resolve(Metal), registry: registryOf(mac.c) };
}

async function renderedFrame(metal: Metal, index: number) {
  const frame = metal.frame({ width: W, height: H, pixelRatio: 2 });
  await metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY).run(frame, [index]);
  return frame;
}

const pngRgb = (p: EncodedUnit) => decodeToRaw(p.data, { fileName: 'frame.png', pixFmt: 'rgb24' });

describe('image viewers of a Metal stream', () => {
  it('registry.create(image backend, { memory: metal }) wraps it in the Metal adapter', async () => {
    const { registry, made } = setup();
    const encoder = await registry.create('png-test', { width: W, height: H, memory: 'metal' });
    expect(encoder).toBeInstanceOf(HostFrameAdapter);
    expect((encoder as HostFrameAdapter).inner).toBe(made[0]);
    expect(encoder.transport).toBe('image');
    expect(encoder.mime).toBe('image/png');
    expect(await registry.create('png-test', { width: W, height: H })).toBe(made[1]);
  });

  it('gets the rendered RGB, exactly, through a view of the shared buffer', async () => {
    const { registry, made, metal, gpu } = setup();
    const encoder = await registry.create('png-test', { width: W, height: H, memory: 'metal' });
    const frame = await renderedFrame(metal, 7);
    const [payload] = await encoder.encode(frame, { timestampUs: 99 });
    expect(payload).toMatchObject({ timestampUs: 99, keyframe: true, mime: 'image/png' });
    expect(Buffer.compare(pngRgb(payload), Buffer.from(rgbaToRgb(movingPattern(W, H, 7))))).toBe(0);
    // rgba is accepted, so no GPU download ran: the encoder saw the Metal frame's own memory.
    const seen = made[0].frames[0] as HostFrame;
    expect(seen).toMatchObject({ memory: 'host', pixelFormat: 'rgba', pixelRatio: 2, stride: frame.data.stride });
    expect(seen.data.buffer).toBe(frame.data.contents.buffer);
    expect(gpu.downloads).toBe(0);
  });

  it('gets an RGB copy made on the GPU when the backend takes rgb24 only', async () => {
    const { registry, made, metal, gpu } = setup(['rgb24']);
    const encoder = await registry.create('png-test', { width: W, height: H, memory: 'metal' });
    const [payload] = await encoder.encode(await renderedFrame(metal, 2), { timestampUs: 0 });
    expect(Buffer.compare(pngRgb(payload), Buffer.from(rgbaToRgb(movingPattern(W, H, 2))))).toBe(0);
    expect(made[0].frames[0]).toMatchObject({ pixelFormat: 'rgb24', stride: W * 3 });
    expect(gpu.downloads).toBe(1);
  });

  it('gets the picture of an NV12 Metal frame (the GPU stream\'s own) through the BT.601 inverse', async () => {
    const { registry, metal } = setup();
    const encoder = await registry.create('png-test', { width: W, height: H, memory: 'metal' });
    const nv12 = await metal.rgbToNv12(await renderedFrame(metal, 4));
    const [payload] = await encoder.encode(nv12, { timestampUs: 0 });
    const got = pngRgb(payload);
    // Against the formula applied to the NV12 bytes themselves: within rounding.
    const { contents, stride } = nv12.data;
    let worst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const uv = stride * H + (y >> 1) * stride + (x & ~1);
        const want = refRgb(contents[y * stride + x], contents[uv], contents[uv + 1]);
        const o = (y * W + x) * 3;
        worst = Math.max(worst, Math.abs(got[o] - want.r), Math.abs(got[o + 1] - want.g), Math.abs(got[o + 2] - want.b));
      }
    }
    expect(worst).toBeLessThanOrEqual(2);
    // And close to the picture that was rendered (4:2:0 loses chroma detail only).
    expect(psnr(got, rgbaToRgb(movingPattern(W, H, 4)))).toBeGreaterThan(28);
  });

  it('stills go through the adapter too', async () => {
    const { registry, metal } = setup();
    const encoder = await registry.create('png-test', { width: W, height: H, memory: 'metal' });
    const [still] = await encoder.encodeStill!(await renderedFrame(metal, 1), { timestampUs: 1 });
    expect(Buffer.compare(pngRgb(still), Buffer.from(rgbaToRgb(movingPattern(W, H, 1))))).toBe(0);
  });

  it.each([
    ['a view of the shared buffer', ['rgba', 'rgb24'] as Array<'rgba' | 'rgb24'>],
    ['a GPU-made RGB copy', ['rgb24'] as Array<'rgba' | 'rgb24'>],
  ])('units describe the Metal frame (size, pixel ratio, colour) through %s', async (_path, formats) => {
    const { registry, metal } = setup(formats);
    const encoder = await registry.create('png-test', { width: W, height: H, memory: 'metal' });
    const frame = metal.frame({ width: W, height: H, pixelRatio: 1.5, color: DISPLAY_P3 });
    await metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY).run(frame, [3]);
    const [unit] = await encoder.encode(frame, { timestampUs: 5 });
    expect(unit).toMatchObject({ width: W, height: H, pixelRatio: 1.5, color: DISPLAY_P3, timestampUs: 5 });
  });
});

describe('HostFrameAdapter', () => {
  /** A download whose n-th call finishes only when `release(n)` is called, so a test orders completions. */
  function gatedDownload(): { download: FrameDownload; started: () => number; release(n: number): void } {
    const gates: Array<() => void> = [];
    return {
      download: {
        memory: 'test',
        ownedCopies: true,
        download: async (frame) => {
          await new Promise<void>((resolve) => gates.push(resolve));
          return (frame.data as { host: HostFrame }).host;
        },
      },
      started: () => gates.length,
      release: (n) => gates[n](),
    };
  }

  const hostFrame = (v: number) => createFrame({ data: new Uint8Array(16).fill(v), width: 2, height: 2 }) as HostFrame;

  it('passes host frames through untouched', async () => {
    const inner = new PngEncoder();
    const adapter = new HostFrameAdapter(inner, [], ['rgba']);
    const frame = hostFrame(5);
    await adapter.encode(frame, { timestampUs: 0 });
    expect(inner.frames[0]).toBe(frame);
  });

  it('hands frames to the wrapped encoder in order even when downloads finish out of order', async () => {
    const inner = new PngEncoder();
    const gated = gatedDownload();
    const adapter = new HostFrameAdapter(inner, [gated.download], ['rgba']);
    const frames = [1, 2, 3].map((v) => createFrame({ width: 2, height: 2, memory: 'test', data: { host: hostFrame(v) } }));
    const encoded = Promise.all(frames.map((f, i) => adapter.encode(f, { timestampUs: i })));
    await until(() => gated.started() === 3, undefined, 'three downloads to start');
    // The last download finishes first, the first one last.
    for (const n of [2, 1, 0]) {
      gated.release(n);
      await new Promise((r) => setImmediate(r));
    }
    const out = await encoded;
    expect(out.map((p) => p[0].timestampUs)).toEqual([0, 1, 2]);
    expect(inner.frames.map((f) => (f as HostFrame).data[0])).toEqual([1, 2, 3]);
  });

  it('refuses owned-copy mode for Metal frames, with the reason', async () => {
    const { c, metal } = setup();
    const downloads = c.resolveAll(FrameDownloadToken);
    const inner = new PngEncoder();
    const owned = new HostFrameAdapter(inner, downloads, ['rgba'], { ownedCopy: true });
    const attempt = owned.encode(await renderedFrame(metal, 0), { timestampUs: 0 });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/owned-copy mode cannot take metal frames: their downloads view the frame's own memory/);
    await owned.encode(hostFrame(1), { timestampUs: 0 }); // host frames are still fine
    expect(inner.frames).toHaveLength(1);
  });

  it('names a memory nobody can download', async () => {
    const adapter = new HostFrameAdapter(new PngEncoder(), [], ['rgba']);
    const frame = createFrame({ width: 2, height: 2, memory: 'cuda', data: {} });
    await expect(adapter.encode(frame, { timestampUs: 0 })).rejects.toThrow(FrameError);
    await expect(adapter.encode(frame, { timestampUs: 0 })).rejects.toThrow('no download is registered for cuda frames');
  });

  it('delegates flush and close', async () => {
    const inner = new PngEncoder();
    const adapter = new MetalHostFrameAdapter([]).adapt(inner, pngBackend(['rgba'], []));
    expect(await adapter.flush()).toEqual([]);
    await adapter.close();
    expect(inner.closed).toBe(true);
  });
});
