/**
 * Shared benchmark plumbing: timing with warm-up, the JSON report format of
 * shared/BENCH.md, and progress on stderr.
 */
import { cpus } from 'node:os';

export interface BenchRow {
  case: string;
  impl: string;
  width: number;
  height: number;
  frames: number;
  medianMs: number | null;
  p95Ms: number | null;
  [extra: string]: unknown;
}

export interface BenchArgs {
  json: boolean;
  frames?: number;
  sizes?: Array<[number, number]>;
  [flag: string]: unknown;
}

export type Suite = (args: BenchArgs) => Promise<BenchRow[]>;

/** Thrown by a suite that cannot run on this machine; the report then has no rows and says why. */
export class SuiteSkipped extends Error {}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(times: readonly number[]): { medianMs: number; p95Ms: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: round(percentile(sorted, 50)), p95Ms: round(percentile(sorted, 95)) };
}

/** Times `frames` calls of `step(i)` after `warmup` untimed ones; returns per-call milliseconds. */
export async function timeFrames(
  frames: number,
  step: (i: number) => unknown,
  warmup = Math.min(10, frames),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await step(i);
  const times: number[] = [];
  for (let i = 0; i < frames; i++) {
    const t0 = process.hrtime.bigint();
    await step(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export function report(suite: string, rows: BenchRow[], json: boolean, skipped?: string): void {
  if (json) {
    const out = { suite, node: process.version, cpus: cpus().length, rows, ...(skipped ? { skipped } : {}) };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (skipped) process.stdout.write(`${suite}: skipped: ${skipped}\n`);
  for (const r of rows) {
    const extras = Object.entries(r)
      .filter(([k]) => !['case', 'impl', 'width', 'height', 'frames', 'medianMs', 'p95Ms'].includes(k))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    process.stdout.write(
      `${r.case.padEnd(14)} ${r.impl.padEnd(12)} ${`${r.width}x${r.height}`.padEnd(10)} ` +
        `median ${String(r.medianMs).padStart(8)} ms  p95 ${String(r.p95Ms).padStart(8)} ms  (${r.frames} frames) ${extras}\n`,
    );
  }
}

/** A moving test pattern: gradients plus a bright box whose position depends on the frame index. */
export function movingPattern(width: number, height: number, index: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  const bx = (index * 16) % Math.max(1, width - width / 8);
  const by = (index * 9) % Math.max(1, height - height / 8);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inBox = x >= bx && x < bx + width / 8 && y >= by && y < by + height / 8;
      data[o] = inBox ? 255 : (x * 255) / width;
      data[o + 1] = inBox ? 220 : (y * 255) / height;
      data[o + 2] = inBox ? 40 : ((x + y + index * 4) & 255);
      data[o + 3] = 255;
    }
  }
  return data;
}

export const DEFAULT_SIZES: Array<[number, number]> = [
  [1280, 720],
  [1920, 1080],
];
