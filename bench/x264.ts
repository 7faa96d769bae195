/**
 * `x264` suite, case `rgba-to-h264`: RGBA frames of the moving pattern to
 * H.264 at 30 fps and 8 Mbit/s, measured three ways on the same frames:
 *   rfbcast     X264Encoder.encode() on RGBA: conversion, encode and the hop
 *               off the event loop, per frame;
 *   x264-floor  x264 alone on pre-converted I420, timed in a C++ loop in the
 *               addon (what no wrapper can beat);
 *   ffmpeg-cli  the ffmpeg command line encoding the same raw RGBA with the
 *               same libx264 settings, whole run divided by frames.
 * The machine is shared and noisy, so measurements take turns: rfbcast and
 * the floor (two encoders side by side) alternate every CHUNK frames, and
 * each of `--rounds` rounds (default 3) runs both over all frames and then
 * ffmpeg once. Rows pool the rounds: median and p95 of every timed frame for
 * rfbcast and x264-floor, the median run for ffmpeg-cli.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { convertFrameSync, createFrame, type HostFrame, X264Encoder } from '../src';
import { loadNativeAddon } from '../src/testing';
import { x264Binding } from '../src/backends/x264/binding';
import { x264Settings } from '../src/backends/x264/encoder';
import { movingPattern } from '../src/scenes/patterns';
import { type BenchRow, DEFAULT_SIZES, progress, summarize, timeFrames, type Suite } from './harness';

const FPS = 30;
const BITRATE = 8_000_000;
const WARMUP = 10;
const CHUNK = 10;

function ffmpegArgs(width: number, height: number, input: string, output: string, frames: number): string[] {
  const kbps = BITRATE / 1000;
  return [
    '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', String(FPS), '-i', input,
    '-frames:v', String(frames),
    '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.floor(kbps / FPS)}k`,
    '-g', String(FPS), '-keyint_min', String(FPS), '-sc_threshold', '0', '-bf', '0',
    '-f', 'h264', output,
  ];
}

function runFfmpeg(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      else reject(new Error(`ffmpeg exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}

/**
 * The ffmpeg reference over the frames written once as a raw RGBA file (on
 * tmpfs where there is one, so reading it costs ffmpeg next to nothing).
 */
async function ffmpegReference(rgba: Uint8Array, width: number, height: number, frames: number) {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'rfbcast-bench-'));
  const input = join(dir, 'frames.rgba');
  const output = join(dir, 'out.h264');
  writeFileSync(input, rgba);
  await runFfmpeg(ffmpegArgs(width, height, input, output, WARMUP));
  return {
    /** One whole run: milliseconds per frame, and the bytes written. */
    async run(): Promise<{ msPerFrame: number; bytes: number }> {
      const ms = await runFfmpeg(ffmpegArgs(width, height, input, output, frames));
      return { msPerFrame: ms / frames, bytes: statSync(output).size };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const kb = (bytes: number, frames: number) => Math.round(bytes / frames / 10.24) / 100;

export const x264Suite: Suite = async (args) => {
  const frames = args.frames ?? 120;
  const rounds = Number(args.rounds ?? 3);
  const native = loadNativeAddon();
  const binding = x264Binding(native);
  if (!binding) throw new Error('the addon was built without libx264');
  const rows: BenchRow[] = [];
  for (const [width, height] of args.sizes ?? DEFAULT_SIZES) {
    const label = `rgba-to-h264 ${width}x${height}`;
    progress(`${label}: generating ${frames} frames`);
    const frameBytes = width * height * 4;
    const rgba = new Uint8Array(frameBytes * frames);
    for (let i = 0; i < frames; i++) rgba.set(movingPattern(width, height, i), i * frameBytes);
    const rgbaFrames = Array.from(
      { length: frames },
      (_, i) => createFrame({ data: rgba.subarray(i * frameBytes, (i + 1) * frameBytes), width, height }) as HostFrame,
    );
    const i420 = rgbaFrames.map((f) => convertFrameSync(f, 'i420').data);
    const settings = x264Settings({ width, height, fps: FPS, bitrate: BITRATE }, binding.x264Presets);
    const reference = await ffmpegReference(rgba, width, height, frames);
    const ours: number[] = [];
    const floor: number[] = [];
    const ffmpeg: number[] = [];
    let bytes = 0;
    let ffmpegBytes = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        progress(`${label}: round ${round + 1}/${rounds}`);
        const encoder = new X264Encoder({ width, height, fps: FPS, bitrate: BITRATE, native });
        const bare = new binding.X264Encoder(settings);
        let encoded = 0;
        const step = async (i: number) => {
          const [au] = await encoder.encode(rgbaFrames[i], { timestampUs: Math.floor((encoded * 1e6) / FPS) });
          if (encoded++ >= WARMUP) bytes += au?.data.byteLength ?? 0;
        };
        for (let i = 0; i < WARMUP; i++) await step(i);
        await bare.benchmark(i420, 0, WARMUP);
        for (let first = 0; first < frames; first += CHUNK) {
          const n = Math.min(CHUNK, frames - first);
          ours.push(...(await timeFrames(n, (k) => step(first + k), 0)));
          floor.push(...(await bare.benchmark(i420, first, n)));
        }
        await encoder.close();
        bare.close();
        const run = await reference.run();
        ffmpeg.push(run.msPerFrame);
        ffmpegBytes += run.bytes;
      }
    } finally {
      reference.dispose();
    }
    const common = { case: 'rgba-to-h264', width, height, frames, rounds };
    rows.push({ ...common, impl: 'rfbcast', ...summarize(ours), kbPerFrame: kb(bytes, frames * rounds) });
    rows.push({ ...common, impl: 'x264-floor', ...summarize(floor) });
    rows.push({ ...common, impl: 'ffmpeg-cli', medianMs: summarize(ffmpeg).medianMs, p95Ms: null, kbPerFrame: kb(ffmpegBytes, frames * rounds) });
  }
  return rows;
};
