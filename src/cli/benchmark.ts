/**
 * `rfbcast benchmark`: every backend on the same animated frames, per size:
 * encode time (median, p95), size per frame, bitrate at the target fps, and
 * quality (PSNR of what ffmpeg decodes back against the source frames).
 */
import { registryOf } from '../core/container';
import type { EncodedPayload, EncoderBackend } from '../core/encoder';
import { createFrame } from '../core/frame';
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
  /** `libx264`, `vtenc`, `image:jpeg`, `image:png`, `image:webp`; default: every available one. */
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
  'resolves, is recorded. RGBA input, so colour conversion is included. Three warm-up frames are not counted. ' +
  'median and p95 are over --frames frames; kbPerFrame is the mean payload size and mbps that size at --fps.';

const WARMUP = 3;
const PSNR_SAMPLE_IMAGES = 8;

async function defaultBackends(): Promise<string[]> {
  const registry = registryOf();
  const out: string[] = [];
  for (const { name, descriptor, result } of await registry.probeAll()) {
    if (!result.available) continue;
    if (descriptor.transport === 'image') {
      for (const m of descriptor.capabilities.modes ?? []) if (result.modes?.[m]?.available !== false) out.push(`${name}:${m}`);
    } else out.push(name);
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
function quality(spec: string, stream: EncodedPayload[][], o: BenchmarkOptions, w: number, h: number): number | null {
  if (!ffmpegAvailable()) return null;
  const frameBytes = w * h * 3;
  const source = (i: number) => rgbaToRgb(render(o.pattern, w, h, i));
  const values: number[] = [];
  if (spec.startsWith('image')) {
    const step = Math.max(1, Math.floor(o.frames / PSNR_SAMPLE_IMAGES));
    for (let i = WARMUP; i < stream.length; i += step) {
      values.push(psnr(decodeToRaw(stream[i][0].data, { fileName: `frame.${spec.split(':')[1]}` }), source(i)));
    }
  } else {
    const decoded = decodeToRaw(Buffer.concat(stream.flat().map((p) => p.data)), { format: 'h264', fileName: 'bench.h264' });
    const n = Math.min(stream.length, Math.floor(decoded.length / frameBytes));
    for (let i = WARMUP; i < n; i++) values.push(psnr(decoded.subarray(i * frameBytes, (i + 1) * frameBytes), source(i)));
  }
  if (values.length === 0) return null;
  // A lossless frame has infinite PSNR; report it as 99 dB so JSON stays numeric.
  return round(values.reduce((a, v) => a + Math.min(v, 99), 0) / values.length, 2);
}

async function createEncoder(spec: string, w: number, h: number, o: BenchmarkOptions): Promise<EncoderBackend> {
  const [name, mode] = spec.split(':');
  return registryOf().create(name, { width: w, height: h, fps: o.fps, bitrate: o.bitrate, ...(mode ? { mode, quality: mode === 'jpeg' ? o.jpegQuality : 80 } : {}) });
}

export async function benchmark(o: BenchmarkOptions): Promise<BenchmarkRow[]> {
  if (!PATTERNS[o.pattern]) throw new Error(`unknown pattern '${o.pattern}' (expected ${Object.keys(PATTERNS).join(', ')})`);
  const backends = o.backends ?? (await defaultBackends());
  const bar = new ProgressBar(o.sizes.length * backends.length * (o.frames + WARMUP), 'benchmark', o.progress !== false);
  const rows: BenchmarkRow[] = [];
  for (const [w, h] of o.sizes) {
    for (const spec of backends) {
      const encoder = await createEncoder(spec, w, h, o);
      const times: number[] = [];
      const stream: EncodedPayload[][] = [];
      try {
        for (let i = 0; i < o.frames + WARMUP; i++) {
          const frame = createFrame({ data: render(o.pattern, w, h, i), width: w, height: h });
          const t0 = process.hrtime.bigint();
          stream.push(await encoder.encode(frame, { seq: i, timestampUs: Math.round((i * 1e6) / o.fps), forceKeyframe: i === 0 }));
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
