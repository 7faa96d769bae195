/**
 * Protocol fuzzing (issue 9): a seeded, reproducible run of at least 20 000
 * malformed or hostile messages against a live server. Every offending socket
 * must be closed with the code PROTOCOL.md defines, tolerable junk must be
 * ignored, nothing may throw unhandled, and well-behaved viewers keep
 * receiving frames throughout.
 */
import { WebSocket } from 'ws';

import { fuzzGenerator, type FuzzMessage } from './helpers/fuzz-messages';
import { rgba, startFakeServer } from './helpers/server';
import { TestViewer, until } from './helpers/viewer';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const MESSAGES = 20_000;
const ATTACKERS = 8;

interface Outcome {
  expected: number;
  got: number;
  kinds: string[];
}

function runConnection(url: string, messages: FuzzMessage[], expected: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('error', () => undefined);
    ws.on('open', () => {
      for (const m of messages) {
        if (ws.readyState !== WebSocket.OPEN) break;
        ws.send(m.data, { binary: typeof m.data !== 'string' && !m.asText });
      }
    });
    ws.on('close', (code) => resolve({ expected, got: code, kinds: messages.map((m) => m.kind) }));
  });
}

describe('protocol fuzzing', () => {
  it(`survives ${MESSAGES} hostile messages (seed ${SEED}), closing each offender correctly while viewers keep streaming`, async () => {
    const failures: unknown[] = [];
    const onFailure = (e: unknown) => failures.push(e);
    process.on('unhandledRejection', onFailure);
    process.on('uncaughtException', onFailure);
    const s = await startFakeServer(64, 48, { helloTimeoutMs: 2000 });
    const watchers = await Promise.all([TestViewer.connect(s.url), TestViewer.connect(s.url, ['webcodecs/h264-annexb'])]);
    for (const w of watchers) w.autoAck();
    let published = 0;
    const publisher = setInterval(() => {
      s.display.publish(rgba(64, 48, published++ & 255));
    }, 10);

    const gen = fuzzGenerator(SEED);
    let sent = 0;
    const outcomes: Outcome[] = [];
    const framesAt = (i: number) => watchers[i].frames.length;
    const progress: number[][] = [];
    /** Every 200 connections, both watchers have received frames since the last checkpoint. */
    const checkpoint = async () => {
      const last = progress.at(-1) ?? [-1, -1];
      await until(() => framesAt(0) > last[0] && framesAt(1) > last[1], 20_000, `watcher frames beyond ${last.join('/')}`);
      progress.push([framesAt(0), framesAt(1)]);
    };
    const attacker = async () => {
      while (sent < MESSAGES) {
        let messages: FuzzMessage[];
        if (gen.random() < 0.1) {
          messages = [gen.badHello()];
        } else {
          const junk = Array.from({ length: Math.floor(gen.random() * 20) }, () => gen.ignored());
          messages = [{ kind: 'hello', data: JSON.stringify({ type: 'hello', supported: ['image/jpeg', 'webcodecs/h264-annexb'] }) }, ...junk, gen.closer()];
        }
        sent += messages.length;
        const last = messages[messages.length - 1];
        outcomes.push(await runConnection(s.url, messages, last.closes as number));
        if (outcomes.length % 200 === 0) await checkpoint();
      }
    };
    try {
      await Promise.all(Array.from({ length: ATTACKERS }, attacker));
    } finally {
      clearInterval(publisher);
      for (const w of watchers) w.ws.terminate();
      await s.display.close();
      process.off('unhandledRejection', onFailure);
      process.off('uncaughtException', onFailure);
    }
    const wrong = outcomes.filter((o) => o.got !== o.expected);

    const codes = outcomes.reduce<Record<number, number>>((acc, o) => ({ ...acc, [o.got]: (acc[o.got] ?? 0) + 1 }), {});
    process.stderr.write(`fuzz: ${sent} messages over ${outcomes.length} connections, closes ${JSON.stringify(codes)}, watcher frames ${watchers.map((w) => w.frames.length).join('/')}\n`);
    expect(sent).toBeGreaterThanOrEqual(MESSAGES);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(failures).toEqual([]);
    // The watchers kept receiving frames throughout: checkpoints waited for their counts to rise.
    expect(progress.length).toBeGreaterThan(3);
  }, 600_000);
});
