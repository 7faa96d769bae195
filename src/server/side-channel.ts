/**
 * The HTTP side channel on the stream port (PROTOCOL.md §1.3): readiness,
 * stream list, per-stream metrics, encode groups and recorded events. Everything else goes
 * to the static viewer files, or 404; non-GET methods get 405 (§17 H5).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Display } from './display';

export interface StreamDirectory {
  stream(name: string): Display | undefined;
  streams(): Display[];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

/** Answers a side-channel route; returns false when `path` is not one. */
export function handleSideChannel(path: string, res: ServerResponse, dir: StreamDirectory): boolean {
  if (path === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('ok\n');
    return true;
  }
  if (path === '/streams') {
    json(res, 200, dir.streams().map((d) => d.info()));
    return true;
  }
  // /streams/<name>/groups reports the encode groups (§9.4); /metrics keeps its §1.3 shape (per-viewer snapshots).
  const perStream = /^\/streams\/([^/]+)\/(metrics|groups)$/.exec(path);
  const defaultRoutes = ['/metrics', '/recorded-events', '/recorded-events/reset'];
  if (!perStream && !defaultRoutes.includes(path)) return false;
  let name = 'default';
  if (perStream) {
    try {
      name = decodeURIComponent(perStream[1]);
    } catch {
      name = perStream[1];
    }
  }
  const display = dir.stream(name);
  if (!display) {
    json(res, 404, []);
    return true;
  }
  if (path === '/recorded-events') json(res, 200, display.recordedEvents());
  else if (path === '/recorded-events/reset') {
    display.resetRecordedEvents();
    json(res, 200, []);
  } else if (perStream?.[2] === 'groups') json(res, 200, display.groupMetrics());
  else json(res, 200, display.metrics());
  return true;
}

export function methodNotAllowed(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain; charset=utf-8' });
  res.end('method not allowed\n');
  return true;
}

export function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}
