/**
 * `relay` suite (NATS relay): publish-to-viewer latency, measured in the same
 * run for a viewer on the origin (`direct`) and one on a relay process
 * (`relay`), both raw `ws` viewers in this process that ack every payload,
 * so both latencies are read on one clock: from `display.publish()` to the
 * payload's arrival. A 1280x720 moving pattern at 30 fps in H.264 (libx264),
 * after a warm-up. Then the relay process's CPU per relayed viewer: its CPU
 * time over a window with 1 viewer and with `--viewers` (8), the difference
 * divided by the extra viewers.
 */
import { readFileSync } from 'node:fs';

import { WebSocket } from 'ws';

import { createFrame, type Display, serve } from '../src';
import * as wire from '../src/wire';
import { movingPattern } from '../src/scenes/patterns';
import { type NatsServer, startNats, startRelay } from '../test/helpers/nats';
import { type BenchRow, progress, type Suite, summarize } from './harness';

const SIZE = { width: 1280, height: 720 };
const FPS = 30;
const H264 = 'webcodecs/h264-annexb';
const WARMUP_MS = 2000;
const CPU_WINDOW_MS = 4000;

/** A raw viewer that acks everything and reports each payload's timestamp_us as it arrives. */
function viewer(url: string, onPayload: (timestampUs: number) => void): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('message', (data: Buffer, binary) => {
    if (!binary) return;
    const { header } = wire.unpackEnvelope(new Uint8Array(data));
    onPayload(Number(header.timestamp_us));
    ws.send(JSON.stringify({ type: 'ack', seq: header.seq, decode_queue_size: 0, displayed: true }));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'hello', supported: [H264] }));
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** utime + stime of a process, in ms (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const relaySuite: Suite = async (args) => {
  const frames = args.frames ?? 300;
  const extraViewers = Number(args.viewers ?? 8) - 1;
  let nats: NatsServer | undefined;
  let display: Display | undefined;
  const sockets: WebSocket[] = [];
  try {
    nats = await startNats();
    display = await serve(SIZE.width, SIZE.height, { port: 0, backend: 'libx264', nats: nats.url });
    const relay = await startRelay(nats.url, 'bench-relay');
    const relayUrl = relay.url.replace(/^http/, 'ws').replace(/\/$/, '');
    const publishedAt = new Map<number, number>();
    const latency = { direct: [] as number[], relay: [] as number[] };
    let measuring = false;
    const record = (into: number[]) => (ts: number) => {
      const at = publishedAt.get(ts);
      if (measuring && at !== undefined) into.push(performance.now() - at);
    };
    // Rendered ahead, so the publishing loop does not slow this process's viewers down.
    const pattern = Array.from({ length: FPS * 2 }, (_, k) => movingPattern(SIZE.width, SIZE.height, k));
    let i = 0;
    const d = display;
    const timer = setInterval(() => {
      const t = performance.now();
      publishedAt.set(d.publish(createFrame({ data: pattern[i++ % pattern.length], ...SIZE })), t);
    }, 1000 / FPS);
    try {
      // The relay learns the stream over NATS first.
      for (let tries = 0; !(await (await fetch(`${relay.url.replace(/\/$/, '')}/streams`)).json() as unknown[]).length; tries++) {
        if (tries > 200) throw new Error('the relay never offered the stream');
        await sleep(50);
      }
      sockets.push(await viewer(d.url, record(latency.direct)), await viewer(`${relayUrl}/default`, record(latency.relay)));
      progress(`warming up ${WARMUP_MS} ms`);
      await sleep(WARMUP_MS);
      measuring = true;
      progress(`measuring ${frames} frames`);
      while (Math.min(latency.direct.length, latency.relay.length) < frames) await sleep(50);
      measuring = false;

      const cpuOver = async () => {
        const c0 = cpuMs(relay.child.pid as number);
        await sleep(CPU_WINDOW_MS);
        return ((cpuMs(relay.child.pid as number) - c0) / CPU_WINDOW_MS) * 100;
      };
      progress('relay CPU with 1 viewer');
      const one = await cpuOver();
      for (let k = 0; k < extraViewers; k++) sockets.push(await viewer(`${relayUrl}/default`, () => undefined));
      await sleep(WARMUP_MS);
      progress(`relay CPU with ${extraViewers + 1} viewers`);
      const many = await cpuOver();
      const common = { width: SIZE.width, height: SIZE.height, transport: 'h264', fps: FPS };
      const rows: BenchRow[] = [
        { case: 'publish-to-viewer', impl: 'direct', frames: latency.direct.length, ...common, ...summarize(latency.direct.slice(0, frames)) },
        { case: 'publish-to-viewer', impl: 'relay', frames: latency.relay.length, ...common, ...summarize(latency.relay.slice(0, frames)) },
        {
          case: 'relay-cpu-per-viewer',
          impl: 'relay',
          frames: 0,
          medianMs: null,
          p95Ms: null,
          ...common,
          viewers: extraViewers + 1,
          cpuPctOneViewer: Math.round(one * 100) / 100,
          cpuPctManyViewers: Math.round(many * 100) / 100,
          cpuPctPerViewer: Math.round(((many - one) / Math.max(1, extraViewers)) * 100) / 100,
        },
      ];
      return rows;
    } finally {
      clearInterval(timer);
      await relay.stop();
    }
  } finally {
    for (const s of sockets) s.terminate();
    await display?.close();
    await nats?.stop();
  }
};
