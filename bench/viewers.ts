/**
 * `viewers` suite (shared encoding, PROTOCOL.md §9.4): how many viewers one
 * stream serves at full rate. For N = 1, 2, 4, ... up to `--max` (256), in
 * shared and per-viewer mode, in H.264 and JPEG, a 1280x720 moving pattern at
 * 30 fps goes to N raw `ws` viewers that ack every payload (in two processes
 * of their own, bench/viewers-pool.ts). Each N is warmed
 * up, then measured over a window: min and median delivered fps per viewer,
 * the server's CPU share and its event-loop lag p99 (the server runs in its
 * own process). A series stops once its slowest viewer falls under half the
 * published rate. `maxViewers` rows give the largest N at which every viewer
 * got at least 90 % of the published rate (27 of 30 fps).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

import { type BenchRow, progress, type Suite } from './harness';

const WARMUP_MS = 1500;
const WINDOW_MS = 4000;
const FULL_RATE = 0.9;
const COLLAPSE = 0.5;

type Transport = 'h264' | 'jpeg';
type Mode = 'shared' | 'per-viewer';

interface ServerReport {
  cpuPct: number;
  lagP99Ms: number;
  publishedFps: number;
  encoders: number;
  encodesPerS: number;
  forcedIdrPerS: number;
}

/** The server process: asks and answers over IPC. */
class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static start(width: number, height: number, mode: Mode): Promise<ServerProcess> {
    const child = fork(join(__dirname, 'viewers-server.js'), [String(width), String(height), mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('message', (m: { url: string }) => resolve(new ServerProcess(child, m.url)));
      child.once('exit', (code) => reject(new Error(`viewers-server exited with ${String(code)}`)));
    });
  }

  measure(): void {
    this.child.send({ cmd: 'measure' });
  }

  report(): Promise<ServerReport> {
    return new Promise((resolve) => {
      this.child.once('message', (m: ServerReport) => resolve(m));
      this.child.send({ cmd: 'report' });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ cmd: 'stop' });
    });
  }
}

/** A process of raw viewers (viewers-pool.ts). */
class ViewerPool {
  private constructor(private readonly child: ChildProcess) {}

  static start(): ViewerPool {
    return new ViewerPool(fork(join(__dirname, 'viewers-pool.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  }

  private ask<T>(message: object): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (m: T) => resolve(m));
      this.child.send(message);
    });
  }

  add(url: string, count: number, transport: Transport): Promise<unknown> {
    return this.ask({ cmd: 'add', url, count, h264: transport === 'h264' });
  }

  counts(): Promise<{ counts: number[]; cpuUs: number }> {
    return this.ask({ cmd: 'counts' });
  }

  stop(): void {
    this.child.send({ cmd: 'stop' });
  }
}

/** Viewers spread over this many processes, as they would be over many machines. */
const POOLS = 2;

/** Every viewer's frame count, and the pools' CPU time, as one reading. */
async function reading(pools: ViewerPool[]): Promise<{ counts: number[]; cpuUs: number }> {
  const all = await Promise.all(pools.map((p) => p.counts()));
  return { counts: all.flatMap((r) => r.counts), cpuUs: all.reduce((n, r) => n + r.cpuUs, 0) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function series(mode: Mode, transport: Transport, width: number, height: number, max: number): Promise<BenchRow[]> {
  const server = await ServerProcess.start(width, height, mode);
  const pools = Array.from({ length: POOLS }, () => ViewerPool.start());
  let open = 0;
  const rows: BenchRow[] = [];
  try {
    for (let n = 1; n <= max; n *= 2) {
      // New viewers go to the pools in turn.
      for (; open < n; open++) await pools[open % POOLS].add(server.url, 1, transport);
      await sleep(WARMUP_MS);
      const before = await reading(pools);
      server.measure();
      const t0 = performance.now();
      await sleep(WINDOW_MS);
      const after = await reading(pools);
      const seconds = (performance.now() - t0) / 1000;
      const fps = after.counts.map((c, i) => (c - before.counts[i]) / seconds);
      const s = await server.report();
      const row: BenchRow = {
        case: 'viewers',
        impl: mode,
        transport,
        width,
        height,
        frames: Math.round(s.publishedFps * seconds),
        medianMs: null,
        p95Ms: null,
        viewers: n,
        minFps: Math.round(Math.min(...fps) * 10) / 10,
        medianFps: Math.round(median(fps) * 10) / 10,
        publishedFps: s.publishedFps,
        serverCpuPct: s.cpuPct,
        viewersCpuPct: Math.round(((after.cpuUs - before.cpuUs) / 1e6 / seconds) * 1000) / 10,
        lagP99Ms: s.lagP99Ms,
        encoders: s.encoders,
        encodesPerS: s.encodesPerS,
        forcedIdrPerS: s.forcedIdrPerS,
      };
      progress(
        `${mode} ${transport} x${n}: min ${row.minFps} median ${row.medianFps} fps, cpu ${s.cpuPct}% (viewers ${String(row.viewersCpuPct)}%), lag p99 ${s.lagP99Ms} ms, ` +
          `${s.encoders} encoder(s), ${s.encodesPerS} encodes/s, ${s.forcedIdrPerS} forced IDR/s`,
      );
      rows.push(row);
      if ((row.minFps as number) < COLLAPSE * s.publishedFps) break;
    }
  } finally {
    for (const p of pools) p.stop();
    await server.stop();
  }
  const full = rows.filter((r) => (r.minFps as number) >= FULL_RATE * (r.publishedFps as number));
  const best = full.at(-1)?.viewers ?? 0;
  rows.push({ case: 'maxViewers', impl: mode, transport, width, height, frames: 0, medianMs: null, p95Ms: null, viewers: best });
  return rows;
}

/** `--max N` caps the viewer count; `--modes shared` and `--transports h264` pick series. */
export const viewersSuite: Suite = async (args) => {
  const [width, height] = args.sizes?.[0] ?? [1280, 720];
  const max = Number(args.max ?? 256);
  const pick = <T extends string>(flag: unknown, all: readonly T[]): T[] =>
    typeof flag === 'string' ? all.filter((x) => flag.split(',').includes(x)) : [...all];
  const rows: BenchRow[] = [];
  for (const transport of pick(args.transports, ['h264', 'jpeg'] as const)) {
    for (const mode of pick(args.modes, ['shared', 'per-viewer'] as const)) rows.push(...(await series(mode, transport, width, height, max)));
  }
  return rows;
};
