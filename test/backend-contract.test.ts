/**
 * The EncoderBackend contract (src/core/encoder.ts), one table of cases run
 * on every backend: libx264, the image backend in each mode, vtenc (fake
 * VideoToolbox binding, real H.264 bytes) and the example plugin. Each must
 * refuse the same bad input with the same error class, naming itself and
 * the option, start with a keyframe, honour forceKeyframe, carry timestamps,
 * and close cleanly. H.264 backends write sRGB into the VUI when no colour
 * is given.
 */
import {
  ConfigError,
  createContainer,
  type DependencyContainer,
  EncoderClosedError,
  type EncoderBackend,
  type EncoderOptions,
  FrameError,
  registryOf,
  rgbaFrame,
} from 'rfbcast';

import { greyBackend } from '../examples/grey-backend';
import { splitAnnexB } from '../src/backends/h264';
import { fakeMac, type FakeVt } from './helpers/fake-apple';
import { parseSps } from './helpers/h264-sps';

const W = 64;
const H = 48;
const frame = (w = W, h = H, shade = 100) => rgbaFrame(new Uint8Array(w * h * 4).fill(shade), w, h);

interface Subject {
  label: string;
  /** The name errors must carry. */
  name: string;
  transport: 'video' | 'image';
  create(options: Record<string, unknown> | null): Promise<EncoderBackend>;
  /** H.264: the VUI colour (primaries, transfer) the encoder was given or wrote, for the first unit. */
  vui?: (first: Uint8Array) => { primaries: number; transfer: number } | undefined;
}

function viaRegistry(c: DependencyContainer, backend: string, extra: Record<string, unknown> = {}) {
  return (options: Record<string, unknown> | null) => registryOf(c).create(backend, (options && { ...extra, ...options }) as unknown as EncoderOptions);
}

const spsVui = (unit: Uint8Array) => {
  const sps = splitAnnexB(unit).find((n) => n.type === 7);
  const colour = sps ? parseSps(sps.data).vui?.colour : undefined;
  return colour && { primaries: colour.primaries, transfer: colour.transfer };
};

let vt: FakeVt;
const subjects: Subject[] = (() => {
  const mac = fakeMac();
  vt = mac.vt;
  const withGrey = createContainer();
  registryOf(withGrey).registerBackend(greyBackend);
  const root = createContainer();
  return [
    { label: 'libx264', name: 'libx264', transport: 'video', create: viaRegistry(root, 'libx264'), vui: spsVui },
    ...(['jpeg', 'png', 'webp'] as const).map(
      (mode): Subject => ({ label: `image ${mode}`, name: 'image', transport: 'image', create: viaRegistry(root, 'image', { mode }) }),
    ),
    {
      label: 'vtenc (fake VideoToolbox)',
      name: 'vtenc',
      transport: 'video',
      create: viaRegistry(mac.c, 'vtenc'),
      // What the binding was asked to write: the fake returns canned units.
      vui: () => {
        const { primaries, transfer } = vt.encoders[vt.encoders.length - 1].options;
        return primaries === undefined || transfer === undefined ? undefined : { primaries, transfer };
      },
    },
    { label: 'grey (example plugin)', name: 'grey', transport: 'image', create: viaRegistry(withGrey, 'grey') },
  ];
})();

const open: EncoderBackend[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function made(s: Subject, options: Record<string, unknown> = {}): Promise<EncoderBackend> {
  const e = await s.create({ width: W, height: H, ...options });
  open.push(e);
  return e;
}

describe.each(subjects)('$label', (s) => {
  const badOptions: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown key', { bitRate: 5 }, "unknown option 'bitRate'"],
    ['a zero width', { width: 0 }, 'width'],
    ['a fractional height', { height: 47.5 }, 'height'],
    ['a height beyond the maximum', { height: 100_000 }, 'height'],
    ['a width that is not a number', { width: '64' }, 'width'],
    ['fps 0', { fps: 0 }, 'fps'],
    ['fps 1000', { fps: 1000 }, 'fps'],
    ['a negative bitrate', { bitrate: -1 }, 'bitrate'],
    ['a colour that is not a descriptor', { color: 'p3' }, 'color'],
    ['a colour with unknown primaries', { color: { primaries: 'nope' } }, 'color primaries'],
    ['options that are not an object', { __replace: null }, 'options must be an object'],
  ];

  it.each(badOptions)('create() refuses %s with a ConfigError naming the backend and the option', async (_what, options, named) => {
    const attempt = '__replace' in options ? s.create(null) : s.create({ width: W, height: H, ...options });
    const error = await attempt.then(
      (e) => {
        open.push(e);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${s.name}: `);
    expect((error as Error).message).toContain(named);
  });

  if (s.transport === 'video') {
    it('create() refuses an odd size (H.264 4:2:0)', async () => {
      await expect(s.create({ width: W + 1, height: H })).rejects.toThrow(ConfigError);
    });
  }

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['missing', undefined],
  ])('encode() rejects a %s timestampUs with a ConfigError, and stays usable', async (_what, timestampUs) => {
    const e = await made(s);
    await expect(e.encode(frame(), { timestampUs } as never)).rejects.toThrow(ConfigError);
    await expect(e.encode(frame(), { timestampUs } as never)).rejects.toThrow(`${s.name}: `);
    expect((await e.encode(frame(), { timestampUs: 0 })).length).toBe(1);
  });

  it('encode() rejects something that is not a frame with a FrameError', async () => {
    const e = await made(s);
    await expect(e.encode(null as never, { timestampUs: 0 })).rejects.toThrow(FrameError);
    await expect(e.encode({ width: W } as never, { timestampUs: 0 })).rejects.toThrow(FrameError);
  });

  if (s.transport === 'video') {
    it('encode() rejects a frame of another size with a FrameError', async () => {
      const e = await made(s);
      await expect(e.encode(frame(W * 2, H), { timestampUs: 0 })).rejects.toThrow(FrameError);
    });
  } else {
    it('encode() takes a frame of any size, and describes the unit by it', async () => {
      const e = await made(s);
      const [unit] = await e.encode(frame(W * 2, H + 2), { timestampUs: 0 });
      expect([unit.width, unit.height]).toEqual([W * 2, H + 2]);
    });
  }

  it('encode() after close() rejects with EncoderClosedError; close() twice is fine; flush() after close rejects too', async () => {
    const e = await s.create({ width: W, height: H });
    await e.close();
    await e.close();
    await expect(e.encode(frame(), { timestampUs: 0 })).rejects.toThrow(EncoderClosedError);
    await expect(e.flush()).rejects.toThrow(EncoderClosedError);
  });

  it('starts with a keyframe, honours forceKeyframe, and carries each timestamp', async () => {
    const e = await made(s, { fps: 30 });
    const units = [];
    for (const [i, force] of [false, false, true, false].entries()) {
      units.push(...(await e.encode(frame(W, H, 40 * i), { timestampUs: 1000 + i * 33_333, forceKeyframe: force })));
    }
    expect(units.map((u) => u.timestampUs)).toEqual([1000, 34_333, 67_666, 100_999]);
    expect(units[0].keyframe).toBe(true);
    expect(units[2].keyframe).toBe(true);
    if (s.transport === 'video') {
      expect(units[1].keyframe).toBe(false);
      expect(units.every((u) => u.durationUs === 33_333 && /^avc1\./.test(u.codec ?? ''))).toBe(true);
    } else {
      expect(units.every((u) => u.keyframe && u.mime === e.mime)).toBe(true);
    }
    expect(await e.flush()).toEqual([]);
  });

  if (s.vui) {
    const vui = s.vui;
    it('writes sRGB into the VUI when no colour is given, and the given colour otherwise', async () => {
      const plain = await made(s);
      const [first] = await plain.encode(frame(), { timestampUs: 0 });
      expect(vui(first.data)).toEqual({ primaries: 1, transfer: 13 });
      const p3 = await made(s, { color: { primaries: 'display-p3', transfer: 'srgb' } });
      const [p3First] = await p3.encode(frame(), { timestampUs: 0 });
      expect(vui(p3First.data)).toEqual({ primaries: 12, transfer: 13 });
    });
  }
});

describe('typed options', () => {
  it('type-check each backend by name, plugins included', async () => {
    const r = registryOf(createContainer());
    r.registerBackend(greyBackend);
    // Each line below is a compile error; JavaScript callers get the ConfigError instead.
    // @ts-expect-error x264 has no quality option
    await expect(r.create('libx264', { width: W, height: H, quality: 3 })).rejects.toThrow("libx264: unknown option 'quality'");
    // @ts-expect-error the grey plugin takes jpeg or png
    await expect(r.create('grey', { width: W, height: H, mode: 'webp' })).rejects.toThrow('grey: mode must be jpeg or png');
    const grey = await r.create('grey', { width: W, height: H, mode: 'png', compressionLevel: 9 });
    open.push(grey);
    expect(grey.mime).toBe('image/png');
  });
});
