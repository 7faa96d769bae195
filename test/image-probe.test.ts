/**
 * The `image` backend descriptor: registration, rank, the per-mode probe
 * against the real addon and against fake bindings injected through a child
 * container (absent when a library is not built in, broken when it is but the
 * test encode fails), and create() picking the mode.
 */
import { createContainer, type EncoderBackend, NativeAddonError, Rank, registryOf } from 'rfbcast';
import { type NativeAddon, NativeLoaderToken } from 'rfbcast/testing';

import { patternFrame } from './helpers/image-frames';

const real = () => registryOf(createContainer());

const PNG_BYTES = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG_BYTES = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]);
const WEBP_BYTES = Uint8Array.from(Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'));

type Encode = (settings: { codec: string }) => Promise<Uint8Array>;

/** A binding with the given library flags whose encoder answers through `encode`. */
function fakeAddon(features: { turbojpeg: boolean; png: boolean; webp: boolean }, encode: Encode): NativeAddon {
  return {
    features: () => ({ x264: false, yuv: true, vtenc: false, metal: false, ...features }),
    liveEncoders: () => 0,
    ImageEncoder: class {
      encode(...args: unknown[]) {
        return encode(args[5] as { codec: string });
      }
      close() {}
    },
  } as unknown as NativeAddon;
}

const FILES: Record<string, Uint8Array> = { jpeg: JPEG_BYTES, png: PNG_BYTES, webp: WEBP_BYTES };
const honest: Encode = async ({ codec }) => FILES[codec];

function registryWith(addon: NativeAddon | (() => never)) {
  const c = createContainer();
  c.register(NativeLoaderToken, { useValue: typeof addon === 'function' ? addon : () => addon });
  return registryOf(c);
}

describe('the image backend', () => {
  it('is registered as "image", SECONDARY rank, with its three modes and MIME types', () => {
    const d = real().get('image');
    expect(d.rank).toBe(Rank.SECONDARY);
    expect(d.transport).toBe('image');
    expect(d.capabilities.modes).toEqual(['jpeg', 'png', 'webp']);
    expect(d.capabilities.codecs).toEqual(['image/jpeg', 'image/png', 'image/webp']);
    expect(d.capabilities.pixelFormats).toEqual(['rgba', 'bgra', 'rgb24', 'nv12', 'i420']);
    expect(d.capabilities.hardware).toBe(false);
  });

  it('probes every mode with a real encode on this machine', async () => {
    const result = await real().probe('image');
    expect(result).toMatchObject({ available: true, state: 'ok' });
    expect(result.modes).toEqual({
      jpeg: { available: true, state: 'ok' },
      png: { available: true, state: 'ok' },
      webp: { available: true, state: 'ok' },
    });
  });

  it('create() picks the mode and quality from the encoder options', async () => {
    const registry = real();
    const encoders: EncoderBackend[] = [];
    for (const mode of ['jpeg', 'png', 'webp'] as const) {
      const e = await registry.create('image', { width: 64, height: 64, mode, quality: 60 });
      encoders.push(e);
      const [payload] = await e.encode(patternFrame(64, 64, 0), { timestampUs: 9 });
      expect(e.mime).toBe(`image/${mode}`);
      expect(payload.mime).toBe(`image/${mode}`);
    }
    await Promise.all(encoders.map((e) => e.close()));
    const byDefault = await registry.create('image', { width: 64, height: 64 });
    expect(byDefault.mime).toBe('image/jpeg');
    await byDefault.close();
    const sizeAt = async (quality: number) => {
      const e = await registry.create('image', { width: 320, height: 180, mode: 'jpeg', quality });
      const [payload] = await e.encode(patternFrame(320, 180, 0), { timestampUs: 0 });
      await e.close();
      return payload.data.byteLength;
    };
    expect(await sizeAt(30)).toBeLessThan(await sizeAt(90));
    // Typed options refuse 'avif' at compile time; JavaScript callers get the ConfigError.
    const avif = registry.create('image', { width: 64, height: 64, mode: 'avif' as never });
    await expect(avif).rejects.toThrow(/mode must be one of/);
  });
});

describe('probe with an injected binding', () => {
  it('reports a mode absent when its library was not built in, and stays available', async () => {
    const result = await registryWith(fakeAddon({ turbojpeg: true, png: true, webp: false }, honest)).probe('image');
    expect(result).toMatchObject({ available: true, state: 'ok' });
    expect(result.modes?.webp).toEqual({
      available: false,
      state: 'absent',
      reason: 'built without libwebp: install libwebp-dev and rebuild',
    });
    expect(result.modes?.jpeg.available).toBe(true);
    expect(result.detail).toBe('webp: built without libwebp: install libwebp-dev and rebuild');
  });

  it('reports a mode broken when its test encode fails or produces the wrong file', async () => {
    const flaky: Encode = async (s) => {
      if (s.codec === 'png') throw new Error('zlib exploded');
      return s.codec === 'webp' ? JPEG_BYTES : honest(s);
    };
    const result = await registryWith(fakeAddon({ turbojpeg: true, png: true, webp: true }, flaky)).probe('image');
    expect(result.available).toBe(true);
    expect(result.modes?.png).toMatchObject({ state: 'broken', reason: expect.stringContaining('zlib exploded') });
    expect(result.modes?.webp).toMatchObject({
      state: 'broken',
      reason: 'the webp test encode did not produce an image/webp file',
    });
  });

  it('is absent overall when no library was built in', async () => {
    const result = await registryWith(fakeAddon({ turbojpeg: false, png: false, webp: false }, honest)).probe('image');
    expect(result).toMatchObject({ available: false, state: 'absent' });
    expect(result.reason).toContain('jpeg: built without libjpeg-turbo: install libturbojpeg0-dev and rebuild');
    expect(result.reason).toContain('png: built without libpng: install libpng-dev and rebuild');
  });

  it('is broken overall when the libraries are there but no mode encodes', async () => {
    const failing: Encode = () => Promise.reject(new Error('no'));
    const result = await registryWith(fakeAddon({ turbojpeg: true, png: false, webp: true }, failing)).probe('image');
    expect(result).toMatchObject({ available: false, state: 'broken' });
    expect(result.modes?.png.state).toBe('absent');
    expect(result.modes?.jpeg.state).toBe('broken');
  });

  it('is absent when the native addon cannot load', async () => {
    const missing = () => {
      throw new NativeAddonError('the rfbcast native addon is not built');
    };
    await expect(registryWith(missing).probe('image')).resolves.toMatchObject({
      available: false,
      state: 'absent',
      reason: 'the rfbcast native addon is not built',
    });
  });
});
