/**
 * The real thing: VideoToolbox and Metal on a Mac, decoded back with ffmpeg.
 * Elsewhere these tests are skipped, and the suite's name says why.
 */
import {
  convertFrameSync,
  createFrame,
  DISPLAY_P3,
  type EncodedUnit,
  type HostFrame,
  metalOf,
  registryOf,
  type VtencEncoder,
} from 'rfbcast';
import { loadNativeAddon, nativeFeatures } from 'rfbcast/testing';

import { codecStringOf, NAL_PPS, NAL_SPS, nalTypes } from '../src/backends/h264';
import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from '../src/scenes/metal-pattern';
import { movingPattern } from '../src/scenes/patterns';
import { decodeToRaw, probeH264Frames, psnr, rgbaToRgb } from './helpers/ffmpeg';
import { spsFields } from './helpers/h264-stream';

/** The process-wide container's Metal. */
const metal = metalOf();

function whyNot(): string | undefined {
  if (process.platform !== 'darwin') return 'not macOS';
  if (!nativeFeatures().vtenc) return 'the addon was built without VideoToolbox';
  return undefined;
}

const why = whyNot();
const onMac = why ? describe.skip : describe;
if (why) process.stderr.write(`vtenc-mac.test.ts: real VideoToolbox and Metal tests skipped: ${why}\n`);
const W = 640;
const H = 360;

const stream = (payloads: EncodedUnit[][]) => Buffer.concat(payloads.flat().map((p) => p.data));

it('the addon is built with VideoToolbox and Metal exactly on macOS', () => {
  const { vtenc, metal: hasMetal } = nativeFeatures();
  expect({ vtenc, metal: hasMetal }).toEqual({ vtenc: process.platform === 'darwin', metal: process.platform === 'darwin' });
});

onMac(why ? `real VideoToolbox and Metal (skipped: ${why}; run on a Mac)` : 'real VideoToolbox and Metal', () => {
  it('probes ok: a real hardware H.264 session opens and encodes', async () => {
    expect(await registryOf().probe('vtenc')).toEqual({ available: true, state: 'ok' });
  });

  it('encodes host RGBA into a stream ffmpeg decodes close to the input, IDR + SPS/PPS where forced', async () => {
    const live = loadNativeAddon().liveEncoders();
    const enc = (await registryOf().create('vtenc', { width: W, height: H, fps: 30, color: DISPLAY_P3 })) as VtencEncoder;
    expect(loadNativeAddon().liveEncoders()).toBe(live + 1);
    const frames = Array.from({ length: 30 }, (_, i) => movingPattern(W, H, i));
    const out: EncodedUnit[][] = [];
    for (const [i, data] of frames.entries()) {
      const frame = createFrame({ data, width: W, height: H });
      out.push(await enc.encode(frame, { timestampUs: i * 33333, forceKeyframe: i === 0 || i === 17 }));
    }
    await enc.close();
    expect(loadNativeAddon().liveEncoders()).toBe(live);
    expect(out.map((p) => p.length)).toEqual(frames.map(() => 1));
    expect(out.map((p) => [p[0].timestampUs, p[0].width, p[0].height])).toEqual(frames.map((_, i) => [i * 33333, W, H]));
    expect(out[0][0].keyframe && out[17][0].keyframe).toBe(true);
    for (const [p] of out) {
      const types = nalTypes(p.data);
      expect(types.includes(NAL_SPS) && types.includes(NAL_PPS)).toBe(p.keyframe);
      if (p.keyframe) expect(p.codec).toBe(codecStringOf(p.data));
    }
    const all = stream(out);
    expect(spsFields(all)).toMatchObject({
      profile_idc: 66,
      bitstream_restriction_flag: 1,
      max_num_reorder_frames: 0,
      colour_primaries: 12,
      transfer_characteristics: 13,
      matrix_coefficients: 6,
      video_full_range_flag: 0,
    });
    const probed = probeH264Frames(all);
    expect(probed).toHaveLength(30);
    expect(probed.every((f) => f.width === W && f.height === H && f.pict_type !== 'B')).toBe(true);
    expect(probed[0].key_frame && probed[17].key_frame).toBe(1);
    const decoded = decodeToRaw(all, { format: 'h264' });
    const last = (W * H * 3) * 29;
    expect(psnr(decoded.subarray(last), rgbaToRgb(frames[29]))).toBeGreaterThan(30);
  });

  it('pipelined: each frame still gets its own access unit, in order', async () => {
    const enc = (await registryOf().create('vtenc', { width: W, height: H, pipelineDepth: 2 })) as VtencEncoder;
    const times = [0, 1, 3, 4, 5, 8, 9, 10];
    const out = await Promise.all(
      times.map((timestampUs, i) => enc.encode(createFrame({ data: movingPattern(W, H, i), width: W, height: H }), { timestampUs, forceKeyframe: i === 0 })),
    );
    await enc.close();
    expect(out.map((p) => p.map((x) => x.timestampUs))).toEqual(times.map((t) => [t]));
    expect(probeH264Frames(stream(out))).toHaveLength(times.length);
  });

  it('Metal: the GPU renders and converts exactly as the CPU does, and vtenc encodes Metal frames', async () => {
    expect(metal.available()).toBe(true);
    const frame = metal.frame({ width: W, height: H });
    await metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY).run(frame, [3]);
    const host = await metal.toHostRgb(frame);
    expect(Buffer.compare(Buffer.from(host.data), Buffer.from(movingPattern(W, H, 3)))).toBe(0);
    const nv12 = await metal.rgbToNv12(frame);
    const cpu = convertFrameSync(createFrame({ data: movingPattern(W, H, 3), width: W, height: H }) as HostFrame, 'nv12');
    const { contents, stride } = nv12.data;
    for (let r = 0; r < H * 1.5; r++) {
      expect(Buffer.compare(Buffer.from(contents.subarray(r * stride, r * stride + W)), Buffer.from(cpu.data.subarray(r * W, (r + 1) * W)))).toBe(0);
    }
    const enc = (await registryOf().create('vtenc', { width: W, height: H, memory: 'metal' })) as VtencEncoder;
    const a = await enc.encode(frame, { timestampUs: 0, forceKeyframe: true });
    expect(enc.timings.gpuConvertMs).toBeGreaterThan(0);
    const b = await enc.encode(nv12, { timestampUs: 1 });
    await enc.close();
    const decoded = decodeToRaw(stream([a, b]), { format: 'h264' });
    expect(psnr(decoded.subarray(0, W * H * 3), rgbaToRgb(movingPattern(W, H, 3)))).toBeGreaterThan(30);
  });
});
