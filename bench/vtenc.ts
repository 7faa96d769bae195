/**
 * `vtenc` suite (macOS): the per-frame cost of the GPU path, a Metal RGBA
 * frame -> NV12 on the GPU -> copy into a VideoToolbox pixel buffer -> H.264,
 * broken down by stage, at 720p, 1080p, 1440p and 2160p. References from the
 * same run: the CPU path (a host RGBA frame converted on the CPU inside the
 * encode job) and ffmpeg's h264_videotoolbox fed raw RGBA through a pipe.
 * Elsewhere the suite reports that it skipped, with the reason.
 */
import { spawn, spawnSync } from 'node:child_process';

import { createFrame, metalOf, registryOf, type VtencEncoder } from '../src';
import { METAL_PATTERN_ENTRY, METAL_PATTERN_SOURCE } from '../src/scenes/metal-pattern';
import { movingPattern } from '../src/scenes/patterns';
import { type BenchRow, progress, summarize, type Suite, SuiteSkipped, timeFrames } from './harness';

/** The process-wide container's Metal. */
const metal = metalOf();

const SIZES: Array<[number, number]> = [
  [1280, 720],
  [1920, 1080],
  [2560, 1440],
  [3840, 2160],
];

const median = (values: number[]) => summarize(values).medianMs;

/** Wall time of each encode call, with the encoder's own time per stage; the scene is rendered untimed. */
async function gpuPath(width: number, height: number, frames: number): Promise<BenchRow> {
  const enc = (await registryOf().create('vtenc', { width, height, memory: 'metal' })) as VtencEncoder;
  const frame = metal.frame({ width, height });
  const render = metal.kernel(METAL_PATTERN_SOURCE, METAL_PATTERN_ENTRY);
  const stage = { total: [] as number[], gpuConvertMs: [] as number[], copyMs: [] as number[], encodeMs: [] as number[] };
  const warmup = Math.min(10, frames);
  let bytes = 0;
  for (let i = 0; i < warmup + frames; i++) {
    await render.run(frame, [i]);
    const t0 = process.hrtime.bigint();
    const [payload] = await enc.encode(frame, { timestampUs: i, forceKeyframe: i === 0 });
    if (i < warmup) continue;
    stage.total.push(Number(process.hrtime.bigint() - t0) / 1e6);
    stage.gpuConvertMs.push(enc.timings.gpuConvertMs);
    stage.copyMs.push(enc.timings.copyMs);
    stage.encodeMs.push(enc.timings.encodeMs);
    bytes += payload?.data.length ?? 0;
  }
  await enc.close();
  const total = summarize(stage.total);
  return {
    case: 'metal-to-h264',
    impl: 'rfbcast',
    width,
    height,
    frames,
    ...total,
    gpuConvertMs: median(stage.gpuConvertMs),
    copyMs: median(stage.copyMs),
    encodeMs: median(stage.encodeMs),
    fps: Math.round(1000 / total.medianMs),
    kbPerFrame: Math.round(bytes / 1024 / frames),
  };
}

async function cpuPath(width: number, height: number, frames: number): Promise<BenchRow> {
  const enc = (await registryOf().create('vtenc', { width, height })) as VtencEncoder;
  const pictures = [0, 1, 2, 3].map((i) => createFrame({ data: movingPattern(width, height, i), width, height }));
  const copy: number[] = [];
  const times = await timeFrames(frames, async (i) => {
    await enc.encode(pictures[i % 4], { timestampUs: i, forceKeyframe: i === 0 });
    copy.push(enc.timings.copyMs);
  });
  await enc.close();
  const stats = summarize(times);
  // timeFrames' warm-up calls ran the same step: keep the timed ones only.
  return {
    case: 'rgba-to-h264',
    impl: 'rfbcast-cpu-convert',
    width,
    height,
    frames,
    ...stats,
    convertAndCopyMs: median(copy.slice(-frames)),
    fps: Math.round(1000 / stats.medianMs),
  };
}

/** ffmpeg's own VideoToolbox encoder over a pipe of raw RGBA: a mean per frame, so no p95. */
async function ffmpegReference(width: number, height: number, frames: number): Promise<BenchRow | undefined> {
  const encoders = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (!encoders.stdout?.includes('h264_videotoolbox')) return undefined;
  const picture = movingPattern(width, height, 1);
  const args = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', '30', '-i', '-',
    '-c:v', 'h264_videotoolbox', '-realtime', '1', '-profile:v', 'baseline', '-b:v', '12M', '-f', 'null', '-'];
  const t0 = process.hrtime.bigint();
  const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'inherit'] });
  for (let i = 0; i < frames; i++) {
    if (!child.stdin.write(picture)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) return undefined;
  const mean = Number(process.hrtime.bigint() - t0) / 1e6 / frames;
  return { case: 'rgba-to-h264', impl: 'ffmpeg-cli', width, height, frames, medianMs: Math.round(mean * 1000) / 1000, p95Ms: null };
}

export const vtencSuite: Suite = async (args) => {
  const probe = await registryOf().probe('vtenc');
  if (!probe.available) throw new SuiteSkipped(`vtenc is unavailable: ${probe.reason ?? 'unknown reason'}`);
  const noMetal = metal.unavailableReason();
  if (noMetal) throw new SuiteSkipped(`Metal is unavailable: ${noMetal}`);
  const frames = args.frames ?? 120;
  const rows: BenchRow[] = [];
  for (const [width, height] of args.sizes ?? SIZES) {
    progress(`vtenc ${width}x${height}`);
    rows.push(await gpuPath(width, height, frames));
    rows.push(await cpuPath(width, height, frames));
    const reference = await ffmpegReference(width, height, frames);
    if (reference) rows.push(reference);
  }
  return rows;
};
