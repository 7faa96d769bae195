/**
 * `rfbcast benchmark`: every backend on the same animated frames, per size:
 * encode time (median, p95), size per frame, bitrate at the target fps, and
 * quality (PSNR of what ffmpeg decodes back against the source frames).
 */
import { type DependencyContainer, metalOf, registryOf, defaultContainer } from '../container';
import type { EncodedUnit, EncoderBackend } from '../core/encoder';
import { createFrame, type RawFrame } from '../core/frame';
import { PATTERNS } from '../scenes/patterns';
import { decodeToRaw, ffmpegAvailable, psnr, rgbaToRgb } from './ffmpeg';
import { ProgressBar } from './progress';

export interface BenchmarkOptions {
  sizes: Array<[number, number]>;
  frames: number;
  fps: number;
  bitrate: number;
  pattern: string;
  jpegQuality: number;
  /**
   * `libx264`, `vtenc`, `vtenc:metal` (frames in Metal memory), `image:jpeg`,
   * `image:png`, `image:webp`; default: every available one.
   */
  backends?: string[];
  progress?: boolean;
}

export interface BenchmarkRow {
  size: string;
  backend: string;
  frames: number;
  encodeMsMedian: number;
  encodeMsP95: number;
  kbPerFrame: number;
  mbps: number;
  /** Mean PSNR over the frames ffmpeg decoded back; null when ffmpeg is absent. */
  psnrDb: number | null;
}

export const TIMING_METHOD =
  'Each frame is rendered first (not timed); then the wall time of one encode() call, from the call until its promise ' +
  'resolves, is recorded. RGBA input, so colour conversion is included: on the CPU, or for vtenc:metal (a Mac) on the GPU, ' +
  'the pixels having been written into a Metal frame before the call. Three warm-up frames are not counted. ' +
  'median and p95 are over --frames frames; kbPerFrame is the mean payload size and mbps that size at --fps.';

export const PSNR_METHOD =
  'the output is decoded back with ffmpeg (H.264 as one stream, images one by one) and compared with the source RGB ' +
  'frames; psnrDb is the mean over the timed frames (images: up to 8 of them), a lossless frame counting as 99 dB, ' +
  'and null ("n/a") without ffmpeg.';

const WARMUP = 3;
const PSNR_SAMPLE_IMAGES = 8;

/** A video backend that takes Metal frames gets a second row fed with them (GPU colour conversion). */
async function defaultBackends(c: DependencyContainer): Promise<string[]> {
  const gpuFrames = metalOf(c).available();
  const out: string[] = [];
  for (const { name, descriptor, result } of await registryOf(c).probeAll()) {
    if (!result.available) continue;
    if (descriptor.transport === 'image') {
      for (const m of descriptor.capabilities.modes ?? []) if (result.modes?.[m]?.available !== false) out.push(`${name}:${m}`);
    } else {
      out.push(name);
      if (gpuFrames && descriptor.capabilities.memories.includes('metal')) out.push(`${name}:metal`);
    }
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

function render(pattern: string, w: number, h: number, i: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  PATTERNS[pattern].render(out, w, h, i);
  return out;
}

/**
 * Mean PSNR against the source frames. `stream[i]` holds frame i's payloads,
 * warm-up frames included (a decoder needs the whole stream); they are not scored.
 */
function quality(spec: string, stream: EncodedUnit[][], o: BenchmarkOptions, w: number, h: number): number | null {
  if (!ffmpegAvailable()) return null;
  const frameBytes = w * h * 3;
  const source = (i: number) => rgbaToRgb(render(o.pattern, w, h, i));
  const values: number[] = [];
  if (spec.startsWith('image')) {
    const step = Math.ceil(o.frames / PSNR_SAMPLE_IMAGES);
    for (let i = WARMUP; i < stream.length; i += step) {
      values.push(psnr(decodeToRaw(stream[i][0].data, { fileName: `frame.${spec.split(':')[1]}` }), source(i)));
    }
  } else {
    const decoded = decodeToRaw(Buffer.concat(stream.flat().map((p) => p.data)), { format: 'h264', fileName: 'bench.h264' });
    // Frame i of the decode is scored against source frame i: a count that differs would misalign them all.
    if (decoded.length !== stream.length * frameBytes) {
      throw new Error(`${spec}: ffmpeg decoded ${decoded.length / frameBytes} frames from the ${stream.length} encoded`);
    }
    for (let i = WARMUP; i < stream.length; i++) values.push(psnr(decoded.subarray(i * frameBytes, (i + 1) * frameBytes), source(i)));
  }
  if (values.length === 0) return null;
  // A lossless frame has infinite PSNR; report it as 99 dB so JSON stays numeric.
  return round(values.reduce((a, v) => a + Math.min(v, 99), 0) / values.length, 2);
}

/** `name`, `name:mode` (an image mode) or `name:metal` (a video backend fed Metal frames). */
async function createEncoder(spec: string, w: number, h: number, o: BenchmarkOptions, c: DependencyContainer): Promise<EncoderBackend> {
  const [name, mode] = spec.split(':');
  const base = { width: w, height: h, fps: o.fps, bitrate: o.bitrate };
  if (mode === 'metal') return registryOf(c).create(name, { ...base, memory: 'metal' });
  return registryOf(c).create(name, { ...base, ...(mode ? { mode, quality: mode === 'jpeg' ? o.jpegQuality : 80 } : {}) });
}

/** Wraps rendered pixels as the frame a spec encodes; for `:metal`, written into one reused Metal frame. */
function frameMaker(spec: string, w: number, h: number, c: DependencyContainer): (pixels: Uint8Array) => RawFrame {
  if (!spec.endsWith(':metal')) return (data) => createFrame({ data, width: w, height: h });
  const frame = metalOf(c).frame({ width: w, height: h });
  const { contents, stride } = frame.data;
  return (pixels) => {
    for (let y = 0; y < h; y++) contents.set(pixels.subarray(y * w * 4, (y + 1) * w * 4), y * stride);
    return frame;
  };
}

export async function benchmark(o: BenchmarkOptions, c: DependencyContainer = defaultContainer()): Promise<BenchmarkRow[]> {
  if (!PATTERNS[o.pattern]) throw new Error(`unknown pattern '${o.pattern}' (expected ${Object.keys(PATTERNS).join(', ')})`);
  const backends = o.backends ?? (await defaultBackends(c));
  const bar = new ProgressBar(o.sizes.length * backends.length * (o.frames + WARMUP), 'benchmark', o.progress !== false);
  const rows: BenchmarkRow[] = [];
  for (const [w, h] of o.sizes) {
    for (const spec of backends) {
      const toFrame = frameMaker(spec, w, h, c);
      const encoder = await createEncoder(spec, w, h, o, c);
      const times: number[] = [];
      const stream: EncodedUnit[][] = [];
      try {
        for (let i = 0; i < o.frames + WARMUP; i++) {
          const frame = toFrame(render(o.pattern, w, h, i));
          const t0 = process.hrtime.bigint();
          stream.push(await encoder.encode(frame, { timestampUs: Math.round((i * 1e6) / o.fps), forceKeyframe: i === 0 }));
          if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          bar.tick(`${spec} ${w}x${h}`);
        }
        stream[stream.length - 1].push(...(await encoder.flush()));
      } finally {
        await encoder.close();
      }
      const bytes = stream.slice(WARMUP).flat().reduce((n, p) => n + p.data.byteLength, 0);
      const sorted = [...times].sort((a, b) => a - b);
      rows.push({
        size: `${w}x${h}`,
        backend: spec,
        frames: o.frames,
        encodeMsMedian: round(percentile(sorted, 50)),
        encodeMsP95: round(percentile(sorted, 95)),
        kbPerFrame: round(bytes / o.frames / 1024, 2),
        mbps: round(((bytes / o.frames) * 8 * o.fps) / 1e6, 3),
        psnrDb: quality(spec, stream, o, w, h),
      });
    }
  }
  return rows;
}
