/**
 * Serves the browser viewer (dist/client) on the stream port. Paths are
 * resolved inside the client folder and anything escaping it is refused, so
 * `/../package.json` and encoded variants get 404.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

import { packageRoot } from '../core/native';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export function clientDir(): string {
  return join(packageRoot(), 'dist', 'client');
}

/** The file a URL path names inside `root`, or undefined when it is outside or missing. */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(base, normalize(rel));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  return file;
}

export function serveStatic(root: string, urlPath: string, res: ServerResponse): boolean {
  const file = resolveStatic(root, urlPath);
  if (!file) return false;
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  // The file may vanish between the check and the read (a rebuild of dist/client): end that response only.
  pipeline(createReadStream(file), res, (err) => {
    if (err) res.destroy();
  });
  return true;
}

/**
 * Sends `/rfb` on to `/rfb/`, so the viewer's relative URLs (page.js, streams,
 * the stream sockets) resolve under the prefix. The Location is relative, so
 * it also holds behind a proxy that mounts the prefix somewhere else.
 */
export function redirectToDirectory(url: string, res: ServerResponse): void {
  const [path, query] = url.split(/\?(.*)/s);
  const last = path.split('/').pop() ?? '';
  res.writeHead(308, { location: `${last}/${query ? `?${query}` : ''}`, 'cache-control': 'no-cache' });
  res.end();
}
