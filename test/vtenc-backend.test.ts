/**
 * The "vtenc" backend above the native layer, with fake VideoToolbox and
 * Metal bindings injected through the container (test/helpers/fake-apple.ts):
 * probe reasons, selection, unit attribution (synchronous and pipelined),
 * forced keyframes, the codec string from real SPS bytes, Metal input, and
 * every error path.
 */
import {
  BackendUnavailableError,
  ConfigError,
  convertFrameSync,
  createFrame,
  DISPLAY_P3,
  EncoderClosedError,
  EncoderError,
  FrameError,
  type HostFrame,
  Metal,
  Rank,
  registryOf,
  selectBackend,
  VtencEncoder,
} from 'rfbcast';
import { defaultContainer, VtBindingToken } from 'rfbcast/testing';

import { NAL_PPS, NAL_SPS, nalTypes } from '../src/backends/h264';
import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from '../src/scenes/metal-pattern';
import { movingPattern } from '../src/scenes/patterns';
import { fakeBackend } from './helpers/fake-backends';
import { fakeMac, realUnits } from './helpers/fake-apple';
import { spsFields } from './helpers/h264-stream';

const rgba = (w: number, h: number, i = 0) => createFrame({ data: movingPattern(w, h, i), width: w, height: h }) as HostFrame;

async function vtenc(c = fakeMac().c, options: Record<string, unknown> = {}): Promise<VtencEncoder> {
  return (await registryOf(c).create('vtenc', { width: 320, height: 240, ...options })) as VtencEncoder;
}

/** The codec string built independently, from the SPS fields ffmpeg parses out of the unit. */
function expectedCodec(unit: Uint8Array): string {
  const f = spsFields(unit);
  const constraints = [0, 1, 2, 3, 4, 5].reduce((byte, i) => byte | (f[`constraint_set${i}_flag`] << (7 - i)), 0);
  const hex = (v: number) => v.toString(16).toUpperCase().padStart(2, '0');
  return `avc1.${hex(f.profile_idc)}${hex(constraints)}${hex(f.level_idc)}`;
}

describe('vtenc probe', () => {
  it('is registered as a hardware H.264 backend ranked above libx264', () => {
    const d = registryOf(fakeMac().c).get('vtenc');
    expect(d).toMatchObject({ name: 'vtenc', transport: 'video', rank: Rank.PRIMARY + 64 });
    expect(d.capabilities).toMatchObject({ hardware: true, codecs: ['avc1'], memories: ['host', 'metal'] });
    expect(d.rank).toBeGreaterThan(Rank.PRIMARY);
  });

  it('says "not macOS" off a Mac, without touching the binding', async () => {
    const { c, vt } = fakeMac({}, 'linux');
    expect(await registryOf(c).probe('vtenc')).toEqual({ available: false, state: 'absent', reason: 'not macOS' });
    expect(vt.probes).toBe(0);
  });

  it('says "built without VideoToolbox" when the addon lacks it', async () => {
    const { c } = fakeMac({ vtenc: false });
    expect(await registryOf(c).probe('vtenc')).toMatchObject({ state: 'absent', reason: 'built without VideoToolbox' });
  });

  it('reports the refusing OSStatus: broken for a failure, absent when there is no hardware encoder', async () => {
    const refused = fakeMac({ probe: { ok: false, status: -12915, message: 'encoder busy' } });
    expect(await registryOf(refused.c).probe('vtenc')).toEqual({
      available: false, state: 'broken', reason: 'VideoToolbox refused: -12915', detail: 'encoder busy',
    });
    const none = fakeMac({ probe: { ok: false, status: -12908 } });
    expect(await registryOf(none.c).probe('vtenc')).toMatchObject({ state: 'absent', reason: 'VideoToolbox refused: -12908' });
  });

  it('never throws: a failing binding or loader becomes a reason', async () => {
    const rejecting = fakeMac({ probe: () => Promise.reject(new Error('XPC connection lost')) });
    expect(await registryOf(rejecting.c).probe('vtenc')).toMatchObject({
      state: 'broken', reason: 'VideoToolbox probe failed: XPC connection lost',
    });
    const noAddon = fakeMac();
    noAddon.c.register(VtBindingToken, { useValue: () => { throw new Error('the rfbcast native addon is not built'); } });
    expect(await registryOf(noAddon.c).probe('vtenc')).toMatchObject({ state: 'absent', reason: 'the rfbcast native addon is not built' });
  });

  it('opens a real session on a Mac: ok once the binding says so, probed once', async () => {
    const { c, vt } = fakeMac();
    expect(await registryOf(c).probe('vtenc')).toEqual({ available: true, state: 'ok' });
    await registryOf(c).probe('vtenc');
    expect(vt.probes).toBe(1);
  });
});

describe('vtenc selection', () => {
  it('selectBackend({ gpu: true }) picks vtenc on a Mac, and vtenc outranks libx264', async () => {
    const { c } = fakeMac();
    registryOf(c).registerBackend(fakeBackend('libx264', { rank: Rank.PRIMARY }), { replace: true });
    expect((await selectBackend({ gpu: true }, c)).backend.name).toBe('vtenc');
    expect((await selectBackend({}, c)).backend.name).toBe('vtenc');
  });

  it('elsewhere gpu selection fails listing vtenc\'s reason, and plain selection falls back with it', async () => {
    const { c } = fakeMac({}, 'linux');
    registryOf(c).registerBackend(fakeBackend('libx264', { rank: Rank.PRIMARY }), { replace: true });
    const error = (await selectBackend({ gpu: true }, c).catch((e: unknown) => e)) as BackendUnavailableError;
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.reasons).toContainEqual({ name: 'vtenc', reason: 'not macOS' });
    expect(error.message).toContain('vtenc: not macOS');
    const s = await selectBackend({}, c);
    expect(s.backend.name).toBe('libx264');
    expect(s.skipped).toContainEqual({ name: 'vtenc', reason: 'not macOS' });
  });

  (process.platform === 'darwin' ? it.skip : it)('on this Linux machine the real container lists vtenc as "not macOS"', async () => {
    const error = (await selectBackend({ gpu: true }, defaultContainer()).catch((e: unknown) => e)) as BackendUnavailableError;
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.reasons).toContainEqual({ name: 'vtenc', reason: 'not macOS' });
  });
});

describe('vtenc encoding', () => {
  it('passes the contract settings to VideoToolbox and stamps each unit with its own timestamp', async () => {
    const { c, vt } = fakeMac();
    const enc = await vtenc(c, { fps: 25, color: DISPLAY_P3 });
    const native = vt.encoders[0];
    expect(native.options).toEqual({
      width: 320, height: 240, fps: 25, bitrate: 12_000_000, gop: 25, pipelineDepth: 0, primaries: 12, transfer: 13,
    });
    expect(native.opened).toBe(true);
    const times = [0, 1000, 4000, 5000, 9000];
    const out = [];
    for (const [i, timestampUs] of times.entries()) {
      out.push(await enc.encode(rgba(320, 240, i), { timestampUs, forceKeyframe: i === 0 }));
    }
    expect(out.map((p) => p.map((x) => [x.timestampUs, x.keyframe, x.durationUs, x.width, x.height]))).toEqual(
      times.map((t, i) => [[t, i === 0, 40000, 320, 240]]),
    );
    // The binding matches units to submissions by the encoder's own count.
    expect(native.calls.map((x) => [x.kind, x.format, x.width, x.height, x.stride, x.seq])).toEqual(
      times.map((_, i) => ['encode', 'rgba', 320, 240, 1280, i]),
    );
    await enc.close();
  });

  it('forced keyframes reach the binding and come back as IDR with SPS and PPS in-band', async () => {
    const { c, vt } = fakeMac();
    const enc = await vtenc(c);
    const forced = new Set([0, 3, 4]);
    for (let i = 0; i < 6; i++) {
      const [p] = await enc.encode(rgba(320, 240, i), { timestampUs: i, forceKeyframe: forced.has(i) });
      expect(p.keyframe).toBe(forced.has(i));
      const types = nalTypes(p.data);
      expect(types.includes(NAL_SPS) && types.includes(NAL_PPS)).toBe(forced.has(i));
    }
    expect(vt.encoders[0].calls.map((x) => x.forceKeyframe)).toEqual([true, false, false, true, true, false]);
    await enc.close();
  });

  // The GOP itself is VideoToolbox's (MaxKeyFrameInterval); the fake imitates it, so what is
  // checked here is our side: the option reaches the session and an unforced IDR is reported.
  it('passes gop to the session as its keyframe interval, and reports its unforced IDRs as keyframes', async () => {
    const { c, vt } = fakeMac();
    const enc = await vtenc(c, { fps: 30, gop: 3 });
    expect(vt.encoders[0].options.gop).toBe(3);
    const keys = [];
    for (let i = 0; i < 7; i++) keys.push((await enc.encode(rgba(320, 240), { timestampUs: 0 }))[0].keyframe);
    expect(keys).toEqual([true, false, false, true, false, false, true]);
    await enc.close();
  });

  it('derives the codec string from the real SPS it emits, and a rebuilt encoder from its own', async () => {
    const { c } = fakeMac();
    const small = await vtenc(c);
    expect(small.codec).toBeUndefined();
    const [key] = await small.encode(rgba(320, 240), { timestampUs: 0, forceKeyframe: true });
    expect(key.codec).toBe(expectedCodec(realUnits(320, 240).idr));
    expect(small.codec).toBe(key.codec);
    const [delta] = await small.encode(rgba(320, 240), { timestampUs: 1 });
    expect(delta.codec).toBe(key.codec);

    // A frame of another size is refused; the session rebuilds at the new size (PROTOCOL.md §10.2).
    await expect(small.encode(rgba(1280, 720), { timestampUs: 2 })).rejects.toThrow(FrameError);
    await expect(small.encode(rgba(1280, 720), { timestampUs: 2 })).rejects.toThrow(
      'vtenc: frame is 1280x720 but this encoder was built for 320x240; rebuild it',
    );
    await small.close();
    const large = await vtenc(c, { width: 1280, height: 720 });
    const [big] = await large.encode(rgba(1280, 720), { timestampUs: 2, forceKeyframe: true });
    expect(big.codec).toBe(expectedCodec(realUnits(1280, 720).idr));
    expect(big.codec).not.toBe(key.codec); // a higher level for the larger picture
    await large.close();
  });

  it('pipelined: several encodes in flight, each resolving with its own frame, calls never overlapping', async () => {
    const { c, vt } = fakeMac();
    const enc = await vtenc(c, { pipelineDepth: 2 });
    const times = [30, 40, 60, 70, 80, 110];
    const results = await Promise.all(
      times.map((timestampUs, i) => enc.encode(rgba(320, 240, i), { timestampUs, forceKeyframe: i === 0 })),
    );
    expect(results.map((r) => r.map((p) => p.timestampUs))).toEqual(times.map((t) => [t]));
    expect(results[0][0].keyframe).toBe(true);
    const native = vt.encoders[0];
    expect(native.calls.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(native.options.pipelineDepth).toBe(2);
    expect(native.maxInFlight).toBe(3); // k frames waiting inside VideoToolbox plus the one being submitted
    expect(native.flushes).toBe(1); // once, when the queue ran dry
    await enc.close();
  });

  it('pipelined: a caller that awaits each frame still gets it at once', async () => {
    const { c, vt } = fakeMac();
    const enc = await vtenc(c, { pipelineDepth: 3 });
    for (let i = 0; i < 4; i++) {
      const [p] = await enc.encode(rgba(320, 240), { timestampUs: i });
      expect(p.timestampUs).toBe(i);
    }
    expect(vt.encoders[0].flushes).toBe(4);
    expect(await enc.flush()).toEqual([]);
    await enc.close();
  });

  it('describes each unit with the encoder\'s size and the frame\'s pixel ratio and colour (a ratio of 1 left out)', async () => {
    const enc = await vtenc();
    const data = movingPattern(320, 240, 2);
    const [hiDpi] = await enc.encode(createFrame({ data, width: 320, height: 240, pixelRatio: 2, color: DISPLAY_P3 }), { timestampUs: 8 });
    expect(hiDpi).toMatchObject({ width: 320, height: 240, pixelRatio: 2, color: DISPLAY_P3, timestampUs: 8 });
    const [plain] = await enc.encode(createFrame({ data, width: 320, height: 240, pixelRatio: 1 }), { timestampUs: 9 });
    expect(plain).toMatchObject({ width: 320, height: 240 });
    expect('pixelRatio' in plain || 'color' in plain).toBe(false);
    await enc.close();
  });

  it('takes nv12, bgra, rgb24 and i420 host frames, with their strides', async () => {
    const { c, vt } = fakeMac();
    const enc = await vtenc(c, { width: 64, height: 32 });
    const rgbaBytes = movingPattern(64, 32, 1);
    const host = createFrame({ data: rgbaBytes, width: 64, height: 32 }) as HostFrame;
    const frames = [
      convertFrameSync(host, 'nv12'),
      createFrame({ data: new Uint8Array(200 * 32), width: 64, height: 32, stride: 200, pixelFormat: 'rgb24' }),
      createFrame({ data: rgbaBytes, width: 64, height: 32, pixelFormat: 'bgra' }),
      convertFrameSync(host, 'i420'),
    ];
    for (const f of frames) await enc.encode(f, { timestampUs: 0 });
    expect(vt.encoders[0].calls.map((x) => [x.format, x.stride])).toEqual([['nv12', 64], ['rgb24', 200], ['bgra', 256], ['i420', 64]]);
    await enc.close();
  });
});

describe('vtenc with Metal frames', () => {
  it('converts RGBA Metal frames to NV12 on the GPU, and hands NV12 Metal frames straight over', async () => {
    const { c, vt, metal: gpu } = fakeMac();
    const metal = c.resolve(Metal);
    const enc = await vtenc(c, { width: 64, height: 48 });
    const frame = metal.frame({ width: 64, height: 48 });
    await metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY).run(frame, [5]);
    await enc.encode(frame, { timestampUs: 0, forceKeyframe: true });
    expect(gpu.conversions).toBe(1);
    const call = vt.encoders[0].calls[0];
    expect([call.kind, call.format, call.width, call.height]).toEqual(['encodeMetal', 'nv12', 64, 48]);
    // What reached the encoder is the CPU path's NV12 of the same picture, row by row.
    const cpu = convertFrameSync(createFrame({ data: movingPattern(64, 48, 5), width: 64, height: 48 }) as HostFrame, 'nv12');
    for (let r = 0; r < 72; r++) {
      expect(Buffer.from(call.nv12!.subarray(r * call.stride, r * call.stride + 64))).toEqual(Buffer.from(cpu.data.subarray(r * 64, (r + 1) * 64)));
    }
    expect(enc.timings).toEqual({ gpuConvertMs: 0.25, copyMs: 0.5, encodeMs: 1.5 });

    const nv12 = await metal.rgbToNv12(frame);
    await enc.encode(nv12, { timestampUs: 1 });
    expect(gpu.conversions).toBe(2); // the explicit rgbToNv12 only
    expect(vt.encoders[0].calls[1]).toMatchObject({ kind: 'encodeMetal', format: 'nv12' });
    expect(enc.timings.gpuConvertMs).toBe(0);
    await enc.close();
  });

  it('refuses a metal frame without a MetalFrame handle, and other memories', async () => {
    const enc = await vtenc();
    const fake = createFrame({ width: 320, height: 240, memory: 'metal', data: { not: 'a MetalFrame' } });
    await expect(enc.encode(fake, { timestampUs: 0 })).rejects.toThrow('vtenc: a metal frame needs a MetalFrame handle');
    const cuda = createFrame({ width: 320, height: 240, memory: 'cuda', data: {} });
    await expect(enc.encode(cuda, { timestampUs: 0 })).rejects.toThrow('vtenc takes host or metal frames, not cuda frames');
    await enc.close();
  });
});

describe('vtenc errors', () => {
  it('rejects bad options with ConfigError', async () => {
    const { c } = fakeMac();
    await expect(vtenc(c, { width: 321 })).rejects.toThrow(ConfigError);
    await expect(vtenc(c, { width: 321 })).rejects.toThrow('vtenc: width must be even (H.264 4:2:0), got 321');
    await expect(vtenc(c, { fps: 0 })).rejects.toThrow('vtenc: fps must be an integer from 1 to 240, got 0');
    await expect(vtenc(c, { pipelineDepth: 17 })).rejects.toThrow('pipelineDepth must be an integer from 1 to 16');
    await expect(vtenc(c, { bitrate: -5 })).rejects.toThrow(/bitrate must be/);
  });

  it('cannot be created off a Mac, and a refused session fails creation and is closed', async () => {
    await expect(vtenc(fakeMac({}, 'linux').c)).rejects.toThrow(BackendUnavailableError);
    await expect(vtenc(fakeMac({}, 'linux').c)).rejects.toThrow('vtenc is unavailable (vtenc: not macOS)');
    const { c, vt } = fakeMac({ openError: 'VideoToolbox refused a hardware H.264 session (OSStatus -12908)' });
    const attempt = vtenc(c);
    await expect(attempt).rejects.toThrow(EncoderError);
    await expect(attempt).rejects.toThrow('vtenc: could not open a VideoToolbox session: VideoToolbox refused a hardware H.264 session (OSStatus -12908)');
    expect(vt.encoders[0].closed).toBe(true);
  });

  it('a frame VideoToolbox fails is rejected alone; the next frame encodes', async () => {
    const { c } = fakeMac({ unitErrorAt: 1 });
    const enc = await vtenc(c);
    await enc.encode(rgba(320, 240), { timestampUs: 0 });
    await expect(enc.encode(rgba(320, 240), { timestampUs: 0 })).rejects.toThrow(
      'vtenc: VideoToolbox failed to encode the frame (OSStatus -12911)',
    );
    expect(await enc.encode(rgba(320, 240), { timestampUs: 0 })).toHaveLength(1);
    await enc.close();
  });

  it('a native call that throws fails every frame in flight and the encoder', async () => {
    const { c } = fakeMac({ throwAt: 2 });
    const enc = await vtenc(c, { pipelineDepth: 2 });
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => enc.encode(rgba(320, 240), { timestampUs: 0 })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    const reasons = results.map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(reasons.every((e) => e instanceof EncoderError)).toBe(true);
    expect(reasons[0].message).toBe('vtenc: VideoToolbox refused the frame (OSStatus -12902); rebuild the encoder');
    await expect(enc.encode(rgba(320, 240), { timestampUs: 0 })).rejects.toBe(reasons[0]);
    await enc.close();
  });

  it('rejects a bad timestamp, and everything after close; close is idempotent and waits for queued frames', async () => {
    const { c, vt } = fakeMac();
    const enc = await vtenc(c);
    await expect(enc.encode(rgba(320, 240), { timestampUs: -1 })).rejects.toThrow(ConfigError);
    await expect(enc.encode(rgba(320, 240), { timestampUs: 1.5 })).rejects.toThrow(
      'encode options: timestampUs must be a non-negative integer, got 1.5',
    );
    const queued = enc.encode(rgba(320, 240), { timestampUs: 0 });
    const closed = enc.close();
    expect(enc.close()).toBe(closed);
    expect(await queued).toHaveLength(1);
    await closed;
    expect(vt.encoders[0].calls.map((x) => x.seq)).toEqual([0]); // refused frames took no submission number
    expect(vt.encoders[0].closed).toBe(true);
    await expect(enc.encode(rgba(320, 240), { timestampUs: 0 })).rejects.toThrow(EncoderClosedError);
    await expect(enc.flush()).rejects.toThrow('vtenc encoder is closed');
  });
});
