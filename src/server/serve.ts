/**
 * The two ways to start rfbcast: `serve()` for one stream on its own port, and
 * `attach()` to mount streams on an application's HTTP server (Express,
 * Fastify, ...) through its `upgrade` event.
 */
import type { Server } from 'node:http';

import type { Display } from './display';
import { Hub, type HubOptions } from './hub';
import { checkHubOptions, checkKnownKeys, checkSize, OPTION_KEYS } from './hub-options';
import type { StreamOptions } from './stream-config';

/** Options of serve(): the hub's, the stream's, and the stream's name. */
export interface ServeOptions extends HubOptions, StreamOptions {
  /** The stream's name (default `default`, reached at ws://host:port/). */
  name?: string;
}

/** Serves one stream of `width` x `height` and resolves once listening. `display.close()` stops the server. */
export async function serve(width: number, height: number, options: ServeOptions = {}): Promise<Display> {
  checkSize(width, height);
  checkHubOptions(options);
  checkKnownKeys('serve', options, OPTION_KEYS.serve);
  const hub = new Hub(options);
  const display = await hub.createStream(options.name ?? 'default', width, height, options, true);
  await start(hub);
  return display;
}

/** Listens and, with `nats`, starts offering the streams to relays; a hub that fails either is closed. */
async function start(hub: Hub): Promise<void> {
  try {
    await hub.listen();
    await hub.startOrigin();
  } catch (error) {
    await hub.close();
    throw error;
  }
}

/** A hub listening on its own port, for several named streams: add them with `hub.addStream()`. */
export async function createHub(options: HubOptions = {}): Promise<Hub> {
  checkHubOptions(options);
  checkKnownKeys('createHub', options, OPTION_KEYS.createHub);
  const hub = new Hub(options);
  await start(hub);
  return hub;
}

/**
 * Mounts a hub on an existing HTTP server (Express, Fastify, plain node:http)
 * through its `upgrade` event; streams are reached at `<path>/<stream>`. Your
 * request handler keeps every HTTP request; to serve the side channel and the
 * viewer files under `path`, call `hub.handleRequest(req, res)` first, e.g. in
 * Express `app.use((req, res, next) => hub.handleRequest(req, res) || next())`.
 * `sideChannel: true` instead adds a `request` listener of its own, for servers
 * that have no other handler. The server's HTTP deadlines and header cap stay
 * the application's (`headersTimeout`, `requestTimeout`, `maxHeaderSize`):
 * the hub's `headersTimeoutMs`/`requestTimeoutMs`/`maxHeaderBytes` apply only
 * to servers it creates itself.
 */
export function attach(server: Server, options: HubOptions & { sideChannel?: boolean } = {}): Hub {
  checkHubOptions(options);
  checkKnownKeys('attach', options, OPTION_KEYS.attach);
  const hub = new Hub(options);
  hub.attachTo(server, options.sideChannel ?? false);
  hub.startOrigin().catch((err: unknown) => hub.logger.error({ err }, 'cannot offer the streams to relays'));
  const address = server.address();
  if (address && typeof address === 'object') hub.setAddress(address.address, address.port);
  else server.once('listening', () => {
    const a = server.address();
    if (a && typeof a === 'object') hub.setAddress(a.address, a.port);
  });
  return hub;
}
