/**
 * Checks of what serve(), createHub(), attach() and Hub.addStream() are given,
 * each failing with a ConfigError that names the option and the value. They
 * are plain functions over option objects so that every other entry point
 * (a relay, a CLI) checks its options the same way.
 */
import { ConfigError } from '../core/errors';
import { MAX_DIMENSION } from '../core/frame';
import { PortInUseError } from './errors';
import type { HubOptions } from './hub';
import { STREAM_KEYS } from './stream-config';

/** Every HubOptions key: a record, so that a key added to HubOptions and not here fails to compile. */
const HUB_KEY_SET: Record<keyof HubOptions, true> = {
  port: true, host: true, path: true, origins: true, maxMessageBytes: true, helloTimeoutMs: true, pingIntervalMs: true,
  tls: true, staticDir: true, logger: true, container: true, nats: true, headersTimeoutMs: true, requestTimeoutMs: true,
  maxHeaderBytes: true,
};
export const HUB_KEYS = Object.keys(HUB_KEY_SET) as ReadonlyArray<keyof HubOptions>;

/** The keys each entry point takes. */
export const OPTION_KEYS = {
  serve: [...HUB_KEYS, ...STREAM_KEYS, 'name'],
  createHub: HUB_KEYS,
  attach: [...HUB_KEYS, 'sideChannel'],
  stream: STREAM_KEYS,
} as const satisfies Record<string, readonly string[]>;

/** A stream's size: whole pixels from 1 to MAX_DIMENSION. */
export function checkSize(width: unknown, height: unknown): void {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DIMENSION) {
      throw new ConfigError(`${name} must be an integer from 1 to ${MAX_DIMENSION}, got ${String(v)}`);
    }
  }
}

/** Refuses keys `what` does not take, suggesting the key that differs only in case (bitRate -> bitrate). */
export function checkKnownKeys(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new ConfigError(`${what}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}`);
  }
}

function positiveInteger(name: string, v: unknown): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
    throw new ConfigError(`${name} must be a positive integer, got ${String(v)}`);
  }
}

/** The hub's own options (the ones every entry point shares); unknown keys are checked by the caller. */
export function checkHubOptions(o: HubOptions): void {
  if (o === null || typeof o !== 'object') throw new ConfigError(`options must be an object, got ${String(o)}`);
  if (o.port !== undefined && (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    throw new ConfigError(`port must be an integer from 0 to 65535 (0 picks a free port), got ${JSON.stringify(o.port)}`);
  }
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) {
    throw new ConfigError(`host must be a non-empty string, got ${JSON.stringify(o.host)}`);
  }
  if (o.path !== undefined && typeof o.path !== 'string') throw new ConfigError(`path must be a string, got ${String(o.path)}`);
  if (o.origins !== undefined && !(Array.isArray(o.origins) && o.origins.every((x) => typeof x === 'string'))) {
    throw new ConfigError('origins must be an array of strings');
  }
  for (const k of ['maxMessageBytes', 'helloTimeoutMs', 'pingIntervalMs'] as const) positiveInteger(k, o[k]);
  if (o.tls !== undefined && (o.tls === null || typeof o.tls !== 'object' || !o.tls.key || !o.tls.cert)) {
    throw new ConfigError('tls must be an object with a key and a cert');
  }
  if (o.staticDir !== undefined && o.staticDir !== false && typeof o.staticDir !== 'string') {
    throw new ConfigError('staticDir must be a folder path or false');
  }
  if (o.container !== undefined && (o.container === null || typeof o.container.resolve !== 'function')) {
    throw new ConfigError('container must be a container from createContainer()');
  }
}

/** What listen() rejects with: a port in use says what to do, anything else passes through. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' ? new PortInUseError(host, port, { cause: error }) : error;
}
