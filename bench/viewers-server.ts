/**
 * The server side of the `viewers` suite, in its own process so its CPU time
 * and event-loop lag are its own: one 1280x720 stream publishing a moving
 * pattern at 30 fps, in the encoding mode and transport the parent asks for.
 * The parent drives it over IPC: `measure` starts a window, `report` ends it
 * with the server's CPU share, event-loop lag p99 and frames published.
 */
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { type EncodingMode, serve } from '../src';
import { movingPattern } from '../src/scenes/patterns';

const [width, height, encoding] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] as EncodingMode];
const FPS = 30;
/** Frames drawn once up front: drawing in JavaScript would load the event loop we measure. */
const DISTINCT = 30;

async function main(): Promise<void> {
  const frames = Array.from({ length: DISTINCT }, (_, i) => movingPattern(width, height, i));
  const display = await serve(width, height, { port: 0, encoding, maxViewers: 1024, fps: FPS });
  let published = 0;
  const start = performance.now();
  // A drift-free 30 fps schedule, until the parent says stop.
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    display.publish(frames[published % DISTINCT]);
    published++;
    timer = setTimeout(tick, Math.max(0, start + (published * 1000) / FPS - performance.now()));
  };
  tick();
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const groupCounts = () => {
    const g = display.groupMetrics();
    return { encodes: g.reduce((n, x) => n + x.encodes, 0), forced: g.reduce((n, x) => n + x.keyframes_forced, 0) };
  };
  let window = { cpu: process.cpuUsage(), at: performance.now(), published, ...groupCounts() };
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'measure') {
      lag.reset();
      window = { cpu: process.cpuUsage(), at: performance.now(), published, ...groupCounts() };
    } else if (m.cmd === 'report') {
      const cpu = process.cpuUsage(window.cpu);
      const seconds = (performance.now() - window.at) / 1000;
      process.send?.({
        cpuPct: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 1000) / 10,
        lagP99Ms: Math.round((lag.percentile(99) / 1e6) * 100) / 100,
        publishedFps: Math.round(((published - window.published) / seconds) * 100) / 100,
        encoders: display.groupMetrics().length,
        encodesPerS: Math.round(((groupCounts().encodes - window.encodes) / seconds) * 10) / 10,
        forcedIdrPerS: Math.round(((groupCounts().forced - window.forced) / seconds) * 10) / 10,
      });
    } else if (m.cmd === 'stop') {
      clearTimeout(timer);
      void display.close().then(() => process.exit(0));
    }
  });
  process.send?.({ url: display.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`viewers-server failed: ${String(error)}\n`);
  process.exit(1);
});
