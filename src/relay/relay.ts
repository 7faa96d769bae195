/**
 * A relay (`relay({ nats, port })`, `rfbcast relay`): serves the streams of
 * its origins to viewers on another process or machine, with the same
 * protocol, viewer page, side channel, authentication and limits as
 * `serve()`. It discovers the streams over NATS and never encodes: each of
 * its groups forwards the units its origin publishes (relay-group.ts), and
 * its viewers' input goes back to the origin's `display.events()`.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';

import { createInbox } from '@nats-io/transport-node';

import { defaultContainer } from '../container';
import { ConfigError } from '../core/errors';
import type { Logger } from '../core/logging';
import { LoggerToken } from '../core/tokens';
import { systemClock } from '../server/clock';
import type { Display, StreamInfo } from '../server/display';
import type { QueuedEvent } from '../server/event-queue';
import { Hub, HUB_DEFAULTS, type HubOptions } from '../server/hub';
import { httpServerOptions } from '../server/http-limits';
import { notFound } from '../server/side-channel';
import { checkHubOptions, checkKnownKeys, HUB_KEYS, listenError } from '../server/hub-options';
import { resolveStreamConfig, STREAM_DEFAULTS, type StreamOptions } from '../server/stream-config';
import { underPrefix, normalisePrefix } from '../server/routing';
import { type NatsConfig, NatsLink, natsOptionsOf } from './nats-link';
import { INTEREST_TTL_MS } from './origin';
import { RelayGroup } from './relay-group';
import type { Catalog, CatalogEntry, RenditionName } from './subjects';

/** How often a relay asks its origins what they offer (new streams, an origin back after a restart). */
export const DISCOVER_EVERY_MS = 1000;

/** What a relay's viewers are held to, exactly as on serve(). */
export type RelayStreamOptions = Pick<
  StreamOptions,
  | 'authenticate'
  | 'token'
  | 'authTimeoutMs'
  | 'maxViewers'
  | 'maxInflight'
  | 'inflightTimeoutMs'
  | 'slowViewerBudgetBytes'
  | 'slowViewerTimeoutMs'
  | 'statsIntervalMs'
  | 'imageMode'
  | 'bitrate'
>;

/** Every RelayStreamOptions key: a record, so that a key added to the type and not here fails to compile. */
const RELAY_STREAM_KEY_SET: Record<keyof RelayStreamOptions, true> = {
  authenticate: true, token: true, authTimeoutMs: true, maxViewers: true, maxInflight: true, inflightTimeoutMs: true,
  slowViewerBudgetBytes: true, slowViewerTimeoutMs: true, statsIntervalMs: true, imageMode: true, bitrate: true,
};
const RELAY_STREAM_KEYS = Object.keys(RELAY_STREAM_KEY_SET) as ReadonlyArray<keyof RelayStreamOptions>;

/** Every key relay() takes: the hub's (its `nats` is where the origins are), the streams' and a name. */
const RELAY_KEYS: readonly string[] = [...HUB_KEYS, ...RELAY_STREAM_KEYS, 'name'];

/**
 * Checks everything relay() is given before it connects or listens: unknown
 * keys, the hub's options, the stream options, the NATS configuration and the
 * HTTP limits, each a ConfigError naming the option.
 */
function checkRelayOptions(options: RelayOptions): void {
  checkHubOptions(options as HubOptions);
  checkKnownKeys('relay', options, RELAY_KEYS);
  if (options.nats === undefined) throw new ConfigError('relay: nats is required (the NATS server its origins publish to, e.g. nats://127.0.0.1:4222)');
  natsOptionsOf(options.nats);
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new ConfigError(`relay: name must be a non-empty string, got ${JSON.stringify(options.name)}`);
  }
  resolveStreamConfig(pickStreamOptions(options));
  httpServerOptions(options);
}

/** What relay() takes: where to listen (as a hub), what its viewers are held to, and where its origins are. */
export interface RelayOptions extends Omit<HubOptions, 'nats'>, RelayStreamOptions {
  /** The NATS server the origins publish to (required): a URL, or NatsOptions. */
  nats: NatsConfig;
  /** The relay's identity in its origin's events (default `relay-<host>-<random>`). */
  name?: string;
}

/** One relayed stream in RelayStatus. */
export interface RelayStreamStatus extends StreamInfo {
  /** `live`: the origin answered lately; `origin-unavailable`: it did not (viewers stay connected and resume when it is back). */
  origin: 'live' | 'origin-unavailable';
  /** The relay's viewers' ids: what their input carries in the origin's events. */
  viewers: string[];
  /** Each rendition the relay forwards: its viewers, units received, units lost and keyframes asked for. */
  groups: Array<{ rendition: RenditionName; members: number; unitsIn: number; lost: number; keyframeRequests: number }>;
}

/** What Relay.status() reports. */
export interface RelayStatus {
  /** The relay's id (its `name`). */
  relay: string;
  /** Whether its NATS connection is up. */
  nats: 'connected' | 'reconnecting';
  /** Every stream it serves. */
  streams: RelayStreamStatus[];
}

/** A running relay: serves its origins' streams to viewers. Made by relay(). */
export class Relay {
  /** Its identity in the origins' events (the `name` option, or `relay-<host>-<random>`). */
  readonly id: string;
  private readonly hub: Hub;
  private readonly logger: Logger;
  private readonly groups = new Map<string, Set<RelayGroup>>();
  /** When an origin last offered each stream, and which origin. */
  private readonly seen = new Map<string, { atMs: number; origin: string }>();
  private readonly discoverTimer: NodeJS.Timeout;
  private readonly inbox: string;
  private address?: { host: string; port: number };

  private constructor(
    private readonly link: NatsLink,
    private readonly server: Server,
    private readonly options: RelayOptions,
  ) {
    this.id = options.name ?? `relay-${hostname()}-${randomBytes(3).toString('hex')}`;
    this.logger = (options.logger ?? defaultContainer().resolve<Logger>(LoggerToken)).child({ relay: this.id });
    this.hub = new Hub({ ...options, nats: undefined, logger: this.logger });
    this.hub.attachTo(server, false);
    const prefix = normalisePrefix(options.path);
    server.on('request', (req, res) => {
      if (underPrefix(req.url ?? '/', prefix) === '/relay') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(this.status()));
      } else if (!this.hub.handleRequest(req, res)) notFound(res);
    });
    this.inbox = createInbox(`${link.subjects.prefix}.relay`);
    link.nc.subscribe(this.inbox, {
      callback: (err, m) => {
        if (err) return;
        try {
          this.learn(m.json<Catalog>());
        } catch (error) {
          this.logger.warn({ err: error }, 'bad catalog from an origin');
        }
      },
    });
    link.on('reconnect', () => this.discover());
    this.discoverTimer = setInterval(() => this.discover(), DISCOVER_EVERY_MS);
    this.discover();
  }

  /** Checks the options, connects to NATS and listens; relay() is the same. Throws ConfigError before connecting. */
  static async start(options: RelayOptions): Promise<Relay> {
    checkRelayOptions(options);
    const logger = options.logger ?? defaultContainer().resolve<Logger>(LoggerToken);
    const link = await NatsLink.open(options.nats, options.name ?? 'rfbcast-relay', logger);
    // The relay owns its server: the same HTTP limits as a hub's own (issue 15).
    const limits = httpServerOptions(options);
    const server = options.tls ? createHttpsServer({ ...limits, key: options.tls.key, cert: options.tls.cert }) : createHttpServer(limits);
    const relay = new Relay(link, server, options);
    try {
      await relay.listen();
    } catch (error) {
      await relay.close();
      throw error;
    }
    return relay;
  }

  /** Where the relay listens (port 0 picked a free one). */
  get port(): number {
    return this.address?.port ?? 0;
  }

  /** The WebSocket URL of a stream on this relay. */
  url(stream = 'default'): string {
    return this.hub.streamUrl(stream);
  }

  /** The streams it serves now (those an origin offered). */
  streams(): Display[] {
    return this.hub.streams();
  }

  /** Resolves once the origins offer `name` (the relay then serves it). */
  async waitForStream(name: string, timeoutMs = 10_000): Promise<Display> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = this.hub.stream(name);
      if (d) return d;
      if (Date.now() > deadline) throw new Error(`relay ${this.id}: no origin offered stream '${name}' within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Its NATS link, streams, viewers and forwarding counters. */
  status(): RelayStatus {
    const now = Date.now();
    return {
      relay: this.id,
      nats: this.link.connected ? 'connected' : 'reconnecting',
      streams: this.hub.streams().map((d) => ({
        ...d.info(),
        origin: now - (this.seen.get(d.name)?.atMs ?? 0) <= INTEREST_TTL_MS ? 'live' : 'origin-unavailable',
        viewers: d.viewers().map((v) => v.id),
        groups: [...(this.groups.get(d.name) ?? [])].map((g) => ({ rendition: g.rendition, members: g.size, ...g.counters() })),
      })),
    };
  }

  /** Closes its viewers, its server and its NATS connection. */
  async close(): Promise<void> {
    clearInterval(this.discoverTimer);
    await this.hub.close();
    await this.link.close();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? HUB_DEFAULTS.host;
    const wanted = this.options.port ?? HUB_DEFAULTS.port;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: unknown) => reject(listenError(error, host, wanted));
      this.server.once('error', failed);
      this.server.listen(wanted, host, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
    const port = (this.server.address() as AddressInfo).port;
    this.hub.setAddress(host, port);
    this.address = { host, port };
  }

  // ---------------------------------------------------------------- discovery

  private discover(): void {
    if (this.link.connected) this.link.nc.publish(this.link.subjects.discover, '', { reply: this.inbox });
  }

  private learn(catalog: Catalog): void {
    const offered = new Set<string>();
    for (const entry of catalog.streams ?? []) {
      offered.add(entry.name);
      this.seen.set(entry.name, { atMs: Date.now(), origin: catalog.origin });
      const served = this.hub.stream(entry.name);
      if (!served) this.serveStream(entry);
      else if (served.width !== entry.width || served.height !== entry.height) this.hub.resizeForwarded(entry.name, entry.width, entry.height);
    }
    // A stream its origin (still running) no longer offers was removed there: its viewers here are closed too.
    for (const [name, s] of this.seen) {
      if (s.origin !== catalog.origin || offered.has(name)) continue;
      this.seen.delete(name);
      this.groups.delete(name);
      void this.hub.removeStream(name);
      this.logger.info({ stream: name }, 'the origin removed the stream');
    }
  }

  private serveStream(entry: CatalogEntry): void {
    const video = entry.renditions.includes('h264') ? 'relay' : undefined;
    const modes = entry.renditions.filter((r): r is Exclude<RenditionName, 'h264'> => r !== 'h264');
    const bitrate = this.options.bitrate ?? STREAM_DEFAULTS.bitrate;
    const groups = new Set<RelayGroup>();
    this.groups.set(entry.name, groups);
    this.hub.addForwardedStream(
      entry.name,
      entry.width,
      entry.height,
      { ...pickStreamOptions(this.options), fps: entry.fps, adaptive: false, encoding: 'shared', resizePolicy: 'publisher' },
      {
        backends: { video, image: modes.length > 0 ? { backend: 'relay', modes } : undefined },
        groups: (spec) => {
          const rendition: RenditionName = spec.choice.transport === 'video' ? 'h264' : spec.choice.mode;
          const host = {
            link: this.link,
            relayId: this.id,
            stream: entry.name,
            clock: systemClock,
            logger: this.logger,
            bitrate,
            fps: entry.fps,
            closed: (g: RelayGroup) => groups.delete(g),
          };
          const group = new RelayGroup(spec, rendition, host);
          groups.add(group);
          return group;
        },
        input: (e) => this.forward(entry.name, e),
      },
    );
    this.logger.info({ stream: entry.name, renditions: entry.renditions }, 'relaying a stream');
  }

  /** A viewer's input goes to the origin, with the viewer's id, this relay's identity and the principal our authenticate returned. */
  private forward(stream: string, e: QueuedEvent): void {
    if (!this.link.connected) return;
    let body: string;
    try {
      body = JSON.stringify({ viewer: e.viewer, relay: this.id, principal: e.principal, event: e.event });
    } catch {
      body = JSON.stringify({ viewer: e.viewer, relay: this.id, principal: null, event: e.event });
    }
    this.link.nc.publish(this.link.subjects.events(stream), body);
  }
}

function pickStreamOptions(o: RelayOptions): RelayStreamOptions {
  return Object.fromEntries(RELAY_STREAM_KEYS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as RelayStreamOptions;
}

/** Starts a relay for the streams offered over NATS and resolves once it listens. `relay.close()` stops it. */
export function relay(options: RelayOptions): Promise<Relay> {
  return Relay.start(options);
}
