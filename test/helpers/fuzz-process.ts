/**
 * Runs the fuzz target (fuzz-target.ts, built into dist/) as its own process
 * with `--unhandled-rejections=strict`, so "the process survives" means just
 * that: an uncaught exception or an unhandled rejection ends it, and the test
 * sees the exit and the stack on stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { WebSocket } from 'ws';

import type { TargetInfo } from './fuzz-target';
import { type NatsServer, startNats } from './nats';
import { TestViewer } from './viewer';

const TARGET = join(__dirname, '..', '..', 'dist', 'test', 'helpers', 'fuzz-target.js');

export interface FuzzTarget extends TargetInfo {
  child: ChildProcess;
  /** Everything the target wrote to stderr (its error logs, or the stack it died with). */
  stderr(): string;
  /** Still running: nothing has ended the process. */
  alive(): boolean;
  /** The HTTP side channel answers `GET /health` on both servers. */
  healthy(): Promise<boolean>;
  stop(): Promise<void>;
}

/** `natsUrl`: the target also runs a relay through this nats-server. */
export function startFuzzTarget(natsUrl?: string): Promise<FuzzTarget> {
  const env = { ...process.env, ...(natsUrl ? { FUZZ_NATS: natsUrl } : {}) };
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', TARGET], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the fuzz target did not start: ${err}`)), 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the fuzz target exited (${code ?? signal}) before listening: ${err}`));
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      const info = JSON.parse(line) as TargetInfo;
      resolve({
        ...info,
        child,
        stderr: () => err,
        alive: () => child.exitCode === null && child.signalCode === null,
        healthy: async () => {
          const answers = await Promise.all(
            [
              `http://127.0.0.1:${info.own}/health`,
              `http://127.0.0.1:${info.mounted}/rfb/health`,
              ...(info.relay ? [`http://127.0.0.1:${info.relay}/health`] : []),
            ].map((url) =>
              fetch(url).then((r) => r.text(), () => ''),
            ),
          );
          return answers.every((a) => a === 'ok\n');
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Well-behaved viewers on the target's streams, acking like a browser, that the fuzz must not disturb. */
export interface Watchers {
  viewers: TestViewer[];
  /** Resolves once every viewer has received `n` more frames; throws, naming the viewer, at the deadline. */
  keepStreaming(n?: number, timeoutMs?: number): Promise<void>;
  /** Runs `work` while checking, checkpoint after checkpoint, that every viewer keeps streaming; returns the checks made. */
  throughout(work: () => Promise<void>): Promise<number>;
  close(): void;
}

export async function watchTarget(t: FuzzTarget): Promise<Watchers> {
  const routes: Array<[string, string?]> = [
    [`ws://127.0.0.1:${t.own}/live`],
    [`ws://127.0.0.1:${t.own}/full`],
    [`ws://127.0.0.1:${t.own}/auth.1`, 'good'],
    [`ws://127.0.0.1:${t.mounted}/rfb/live`],
    [`ws://127.0.0.1:${t.mounted}/rfb/full`],
    ...(t.relay ? [[`ws://127.0.0.1:${t.relay}/live`] as [string]] : []),
  ];
  // Each acks from its first frame on: a frame left unacked would stall it for the in-flight backstop.
  const viewers = await Promise.all(routes.map(async ([url, token]) => (await TestViewer.connect(url, ['image/jpeg'], { token })).autoAck()));
  const watchers: Watchers = {
    viewers,
    keepStreaming: async (n = 2, timeoutMs = 10_000) => {
      await Promise.all(
        viewers.map(async (v, i) => {
          const want = v.frames.length + n;
          const what = `${want} frames on ${routes[i][0]}`;
          await v.waitFor((x) => x.frames.length >= want || x.ws.readyState !== WebSocket.OPEN, timeoutMs, what);
          if (v.frames.length < want) throw new Error(`waiting for ${what}: disconnected with ${JSON.stringify(await v.closed)}`);
        }),
      );
    },
    throughout: async (work) => {
      let running = true;
      let checks = 0;
      const checker = (async () => {
        while (running) {
          await watchers.keepStreaming();
          checks++;
        }
      })();
      try {
        await work();
      } finally {
        running = false;
        await checker;
      }
      return checks;
    },
    close: () => viewers.forEach((v) => v.ws.terminate()),
  };
  return watchers;
}

/** The target is alive, answers /health on both servers, logged no fault, and every watcher still streams. */
export async function expectUnharmed(target: FuzzTarget, watchers: Watchers): Promise<void> {
  await watchers.keepStreaming();
  expect(await target.healthy()).toBe(true);
  expect(target.alive()).toBe(true);
  expect(target.stderr()).toBe('');
  expect(target.faultHandlers).toBe(0);
}

/**
 * Starts the target and its watchers before a test file's tests, and stops
 * them after. With `relay`, a nats-server is started first and the target
 * serves a relay too (the route fuzz covers it; nats-server is required).
 */
export function fuzzTargetScope(o: { relay?: boolean } = {}): { readonly target: FuzzTarget; readonly watchers: Watchers } {
  const scope = {} as { target: FuzzTarget; watchers: Watchers; nats?: NatsServer };
  beforeAll(async () => {
    if (o.relay) scope.nats = await startNats();
    scope.target = await startFuzzTarget(scope.nats?.url);
    scope.watchers = await watchTarget(scope.target);
    await scope.watchers.keepStreaming();
  });
  afterAll(async () => {
    scope.watchers?.close();
    await scope.target?.stop();
    await scope.nats?.stop();
  });
  return scope;
}
