/**
 * One NATS connection for an origin or a relay: the options users pass
 * through (servers, prefix, user and password, token, creds file, TLS), the
 * first connection (which fails loudly), then reconnection forever, and the
 * connection's state as events: `disconnect` and `reconnect`.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';

import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';

import { ConfigError, messageOf } from '../core/errors';
import type { Logger } from '../core/logging';
import { checkKnownKeys } from '../server/hub-options';
import { DEFAULT_PREFIX, Subjects } from './subjects';

/** How to reach NATS: servers, subject prefix, credentials and TLS. Give one of user/pass, token or creds. */
export interface NatsOptions {
  /** `nats://host:4222`, or several for a cluster. */
  servers: string | string[];
  /** The subject prefix the origin and its relays share (default `rfbcast`). */
  prefix?: string;
  /** User name, with `pass`. */
  user?: string;
  /** Password, with `user`. */
  pass?: string;
  /** A token the server expects. */
  token?: string;
  /** A .creds file (user JWT and nkey seed). */
  creds?: string;
  /** TLS to the NATS server; `{}` requires TLS with the system's CAs. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** A server URL, or the full options. */
export type NatsConfig = string | NatsOptions;

/** The NATS server's own default, when it does not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Between reconnect attempts: short, so pictures resume soon after the server is back. */
const RECONNECT_WAIT_MS = 250;

const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Every NatsOptions key: a record, so that a key added to NatsOptions and not here fails to compile. */
const NATS_KEY_SET: Record<keyof NatsOptions, true> = { servers: true, prefix: true, user: true, pass: true, token: true, creds: true, tls: true };
const NATS_KEYS = Object.keys(NATS_KEY_SET);

/** The options of a NATS configuration, checked: each problem is a ConfigError naming the `nats` option. */
export function natsOptionsOf(config: NatsConfig): NatsOptions {
  if (config === null || (typeof config !== 'string' && typeof config !== 'object') || Array.isArray(config)) {
    throw new ConfigError(`nats must be a server URL or an options object, got ${JSON.stringify(config)}`);
  }
  const o = typeof config === 'string' ? { servers: config } : config;
  checkKnownKeys('nats', o, NATS_KEYS);
  for (const k of ['prefix', 'user', 'pass', 'token', 'creds'] as const) {
    if (o[k] !== undefined && (typeof o[k] !== 'string' || o[k] === '')) throw new ConfigError(`nats: ${k} must be a non-empty string`);
  }
  if (o.tls !== undefined) {
    if (o.tls === null || typeof o.tls !== 'object') throw new ConfigError('nats: tls must be an object ({} for the system CAs)');
    checkKnownKeys('nats.tls', o.tls, ['caFile', 'certFile', 'keyFile']);
  }
  const servers = Array.isArray(o.servers) ? o.servers : [o.servers];
  if (servers.length === 0 || servers.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigError('nats: give the NATS server URL, e.g. nats://127.0.0.1:4222');
  }
  if (o.prefix !== undefined && !SUBJECT_PREFIX.test(o.prefix)) {
    throw new ConfigError(`nats: invalid subject prefix '${o.prefix}' (dot-separated tokens of [A-Za-z0-9_-])`);
  }
  if (o.token !== undefined && (o.user !== undefined || o.creds !== undefined)) {
    throw new ConfigError('nats: give one of token, user/pass or creds');
  }
  return o;
}

export class NatsLink extends EventEmitter {
  readonly subjects: Subjects;
  private up = true;

  private constructor(
    readonly nc: NatsConnection,
    prefix: string,
    private readonly logger: Logger,
  ) {
    super();
    this.subjects = new Subjects(prefix);
    // Every relay group listens for the connection's state.
    this.setMaxListeners(0);
    void this.watch();
  }

  /** Connects once (rejecting when the server cannot be reached), then reconnects forever. */
  static async open(config: NatsConfig, name: string, logger: Logger): Promise<NatsLink> {
    const o = natsOptionsOf(config);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: o.servers,
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: RECONNECT_WAIT_MS,
        reconnectJitter: 50,
        ...(o.user !== undefined ? { user: o.user, pass: o.pass } : {}),
        ...(o.token !== undefined ? { token: o.token } : {}),
        ...(o.creds !== undefined ? { authenticator: credsAuthenticator(readFileSync(o.creds)) } : {}),
        ...(o.tls ? { tls: o.tls } : {}),
      });
    } catch (error) {
      throw new ConfigError(`nats: cannot connect to ${String(o.servers)}: ${messageOf(error)}`);
    }
    return new NatsLink(nc, o.prefix ?? DEFAULT_PREFIX, logger.child({ nats: nc.getServer() }));
  }

  get connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  /** What one message may hold, as the server announced it. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  close(): Promise<void> {
    return this.nc.isClosed() ? Promise.resolve() : this.nc.close();
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        this.up = false;
        this.logger.warn('NATS connection lost; reconnecting');
        this.emit('disconnect');
      } else if (s.type === 'reconnect') {
        this.up = true;
        this.logger.info('NATS connection restored');
        this.emit('reconnect');
      } else if (s.type === 'slowConsumer') {
        this.logger.warn({ pending: s.pending }, 'NATS subscription fell behind');
      }
    }
  }
}
