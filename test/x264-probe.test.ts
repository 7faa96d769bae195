/**
 * The "libx264" backend as a registry plugin: its probe (absent vs broken,
 * with fake native bindings injected through a child container), its rank,
 * and encoders created by name.
 */
import {
  BackendToken,
  createContainer,
  NativeAddonError,
  Rank,
  registryOf,
  rgbaFrame,
  selectBackend,
  X264Backend,
  X264Encoder,
} from 'rfbcast';
import { loadNativeAddon, NativeLoaderToken, type NativeAddon } from 'rfbcast/testing';

import type { NativeAccessUnit, NativeX264Encoder } from '../src/backends/x264/binding';
import { movingPattern } from '../src/scenes/patterns';

/** A container whose built-ins see `addon` as the native addon. */
function withAddon(load: () => NativeAddon) {
  const c = createContainer();
  c.register(NativeLoaderToken, { useValue: load });
  return registryOf(c);
}

/** The real addon with its libx264 part replaced by an encoder class answering `encode` as given. */
function fakeX264(encode: () => Promise<NativeAccessUnit | null>): NativeAddon {
  const real = loadNativeAddon();
  class FakeEncoder implements Pick<NativeX264Encoder, 'encode' | 'close'> {
    encode = encode;
    close(): void {}
  }
  return Object.assign(Object.create(real) as NativeAddon, {
    features: () => ({ ...real.features(), x264: true }),
    X264Encoder: FakeEncoder,
    x264Presets: ['ultrafast'],
  });
}

describe('libx264 probe', () => {
  it('is ok with the real addon', async () => {
    expect(await registryOf(createContainer()).probe('libx264')).toEqual({ available: true, state: 'ok' });
  });

  it('is absent when the addon was built without libx264', async () => {
    const real = loadNativeAddon();
    const without = Object.assign(Object.create(real) as NativeAddon, {
      features: () => ({ ...real.features(), x264: false }),
    });
    expect(await withAddon(() => without).probe('libx264')).toEqual({
      available: false,
      state: 'absent',
      reason: 'built without libx264: install libx264-dev and rebuild',
    });
  });

  it('is absent when the addon cannot load at all', async () => {
    const result = await withAddon(() => {
      throw new NativeAddonError('the rfbcast native addon is not built');
    }).probe('libx264');
    expect(result).toMatchObject({ available: false, state: 'absent', reason: 'the rfbcast native addon is not built' });
  });

  it('is broken when the test encode fails', async () => {
    const result = await withAddon(() => fakeX264(() => Promise.reject(new Error('x264_encoder_open failed')))).probe(
      'libx264',
    );
    expect(result).toMatchObject({ available: false, state: 'broken' });
    expect(result.reason).toMatch(/test encode failed: x264 encode failed: x264_encoder_open failed/);
  });

  it('is broken when the first frame is not an IDR with SPS and PPS', async () => {
    const slice = Uint8Array.from([0, 0, 0, 1, 0x41, 0x9a, 0x02]);
    const result = await withAddon(() => fakeX264(async () => ({ data: slice, keyframe: false }))).probe('libx264');
    expect(result).toMatchObject({ available: false, state: 'broken', detail: 'keyframe false, NAL types 1' });
  });

  it('is broken when x264 returns nothing', async () => {
    const result = await withAddon(() => fakeX264(async () => null)).probe('libx264');
    expect(result).toMatchObject({ available: false, state: 'broken', detail: 'no output' });
  });
});

describe('libx264 in the registry', () => {
  it('is registered as a built-in, ranked PRIMARY (above image, below vtenc), taking every host format', () => {
    const d = registryOf(createContainer()).get('libx264');
    expect(d).toBeInstanceOf(X264Backend);
    expect(d.rank).toBe(Rank.PRIMARY);
    expect(d.transport).toBe('video');
    expect(d.capabilities).toMatchObject({
      pixelFormats: ['rgba', 'bgra', 'rgb24', 'i420', 'nv12'],
      memories: ['host'],
      codecs: ['avc1'],
      hardware: false,
    });
  });

  it('is selected for video when nothing ranks higher, and creates working encoders by name', async () => {
    const c = createContainer();
    c.register(BackendToken, { useClass: X264Backend });
    const selection = await selectBackend({ transport: 'video' }, c);
    expect(selection.backend.name).toBe('libx264');
    const encoder = await registryOf(c).create('libx264', { width: 96, height: 64, fps: 25, bitrate: 1_000_000 });
    expect(encoder).toBeInstanceOf(X264Encoder);
    const [au] = await encoder.encode(rgbaFrame(movingPattern(96, 64, 0), 96, 64), { timestampUs: 7 });
    expect(au).toMatchObject({ keyframe: true, timestampUs: 7, durationUs: 40_000, width: 96, height: 64 });
    expect(encoder.codec).toBe(au.codec);
    await encoder.close();
  });

  it('passes preset and threads through, validating them', async () => {
    const r = registryOf(createContainer());
    await expect(r.create('libx264', { width: 64, height: 64, preset: 'nope' })).rejects.toThrow(/libx264: unknown preset/);
    const encoder = await r.create('libx264', { width: 64, height: 64, preset: 'superfast', threads: 1 });
    await encoder.close();
  });
});
