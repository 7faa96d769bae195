/**
 * The hub: one port (or one mount on the application's own HTTP server) that
 * routes WebSocket upgrades to named streams and answers the HTTP side
 * channel. It owns the connection handshake (PROTOCOL.md §3, §16, §17 H1-H3,
 * H5, H9): origin check, hello with its deadline, authentication, then the
 * stream admits the viewer.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import type { DependencyContainer } from 'tsyringe';
import { WebSocket, WebSocketServer } from 'ws';

import { defaultContainer, registryOf } from '../container';
import { Origin } from '../relay/origin';
import type { NatsConfig } from '../relay/nats-link';
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/logging';
import { LoggerToken } from '../core/tokens';
import { tokenAuthenticator } from './auth';
import { type Clock, ClockToken, systemClock } from './clock';
import { CLOSE, closeWs } from './close-codes';
import type { Display } from './display';
import { Stream, type StreamDeps } from './stream';
import { handshake } from './handshake';
import { type HttpLimits, httpServerOptions } from './http-limits';
import { checkKnownKeys, checkSize, listenError, OPTION_KEYS } from './hub-options';
import { imageBackendFor, videoBackendFor } from './negotiation';
import { isValidStreamName, normalisePrefix, streamNameOf, underPrefix } from './routing';
import { handleSideChannel, methodNotAllowed, notFound } from './side-channel';
import { clientDir, redirectToDirectory, serveStatic } from './static-files';
import { resolveStreamConfig, type StreamOptions } from './stream-config';

/** Options of createHub() and attach(), and the server part of serve(). */
export interface HubOptions extends HttpLimits {
  /** Port to listen on (default 8765; 0 picks a free one). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Mount prefix, e.g. '/rfb': streams are then reached at /rfb/<stream>. */
  path?: string;
  /** Allowed `Origin` values; others get HTTP 403 at the handshake. */
  origins?: readonly string[];
  /** Inbound message cap in bytes (default 64 KiB); larger messages close with 1009. */
  maxMessageBytes?: number;
  /** Time a new socket has to send its hello (default 10 s); then it is closed with 4408. */
  helloTimeoutMs?: number;
  /** How often idle sockets are pinged, and dropped when they do not answer (default 30 s). */
  pingIntervalMs?: number;
  /** Serve over TLS (needed for H.264 viewers that are not on localhost). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Folder of the browser viewer (default: the built dist/client). */
  staticDir?: string | false;
  /** The logger (default: the container's). */
  logger?: Logger;
  /** A child container overriding the registry, backends, logger or clock. */
  container?: DependencyContainer;
  /**
   * Offer the streams to relays over NATS (`nats://host:4222`, or options
   * with credentials, TLS and the subject prefix). Renditions are published
   * only while some relay wants them.
   */
  nats?: NatsConfig;
}

/** The hub options used when one is left out. */
export const HUB_DEFAULTS = Object.freeze({
  port: 8765,
  host: '127.0.0.1',
  maxMessageBytes: 64 * 1024,
  helloTimeoutMs: 10_000,
  pingIntervalMs: 20_000,
});

/** How long sockets get to take a 1001 when the hub closes. */
const CLOSE_GRACE_MS = 500;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>rfbcast</title>
<p>rfbcast is running. The browser viewer has not been built: run <code>npm run build</code>.</p>`;

/**
 * Many named streams on one port: made by createHub() or attach(). Add streams with addStream(),
 * reach each at ws://host:port/<name>; the HTTP side channel and the viewer page are served alongside.
 */
export class Hub {
  /** The mount prefix (the `path` option, normalised; '' for none). */
  readonly prefix: string;
  /** Where the hub and its streams log. */
  readonly logger: Logger;
  private readonly container: DependencyContainer;
  private readonly clock: Clock;
  private readonly displays = new Map<string, Stream>();
  private readonly wss: WebSocketServer;
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private server?: Server;
  private ownsServer = false;
  private pingTimer?: NodeJS.Timeout;
  private address?: { host: string; port: number };
  private origin?: Promise<Origin | undefined>;

  constructor(private readonly options: HubOptions = {}) {
    this.container = options.container ?? defaultContainer();
    this.logger = options.logger ?? this.container.resolve(LoggerToken);
    this.clock = this.container.isRegistered(ClockToken, true) ? this.container.resolve(ClockToken) : systemClock;
    this.prefix = normalisePrefix(options.path);
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: options.maxMessageBytes ?? HUB_DEFAULTS.maxMessageBytes,
      // UTF-8 is checked by the handshake code so bad text closes with 4400, not 1007.
      skipUTF8Validation: true,
    });
    const interval = options.pingIntervalMs ?? HUB_DEFAULTS.pingIntervalMs;
    this.pingTimer = setInterval(() => this.ping(), interval);
    this.pingTimer.unref();
  }

  // ---------------------------------------------------------------- streams

  /** Adds a named stream (PROTOCOL.md §17 H5 names; duplicates are an error). */
  async addStream(name: string, width: number, height: number, options: StreamOptions = {}): Promise<Display> {
    checkKnownKeys('addStream', options, OPTION_KEYS.stream);
    return this.createStream(name, width, height, options, false);
  }

  /**
   * `stopsHub`: closing this display also closes the hub, and the close
   * resolves once the port is released (serve()'s one-stream case).
   */
  async createStream(name: string, width: number, height: number, options: StreamOptions, stopsHub: boolean): Promise<Display> {
    if (!isValidStreamName(name)) {
      throw new ConfigError(`invalid stream name '${name}': 1-64 characters of [A-Za-z0-9._~-], not '.' or '..'`);
    }
    if (this.displays.has(name)) throw new ConfigError(`a stream named '${name}' already exists`);
    checkSize(width, height);
    const config = this.configOf(options);
    const registry = registryOf(this.container);
    const logger = options.logger ?? this.logger;
    const backends = {
      video: await videoBackendFor(registry, config, logger),
      image: await imageBackendFor(registry, logger),
    };
    return this.register({ name, width, height, config, logger, backends }, stopsHub);
  }

  /**
   * A stream whose units come from elsewhere (a relay's origin, src/relay):
   * its groups and where its viewers' input goes are the caller's; no
   * encoder backend is resolved. Viewers are served exactly as on any stream.
   * @internal
   */
  addForwardedStream(
    name: string,
    width: number,
    height: number,
    options: StreamOptions,
    feed: Required<Pick<StreamDeps, 'backends' | 'groups' | 'input'>>,
  ): Display {
    if (this.displays.has(name)) throw new ConfigError(`a stream named '${name}' already exists`);
    return this.register({ name, width, height, config: this.configOf(options), logger: options.logger ?? this.logger, ...feed }, false);
  }

  /** A forwarded stream takes its origin's new size (what the config of its next viewers says). */
  resizeForwarded(name: string, width: number, height: number): void {
    this.displays.get(name)?.resizeTo(width, height);
  }

  private configOf(options: StreamOptions) {
    const config = resolveStreamConfig(options);
    if (options.token !== undefined) {
      if (options.authenticate) throw new ConfigError('give either token or authenticate, not both');
      config.authenticate = tokenAuthenticator(options.token);
    }
    return config;
  }

  private register(deps: Omit<StreamDeps, 'registry' | 'clock' | 'onClose'>, stopsHub: boolean): Display {
    const stream = new Stream({
      ...deps,
      registry: registryOf(this.container),
      clock: this.clock,
      onClose: async (d) => {
        this.displays.delete(d.name);
        if (stopsHub) await this.close();
      },
    });
    this.displays.set(deps.name, stream);
    if (this.address) stream.url = this.streamUrl(deps.name);
    return stream.display;
  }

  /**
   * With the `nats` option, connects to NATS and answers relays (src/relay).
   * serve() and createHub() wait for it and fail when NATS cannot be reached.
   * @internal
   */
  startOrigin(): Promise<Origin | undefined> {
    const nats = this.options.nats;
    this.origin ??= nats
      ? Origin.start(nats, { stream: (n) => this.displays.get(n), streams: () => [...this.displays.values()] }, this.logger)
      : Promise.resolve(undefined);
    return this.origin;
  }

  /** The stream of this name, if there is one. */
  stream(name: string): Display | undefined {
    return this.displays.get(name)?.display;
  }

  /** Every stream, in the order they were added. */
  streams(): Display[] {
    return [...this.displays.values()].map((s) => s.display);
  }

  /** Closes a stream and its viewers and frees its name. */
  async removeStream(name: string): Promise<void> {
    await this.displays.get(name)?.close();
  }

  // ---------------------------------------------------------------- listening

  /** Listens on its own HTTP(S) server (port 0 picks a free port). */
  async listen(): Promise<{ host: string; port: number }> {
    const { tls } = this.options;
    const limits = httpServerOptions(this.options);
    const server = tls ? createHttpsServer({ ...limits, key: tls.key, cert: tls.cert }) : createHttpServer(limits);
    this.ownsServer = true;
    this.attachTo(server, true);
    const host = this.options.host ?? HUB_DEFAULTS.host;
    const wanted = this.options.port ?? HUB_DEFAULTS.port;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(listenError(error, host, wanted)));
      server.listen(wanted, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    this.setAddress(host, port);
    if (!LOOPBACK.has(host) && ![...this.displays.values()].every((s) => s.config.authenticate)) {
      this.logger.warn(
        { host, port },
        'SECURITY: rfbcast is listening beyond loopback without authentication; anyone who can reach this port can watch and send input. Set authenticate/token and origins.',
      );
    }
    return { host: this.streamHost(host), port };
  }

  /**
   * Mounts on an HTTP server through its `upgrade` event. With `answerRequests`
   * the hub is the server's only request handler: it answers the side channel
   * and viewer files, and 404 for the rest.
   * @internal
   */
  attachTo(server: Server, answerRequests: boolean): void {
    this.server = server;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    if (answerRequests) {
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if (!this.handleRequest(req, res)) notFound(res);
      });
    }
  }

  /**
   * Records where an attached server listens, for stream URLs.
   * @internal
   */
  setAddress(host: string, port: number): void {
    this.address = { host: this.streamHost(host), port };
    for (const d of this.displays.values()) d.url = this.streamUrl(d.name);
  }

  /** A wildcard bind is reported as 127.0.0.1 (§1.1). */
  private streamHost(host: string): string {
    return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  }

  /** Where the hub listens, once it does. */
  get port(): number | undefined {
    return this.address?.port;
  }

  /** The WebSocket URL of a stream (ws:// or wss://, with the mount prefix). */
  streamUrl(name: string): string {
    const scheme = this.options.tls ? 'wss' : 'ws';
    const a: { host: string; port: number } = this.address ?? {
      host: this.options.host ?? HUB_DEFAULTS.host,
      port: this.options.port ?? HUB_DEFAULTS.port,
    };
    const host = a.host.includes(':') ? `[${a.host}]` : a.host;
    return `${scheme}://${host}:${a.port}${this.prefix}/${encodeURIComponent(name)}`;
  }

  /**
   * Answers the side channel and static files; false when the request is not
   * for the hub. It never throws: a fault of ours is logged and answered 500,
   * so it cannot escape into the server's `request` event and end the process.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    try {
      return this.answer(req, res);
    } catch (err) {
      this.logger.error({ err, url: req.url }, 'request handling failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end();
      return true;
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse): boolean {
    const path = underPrefix(req.url ?? '/', this.prefix);
    if (path === undefined) return false;
    // On an application's server, anything that is not one of our GET routes stays the application's.
    if (!this.ownsServer && req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (methodNotAllowed(req, res)) return true;
    if (this.prefix && (req.url ?? '').split('?')[0] === this.prefix) {
      redirectToDirectory(req.url ?? '', res);
      return true;
    }
    if (handleSideChannel(path, res, this)) return true;
    const dir = this.options.staticDir === undefined ? clientDir() : this.options.staticDir;
    if (dir && serveStatic(dir, path, res)) return true;
    if (!this.ownsServer) return false;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PLACEHOLDER);
      return true;
    }
    notFound(res);
    return true;
  }

  /** Closes every stream and its viewers, then the server if the hub owns it. */
  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    await (await this.origin?.catch(() => undefined))?.close();
    await Promise.all(this.streams().map((d) => d.close()));
    // Sockets still handshaking belong to no stream yet: they get 1001 too, and
    // a short grace to take it before they are cut off.
    const pending = [...this.wss.clients];
    for (const ws of pending) closeWs(ws, CLOSE.GOING_AWAY, 'going away');
    await Promise.race([
      Promise.all(pending.map((ws) => (ws.readyState === WebSocket.CLOSED ? undefined : new Promise((r) => ws.once('close', r))))),
      new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref()),
    ]);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    if (this.ownsServer && this.server) {
      const server = this.server;
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  // ---------------------------------------------------------------- handshake

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = underPrefix(req.url ?? '/', this.prefix);
    if (path === undefined) {
      // Not ours: another upgrade handler on the application's server may take it.
      // With none, nobody would ever answer and the socket would stay open unguarded.
      if (this.ownsServer || this.server?.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    const origin = req.headers.origin;
    if (this.options.origins && origin !== undefined && !this.options.origins.includes(origin)) {
      this.logger.warn({ origin }, 'origin refused');
      return refuse(socket, 403, 'Forbidden');
    }
    const name = streamNameOf(path);
    const display = this.displays.get(name);
    if (display && display.occupancy >= display.config.maxViewers) {
      this.logger.warn({ stream: name, max: display.config.maxViewers }, 'viewer refused: stream is full');
      return refuse(socket, 503, 'Service Unavailable');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // First of all: a socket's faults (an oversized or malformed frame, a reset)
      // arrive as 'error' events in every later state, including after we closed
      // it, and one without a listener would end the process.
      ws.on('error', (err) => this.logger.debug({ err, remote: req.socket.remoteAddress }, 'socket error'));
      this.alive.set(ws, true);
      ws.on('pong', () => this.alive.set(ws, true));
      if (!display || display.isClosed) {
        closeWs(ws, CLOSE.UNKNOWN_STREAM, `unknown stream '${name}'`);
        return;
      }
      handshake(ws, req, display, this.options.helloTimeoutMs ?? HUB_DEFAULTS.helloTimeoutMs);
    });
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}

/**
 * Answers an upgrade with an HTTP error and closes the socket. Node removed its
 * own error listener at the upgrade, so a reset here needs ours; the socket is
 * destroyed once the answer is written rather than left half-open for a peer
 * that never closes its side.
 */
function refuse(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
