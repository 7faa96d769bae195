/**
 * The libx264 backend's output, checked with the system ffmpeg/ffprobe and an
 * independent SPS parser: quality, structure (IDRs, SPS/PPS, no B-frames),
 * order, codec string and VUI (PROTOCOL.md §9.2, §11, §13.3).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  convertFrameSync,
  createFrame,
  DISPLAY_P3,
  type EncodedUnit,
  type HostFrame,
  type PixelFormat,
  rgbaFrame,
  SRGB,
  X264Encoder,
} from 'rfbcast';

import { NAL_IDR, NAL_PPS, NAL_SPS, nalTypes, splitAnnexB } from '../src/backends/h264';
import { movingPattern } from '../src/scenes/patterns';
import { decodeToRaw, probeH264Frames, psnr, rgbaToRgb } from './helpers/ffmpeg';
import { parseSps, type Sps } from './helpers/h264-sps';
import { encodePattern, type PatternStream, timestampOf } from './helpers/x264-stream';

function spsOf(au: Uint8Array): { nal: Uint8Array; sps: Sps } {
  const nal = splitAnnexB(au).find((n) => n.type === NAL_SPS);
  if (!nal) throw new Error('access unit has no SPS');
  return { nal: nal.data, sps: parseSps(nal.data) };
}

/**
 * PSNR of each decoded frame against the I420 the encoder was given (our
 * BT.601 conversion of the RGBA source). Measured in YUV because the 4:2:0
 * round trip alone, with no encoder involved, caps RGB PSNR on this pattern
 * at about 32 dB (its blue channel is a sawtooth that chroma subsampling
 * cannot follow).
 */
function yuvPsnrs(stream: Uint8Array, sources: Uint8Array[], width: number, height: number): number[] {
  const decoded = decodeToRaw(stream, { format: 'h264', pixFmt: 'yuv420p' });
  const size = width * height * 1.5;
  expect(decoded.length).toBe(size * sources.length);
  return sources.map((src, i) =>
    psnr(decoded.subarray(i * size, (i + 1) * size), convertFrameSync(rgbaFrame(src, width, height), 'i420').data),
  );
}

describe('libx264 at 1280x720, 8 Mbit/s, moving pattern', () => {
  const width = 1280;
  const height = 720;
  const fps = 30;
  const frames = 45;
  const forced = new Set([7, 20]);
  let run: PatternStream;

  beforeAll(async () => {
    run = await encodePattern({ width, height, fps, bitrate: 8_000_000 }, frames, forced);
  });

  it('returns one access unit per frame, in input order, stamped with size, timestamp and duration', () => {
    expect(run.payloads).toHaveLength(frames);
    run.payloads.forEach((p, i) => {
      expect([p.width, p.height]).toEqual([width, height]);
      expect(p.timestampUs).toBe(timestampOf(i, fps));
      expect(p.durationUs).toBe(33_333);
      expect(nalTypes(p.data).length).toBeGreaterThan(0);
      expect(Array.from(p.data.subarray(0, 4))).toEqual([0, 0, 0, 1]);
    });
  });

  it('decodes in ffmpeg to every frame at full size, with no B-frames', () => {
    const probed = probeH264Frames(run.stream);
    expect(probed).toHaveLength(frames);
    for (const f of probed) {
      expect([f.width, f.height]).toEqual([width, height]);
      expect(f.pict_type).not.toBe('B');
    }
    // ffprobe's key frames are exactly the payloads flagged keyframe.
    expect(probed.map((f) => f.key_frame === 1)).toEqual(run.payloads.map((p) => p.keyframe));
  });

  it('makes the first and every forced frame an IDR with SPS and PPS in-band; deltas carry neither', () => {
    const keyframes = run.payloads.flatMap((p, i) => (p.keyframe ? [i] : []));
    expect(keyframes).toEqual(expect.arrayContaining([0, ...forced]));
    for (const p of run.payloads) {
      const types = nalTypes(p.data);
      if (p.keyframe) expect(types).toEqual(expect.arrayContaining([NAL_SPS, NAL_PPS, NAL_IDR]));
      else expect(types.filter((t) => t === NAL_SPS || t === NAL_PPS || t === NAL_IDR)).toEqual([]);
    }
  });

  it('keeps PSNR >= 38 dB against the source on every frame', () => {
    expect(Math.min(...yuvPsnrs(run.stream, run.sources, width, height))).toBeGreaterThanOrEqual(38);
  });

  it('keeps RGB PSNR >= 38 dB against the source RGBA on every frame, as ffmpeg decodes it', () => {
    const rgb = decodeToRaw(run.stream, { format: 'h264' });
    const size = width * height * 3;
    const values = run.sources.map((src, i) => psnr(rgb.subarray(i * size, (i + 1) * size), rgbaToRgb(src)));
    expect(values).toHaveLength(run.sources.length);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(38);
  });

  it('derives the codec string from the SPS bytes it emitted (constrained baseline)', () => {
    const { nal, sps } = spsOf(run.payloads[0].data);
    const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
    expect(sps.profileIdc).toBe(66);
    expect(sps.constraintFlags & 0x40).toBe(0x40);
    expect(run.payloads[0].codec).toBe(`avc1.${hex(nal[1])}${hex(nal[2])}${hex(nal[3])}`);
    expect(run.payloads[0].codec).toBe(`avc1.${hex(sps.profileIdc)}${hex(sps.constraintFlags)}${hex(sps.levelIdc)}`);
    expect([sps.width, sps.height]).toEqual([width, height]);
    for (const p of run.payloads) expect(p.codec).toBe(run.payloads[0].codec);
  });

  it('signals max_num_reorder_frames = 0 in the VUI of every SPS', () => {
    for (const p of run.payloads.filter((x) => x.keyframe)) {
      expect(spsOf(p.data).sps.vui?.bitstreamRestriction?.maxNumReorderFrames).toBe(0);
    }
  });
});

describe('libx264 encoders side by side', () => {
  it('keeps each stream faithful when several 720p encoders convert and encode at once', async () => {
    // From 720p up, each encode hands half its conversion to one shared side
    // thread; three encoders at once make it busy, so callers take halves back.
    const options = { width: 1280, height: 720, bitrate: 8_000_000 };
    const runs = await Promise.all([0, 40, 80].map((start) => encodePattern(options, 8, new Set(), start)));
    for (const run of runs) {
      expect(run.payloads).toHaveLength(8);
      expect(Math.min(...yuvPsnrs(run.stream, run.sources, 1280, 720))).toBeGreaterThanOrEqual(38);
    }
  });
});

describe('libx264 GOP, colour and options', () => {
  it('emits an IDR every fps frames without forcing', async () => {
    const { payloads } = await encodePattern({ width: 128, height: 96, fps: 10, bitrate: 500_000 }, 35);
    expect(payloads.flatMap((p, i) => (p.keyframe ? [i] : []))).toEqual([0, 10, 20, 30]);
  });

  it.each([
    ['DISPLAY_P3', DISPLAY_P3, { primaries: 12, transfer: 13, matrix: 6 }],
    ['SRGB', SRGB, { primaries: 1, transfer: 13, matrix: 6 }],
    ['bt2020/pq', { primaries: 'bt2020', transfer: 'pq' } as const, { primaries: 9, transfer: 16, matrix: 6 }],
  ])('writes the VUI colour description for %s, matrix 6, limited range', async (_name, color, expected) => {
    const { payloads } = await encodePattern({ width: 64, height: 64, color }, 1);
    const { vui } = spsOf(payloads[0].data).sps;
    expect(vui?.colour).toEqual(expected);
    expect(vui?.videoFullRange).toBe(false);
  });

  it('without a descriptor writes sRGB (1, 13), matrix 6 and limited range: no descriptor means sRGB', async () => {
    const { payloads } = await encodePattern({ width: 64, height: 64 }, 1);
    const { vui } = spsOf(payloads[0].data).sps;
    expect(vui?.colour).toEqual({ primaries: 1, transfer: 13, matrix: 6 });
    expect(vui?.videoFullRange).toBe(false);
  });

  it('takes a preset and a thread count, and encodeStill() is an IDR', async () => {
    const encoder = new X264Encoder({ width: 320, height: 240, preset: 'veryfast', threads: 2 });
    const frame = rgbaFrame(movingPattern(320, 240, 0), 320, 240);
    const first = await encoder.encode(frame, { timestampUs: 0 });
    const second = await encoder.encode(frame, { timestampUs: 1 });
    const still = await encoder.encodeStill(frame, { timestampUs: 1 });
    await encoder.close();
    expect([first[0].keyframe, second[0].keyframe, still[0].keyframe]).toEqual([true, false, true]);
    expect(nalTypes(still[0].data)).toEqual(expect.arrayContaining([NAL_SPS, NAL_PPS, NAL_IDR]));
  });

  it('describes each unit with the encoder\'s size and the frame\'s pixel ratio and colour (a ratio of 1 left out)', async () => {
    const encoder = new X264Encoder({ width: 64, height: 48, color: DISPLAY_P3 });
    try {
      const data = movingPattern(64, 48, 0);
      const [hiDpi] = await encoder.encode(rgbaFrame(data, 64, 48, { pixelRatio: 2, color: DISPLAY_P3 }), { timestampUs: 3 });
      expect(hiDpi).toMatchObject({ width: 64, height: 48, pixelRatio: 2, color: DISPLAY_P3, timestampUs: 3 });
      const [still] = await encoder.encodeStill(rgbaFrame(data, 64, 48, { pixelRatio: 1.25 }), { timestampUs: 4 });
      expect(still).toMatchObject({ width: 64, height: 48, pixelRatio: 1.25, keyframe: true });
      expect('color' in still).toBe(false);
      const [plain] = await encoder.encode(rgbaFrame(data, 64, 48, { pixelRatio: 1 }), { timestampUs: 5 });
      expect('pixelRatio' in plain || 'color' in plain).toBe(false);
    } finally {
      await encoder.close();
    }
  });
});

/** Re-lays a tight frame of `format` with `pad` extra bytes per row (planar: per Y row, chroma rows follow suit). */
function padded(tight: HostFrame, pad: number): HostFrame {
  const { width, height, pixelFormat } = tight;
  const planar = pixelFormat === 'i420' || pixelFormat === 'nv12';
  const stride = tight.stride + pad;
  const rows: Array<[number, number, number]> = []; // [source offset, destination offset, bytes]
  if (!planar) {
    for (let y = 0; y < height; y++) rows.push([y * tight.stride, y * stride, tight.stride]);
  } else {
    const chroma = pixelFormat === 'i420' ? [tight.stride / 2, stride / 2, height] : [tight.stride, stride, height / 2];
    for (let y = 0; y < height; y++) rows.push([y * width, y * stride, width]);
    const [cw, cs, count] = chroma;
    for (let y = 0; y < count; y++) rows.push([width * height + y * cw, stride * height + y * cs, cw]);
  }
  const data = new Uint8Array(planar ? stride * height * 1.5 : stride * height);
  for (const [from, to, n] of rows) data.set(tight.data.subarray(from, from + n), to);
  return createFrame({ data, width, height, pixelFormat, stride }) as HostFrame;
}

function asFormat(rgba: Uint8Array, width: number, height: number, format: PixelFormat): HostFrame {
  const source = rgbaFrame(rgba, width, height);
  if (format === 'i420' || format === 'nv12') return convertFrameSync(source, format);
  const bpp = format === 'rgb24' ? 3 : 4;
  const order = format === 'bgra' ? [2, 1, 0, 3] : [0, 1, 2, 3];
  const data = new Uint8Array(width * height * bpp);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < bpp; c++) data[p * bpp + c] = rgba[p * 4 + order[c]];
  return createFrame({ data, width, height, pixelFormat: format }) as HostFrame;
}

describe('libx264 input formats and strides', () => {
  it.each(['rgba', 'bgra', 'rgb24', 'i420', 'nv12'] as const)('encodes %s with a padded stride faithfully', async (format) => {
    const width = 320;
    const height = 240;
    const encoder = new X264Encoder({ width, height, bitrate: 4_000_000 });
    const sources = [0, 1, 2, 3].map((i) => movingPattern(width, height, i));
    const payloads: EncodedUnit[] = [];
    for (const [i, src] of sources.entries()) {
      const frame = padded(asFormat(src, width, height, format), 64);
      payloads.push(...(await encoder.encode(frame, { timestampUs: i })));
    }
    await encoder.close();
    const values = yuvPsnrs(Buffer.concat(payloads.map((p) => p.data)), sources, width, height);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(38);
  });
});

describe('examples/encode-to-file', () => {
  it('writes a .h264 file that ffprobe plays through', () => {
    const script = join(__dirname, '..', 'dist', 'examples', 'encode-to-file.js');
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run bootstrap`);
    const dir = mkdtempSync(join(tmpdir(), 'rfbcast-example-'));
    try {
      const out = join(dir, 'pattern.h264');
      const run = spawnSync(process.execPath, [script, out, '20', '160x96'], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^wrote 20 frames of 160x96 H\.264 \(avc1\.42C0[0-9A-F]{2}\)/);
      const probed = probeH264Frames(readFileSync(out));
      expect(probed).toHaveLength(20);
      expect([probed[0].width, probed[0].height]).toEqual([160, 96]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
