/**
 * The server the fuzz tests attack, run as a process of its own under
 * `node --unhandled-rejections=strict` (see fuzz-process.ts): a fault that
 * would end a real program ends this one, where the test sees it. On loopback
 * it serves
 *  - a hub on its own port with short HTTP deadlines, and
 *  - an application's HTTP server with a hub mounted at /rfb by attach(),
 * each with the streams `live`, `auth.1` (an authenticate hook that answers
 * after a delay, accepting the token `good`; a name `new URL()` would read as
 * a host in the target `//auth.1`) and `full` (one viewer at most),
 * an Origin allow-list, and frames published continuously with the real JPEG
 * backend. With FUZZ_NATS set (a nats-server URL), the own hub is also an
 * origin and a relay serves its streams on a third port (its own Origin
 * allow-list and HTTP deadlines, no per-stream limits or authenticate). It prints one JSON line (ports and limits) and runs until SIGTERM
 * or until its stdin, a pipe from the test, ends.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { attach, createHub, createLogger, type Hub, relay, type Relay } from '../../src';

export const TARGET_LIMITS = {
  headersTimeoutMs: 800,
  requestTimeoutMs: 1500,
  maxHeaderBytes: 8 * 1024,
  authDelayMs: 150,
  allowedOrigin: 'http://allowed.example',
};

export interface TargetInfo {
  own: number;
  mounted: number;
  /** The relay's port, or 0 without FUZZ_NATS. */
  relay: number;
  limits: typeof TARGET_LIMITS;
  /** Process-wide fault handlers installed once rfbcast is loaded and serving: none may hide a fault. */
  faultHandlers: number;
}

const WIDTH = 64;
const HEIGHT = 48;
const PUBLISH_MS = 15;

async function addStreams(hub: Hub): Promise<void> {
  await hub.addStream('live', WIDTH, HEIGHT);
  await hub.addStream('full', WIDTH, HEIGHT, { maxViewers: 1 });
  await hub.addStream('auth.1', WIDTH, HEIGHT, {
    authenticate: async (ctx) => {
      await new Promise((r) => setTimeout(r, TARGET_LIMITS.authDelayMs));
      return ctx.token === 'good' ? { user: 'fuzz' } : null;
    },
  });
}

async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.RFBCAST_LOG_LEVEL ?? 'error' });
  const { headersTimeoutMs, requestTimeoutMs, maxHeaderBytes } = TARGET_LIMITS;
  const common = { logger, origins: [TARGET_LIMITS.allowedOrigin], headersTimeoutMs, requestTimeoutMs, maxHeaderBytes };
  const nats = process.env.FUZZ_NATS;
  const own = await createHub({ port: 0, host: '127.0.0.1', ...common, ...(nats ? { nats } : {}) });
  await addStreams(own);
  let relayed: Relay | undefined;
  if (nats) {
    relayed = await relay({ nats, port: 0, host: '127.0.0.1', name: 'fuzz-relay', ...common });
    // Ready once it has discovered the origin's streams.
    while (!relayed.status().streams.some((st) => st.name === 'live')) await new Promise((r) => setTimeout(r, 20));
  }

  // An application's server: its HTTP deadlines are the application's to set, as here.
  let mounted: Hub | undefined;
  const app = createServer(
    { headersTimeout: TARGET_LIMITS.headersTimeoutMs, requestTimeout: TARGET_LIMITS.requestTimeoutMs, connectionsCheckingInterval: 200 },
    (req, res) => {
      if (mounted?.handleRequest(req, res)) return;
      res.end(`app ${req.method ?? ''} ${req.url ?? ''}\n`);
    },
  );
  mounted = attach(app, { path: '/rfb', ...common });
  await addStreams(mounted);
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  mounted.setAddress('127.0.0.1', (app.address() as AddressInfo).port);

  const frame = new Uint8Array(WIDTH * HEIGHT * 4);
  let tick = 0;
  const publisher = setInterval(() => {
    frame.fill(tick++ & 255);
    for (const hub of [own, mounted]) for (const d of hub?.streams() ?? []) d.publish(frame);
  }, PUBLISH_MS);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(publisher);
    void Promise.all([own.close(), mounted?.close(), relayed?.close()]).then(() => {
      app.closeAllConnections();
      app.close(() => process.exit(0));
    });
  };
  process.once('SIGTERM', stop);
  // stdin is a pipe from the test: it ends when the test process does, however it ends.
  process.stdin.once('end', stop).resume();
  const info: TargetInfo = {
    own: own.port ?? 0,
    mounted: (app.address() as AddressInfo).port,
    relay: relayed?.port ?? 0,
    limits: TARGET_LIMITS,
    faultHandlers: process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection'),
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`fuzz target failed to start: ${String(err)}\n`);
  process.exit(1);
});
