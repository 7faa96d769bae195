/**
 * Decoding back with the system ffmpeg (when it is installed), so quality is
 * measured by an independent decoder, never by our own code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let available: boolean | undefined;

export function ffmpegAvailable(): boolean {
  available ??= spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
  return available;
}

export function run(cmd: string, args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString().slice(-2000)}`);
  return r.stdout;
}

/** Writes `data` to a temporary file and passes its path to `fn`. */
export function withTempFile<T>(name: string, data: Uint8Array, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'rfbcast-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, data);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Decodes a file to raw frames of `pixFmt` (rgb24, rgba, or yuv420p: tight
 * I420). `format` is the ffmpeg demuxer (`h264` for Annex B elementary
 * streams; omit it for image files).
 */
export function decodeToRaw(
  data: Uint8Array,
  opts: { format?: string; fileName?: string; pixFmt?: 'rgb24' | 'rgba' | 'yuv420p' },
): Buffer {
  const pixFmt = opts.pixFmt ?? 'rgb24';
  return withTempFile(opts.fileName ?? 'input', data, (path) =>
    run('ffmpeg', ['-v', 'error', ...(opts.format ? ['-f', opts.format] : []), '-i', path, '-f', 'rawvideo', '-pix_fmt', pixFmt, '-']),
  );
}

/**
 * Peak signal-to-noise ratio in dB between two equally sized byte arrays
 * (peak 255). `skip` leaves out one channel of `channels` (e.g. alpha).
 */
export function psnr(a: Uint8Array, b: Uint8Array, channels = 3, skip?: number): number {
  if (a.length !== b.length) throw new Error(`psnr: lengths differ (${a.length} vs ${b.length})`);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (skip !== undefined && i % channels === skip) continue;
    const d = a[i] - b[i];
    sum += d * d;
    n++;
  }
  const mse = sum / n;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Drops the alpha channel of tightly packed RGBA. */
export function rgbaToRgb(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = rgba[i];
    out[j + 1] = rgba[i + 1];
    out[j + 2] = rgba[i + 2];
  }
  return out;
}
