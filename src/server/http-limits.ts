/**
 * Limits on the HTTP side of a server the hub owns: a request's headers and
 * the whole request (body included) must arrive within their deadlines, and
 * headers are capped, so a client that dribbles bytes, sends a body that never
 * ends or megabytes of headers holds a connection for a bounded time only.
 * Upgraded WebSockets are no longer HTTP requests and are not affected. On an
 * application's server (attach()) these limits are the application's to set.
 */
import type { ServerOptions } from 'node:http';

import { ConfigError } from '../core/errors';

/** Limits on HTTP requests to the server a hub owns (see HTTP_LIMIT_DEFAULTS). */
export interface HttpLimits {
  /** The request line and headers must arrive within this (slow-header clients are cut off). */
  headersTimeoutMs?: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs?: number;
  /** Larger request headers get HTTP 431. */
  maxHeaderBytes?: number;
}

/** The limits applied where HttpLimits leaves one out. */
export const HTTP_LIMIT_DEFAULTS: Readonly<Required<HttpLimits>> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxHeaderBytes: 16 * 1024,
});

/**
 * Node checks the two deadlines only every `connectionsCheckingInterval`
 * (30 s by default), which would let a slow client outlive a short deadline
 * by that much: check at a quarter of the headers deadline, at most every second.
 */
const MAX_CHECK_INTERVAL_MS = 1000;

/** `node:http`/`node:https` server options enforcing the limits; throws ConfigError for inconsistent ones. */
export function httpServerOptions(limits: HttpLimits): ServerOptions & { handshakeTimeout: number } {
  const headersTimeout = limits.headersTimeoutMs ?? HTTP_LIMIT_DEFAULTS.headersTimeoutMs;
  const requestTimeout = limits.requestTimeoutMs ?? HTTP_LIMIT_DEFAULTS.requestTimeoutMs;
  const maxHeaderSize = limits.maxHeaderBytes ?? HTTP_LIMIT_DEFAULTS.maxHeaderBytes;
  for (const [name, value] of Object.entries({ headersTimeoutMs: headersTimeout, requestTimeoutMs: requestTimeout, maxHeaderBytes: maxHeaderSize })) {
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive integer, got ${String(value)}`);
  }
  if (headersTimeout > requestTimeout) {
    throw new ConfigError(`headersTimeoutMs (${headersTimeout}) must not exceed requestTimeoutMs (${requestTimeout})`);
  }
  return {
    headersTimeout,
    requestTimeout,
    maxHeaderSize,
    connectionsCheckingInterval: Math.max(1, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(headersTimeout / 4))),
    // TLS: a client that never finishes its handshake is held no longer than one that never sends headers.
    handshakeTimeout: headersTimeout,
  };
}
