/**
 * Authentication (PROTOCOL.md §16): the context handed to a stream's hook,
 * built from the upgrade request and the hello, and a constant-time token
 * check for the common "one shared secret" case.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { HelloMessage } from '../wire';
import type { AuthContext, Authenticate } from './stream-config';

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const key = part.slice(0, i).trim();
    try {
      out[key] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[key] = part.slice(i + 1).trim();
    }
  }
  return out;
}

/**
 * The request target split by hand: `new URL()` reads a target such as
 * `//cam.1/` as a host name and throws on it, and a client chooses the target.
 */
function pathAndQuery(target: string): { path: string; query: Record<string, string> } {
  const q = target.indexOf('?');
  if (q < 0) return { path: target, query: {} };
  return { path: target.slice(0, q), query: Object.fromEntries(new URLSearchParams(target.slice(q + 1))) };
}

export function authContext(req: IncomingMessage, hello: HelloMessage, stream: string): AuthContext {
  const { path, query } = pathAndQuery(req.url ?? '/');
  return {
    token: hello.token,
    headers: { ...req.headers },
    cookies: parseCookies(req.headers.cookie),
    path,
    query,
    remote: req.socket.remoteAddress,
    hello: { ...hello },
    stream,
  };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Accepts exactly `expected`. Both sides are hashed first so the comparison
 * takes the same time whatever the length or content of the guess.
 */
export function tokenAuthenticator(expected: string): Authenticate {
  const want = digest(expected);
  return (ctx) => (ctx.token !== undefined && timingSafeEqual(digest(ctx.token), want) ? { token: 'valid' } : null);
}

/** Runs the hook with its deadline (§17 H2); throwing, null or a timeout all reject. */
export async function runAuthenticate(hook: Authenticate, ctx: AuthContext, timeoutMs: number): Promise<{ ok: boolean; principal?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const principal = await Promise.race([
      Promise.resolve().then(() => hook(ctx)),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
        // A hook that never answers must not keep the process alive on its own.
        timer.unref();
      }),
    ]);
    return principal === null || principal === undefined ? { ok: false } : { ok: true, principal };
  } catch {
    return { ok: false };
  } finally {
    clearTimeout(timer);
  }
}
