/**
 * `npm run soak -- --minutes N [--json]`: streams 720p H.264 to four viewers
 * (one of them slow) for N minutes and reports RSS over time, frames sent and
 * dropped per viewer, and event-loop lag. Exits non-zero if anything failed.
 */
import 'reflect-metadata';

import { monitorEventLoopDelay } from 'node:perf_hooks';

import { WebSocket } from 'ws';

import { createLogger, serve } from '../src';
import { loadNativeAddon } from '../src/testing';
import * as wire from '../src/wire';
import { movingPattern } from '../src/scenes/patterns';
import { progress } from './harness';

interface Options {
  minutes: number;
  json: boolean;
  width: number;
  height: number;
  fps: number;
}

function parse(argv: string[]): Options {
  const o: Options = { minutes: 1, json: false, width: 1280, height: 720, fps: 30 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--minutes') o.minutes = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = true;
    else if (argv[i] === '--fps') o.fps = Number(argv[++i]);
  }
  if (!(o.minutes > 0)) throw new Error('--minutes must be a positive number');
  return o;
}

interface SoakViewer {
  name: string;
  received: number;
  errors: string[];
  ws: WebSocket;
}

function viewer(url: string, name: string, ackDelayMs: number): Promise<SoakViewer> {
  const ws = new WebSocket(url);
  const v: SoakViewer = { name, received: 0, errors: [], ws };
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    v.received++;
    try {
      const { header } = wire.unpackEnvelope(new Uint8Array(data));
      const ack = () => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'ack', seq: header.seq, decode_queue_size: 0, displayed: true }));
      if (ackDelayMs > 0) setTimeout(ack, ackDelayMs);
      else ack();
    } catch (error) {
      v.errors.push(String(error));
    }
  });
  ws.on('error', (e) => v.errors.push(String(e)));
  ws.on('close', (code) => {
    if (code !== 1000 && code !== 1001 && code !== 1005) v.errors.push(`closed with ${code}`);
  });
  return new Promise((resolve) =>
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'hello', supported: ['webcodecs/h264-annexb', 'image/jpeg'] }));
      resolve(v);
    }),
  );
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const errors: string[] = [];
  const logger = createLogger({ level: 'error' });
  process.on('uncaughtException', (e) => errors.push(`uncaught: ${String(e)}`));
  process.on('unhandledRejection', (e) => errors.push(`unhandled: ${String(e)}`));
  const display = await serve(o.width, o.height, { port: 0, fps: o.fps, bitrate: 4_000_000, logger });
  const frames = Array.from({ length: 30 }, (_, i) => movingPattern(o.width, o.height, i));
  const viewers = await Promise.all([
    viewer(display.url, 'fast-1', 0),
    viewer(display.url, 'fast-2', 0),
    viewer(display.url, 'fast-3', 5),
    viewer(display.url, 'slow', 400),
  ]);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let published = 0;
  const publisher = setInterval(() => display.publish(frames[published++ % frames.length]), 1000 / o.fps);
  const rss: Array<{ s: number; mb: number }> = [];
  const started = Date.now();
  const totalMs = o.minutes * 60_000;
  const sampleEveryMs = Math.min(5000, totalMs / 6);
  await new Promise<void>((resolve) => {
    const sampler = setInterval(() => {
      const elapsed = Date.now() - started;
      rss.push({ s: Math.round(elapsed / 1000), mb: Math.round((process.memoryUsage().rss / 1048576) * 10) / 10 });
      progress(`soak ${Math.round(elapsed / 1000)}/${Math.round(totalMs / 1000)} s, rss ${rss.at(-1)?.mb} MB, published ${published}`);
      if (elapsed >= totalMs - sampleEveryMs / 2) {
        clearInterval(sampler);
        resolve();
      }
    }, sampleEveryMs);
  });
  clearInterval(publisher);
  lag.disable();
  const metrics = display.metrics();
  const perViewer = viewers.map((v, i) => ({
    name: v.name,
    received: v.received,
    sent: metrics[i]?.frames_sent ?? 0,
    dropped: metrics[i]?.frames_dropped ?? 0,
    errors: v.errors,
  }));
  for (const v of viewers) v.ws.close();
  await display.close();
  await new Promise((r) => setTimeout(r, 200));
  const result = {
    suite: 'soak',
    minutes: o.minutes,
    published,
    rssMb: rss,
    rssGrowthMb: rss.length > 1 ? Math.round((rss.at(-1)!.mb - rss[1].mb) * 10) / 10 : 0,
    eventLoopLagP99Ms: Math.round((lag.percentile(99) / 1e6) * 100) / 100,
    eventLoopLagMaxMs: Math.round((lag.max / 1e6) * 100) / 100,
    viewers: perViewer,
    liveEncodersAfterClose: loadNativeAddon().liveEncoders(),
    errors: [...errors, ...perViewer.flatMap((v) => v.errors.map((e) => `${v.name}: ${e}`))],
  };
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(`soak ${o.minutes} min: published ${published}, RSS growth ${result.rssGrowthMb} MB, loop lag p99 ${result.eventLoopLagP99Ms} ms\n`);
    for (const v of perViewer) process.stdout.write(`  ${v.name.padEnd(7)} received ${v.received}, sent ${v.sent}, dropped ${v.dropped}\n`);
  }
  process.exit(result.errors.length ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${String(error)}\n`);
  process.exit(1);
});
