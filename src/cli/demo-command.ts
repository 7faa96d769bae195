/**
 * `rfbcast demo`: built-in scenes on a live stream, and a demo page where a
 * person switches scene, backend (for their viewer or the whole stream),
 * bitrate, fps and size while watching the stats. The page sends its requests
 * as custom input events, so the server knows which viewer asked. It runs on
 * its own HTTP server with rfbcast attached, as an application would.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { demoScenes } from '../scenes/demo-scenes';
import type { QueuedEvent } from '../server/event-queue';
import { attach } from '../server/serve';
import { clientDir, serveStatic } from '../server/static-files';
import { doctor } from './doctor';
import { ScenePublisher } from './publisher';
import { untilSignal } from './serve-command';

export interface DemoOptions {
  port: number;
  host: string;
  open: boolean;
  size: [number, number];
  fps: number;
}

interface DemoRequest {
  type: 'demo';
  action: 'scene' | 'backend' | 'quality' | 'size';
  scene?: string;
  backend?: string;
  scope?: 'viewer' | 'stream';
  bitrate?: number;
  fps?: number;
  width?: number;
  height?: number;
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function demoCommand(o: DemoOptions): Promise<void> {
  const server = createServer();
  const hub = attach(server);
  const [width, height] = o.size;
  const display = await hub.addStream('default', width, height, { fps: o.fps, statsIntervalMs: 1000, stillAfterMs: 1500 });
  const scenes = demoScenes();
  const publisher = new ScenePublisher(display, scenes.test_card, width, height, o.fps);
  let lastError = '';

  const status = () => ({
    scene: publisher.scene.name,
    scenes: Object.keys(scenes),
    width: publisher.width,
    height: publisher.height,
    fps: display.config.fps,
    bitrate: display.config.bitrate,
    viewers: display.viewers().map((v) => ({ id: v.id.slice(0, 8), backend: v.backend })),
    lastError,
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/') {
      if (serveStatic(clientDir(), '/demo.html', res)) return;
    }
    if (req.method === 'GET' && path === '/api/status') return json(res, status());
    if (req.method === 'GET' && path === '/api/backends') {
      void doctor().then((r) => json(res, r.backends));
      return;
    }
    if (!hub.handleRequest(req, res)) {
      res.writeHead(404).end();
    }
  });

  const apply = async (e: QueuedEvent & { event: DemoRequest }) => {
    const r = e.event;
    try {
      if (r.action === 'scene' && r.scene && scenes[r.scene]) publisher.change({ scene: scenes[r.scene] });
      if (r.action === 'size' && r.width && r.height) publisher.change({ width: r.width, height: r.height });
      if (r.action === 'quality') {
        display.setQuality({ ...(r.bitrate ? { bitrate: r.bitrate } : {}), ...(r.fps ? { fps: r.fps } : {}) });
        if (r.fps) publisher.setFps(r.fps);
      }
      if (r.action === 'backend' && r.backend) {
        await display.switchBackend(r.backend, r.scope === 'viewer' ? { viewer: e.viewer } : {});
      }
      lastError = '';
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  };

  const consume = async () => {
    for await (const e of display.events()) {
      if (e.event.type === 'demo') await apply(e as QueuedEvent & { event: DemoRequest });
      else publisher.scene.onEvent?.(e.event, publisher.width, publisher.height);
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  hub.setAddress(o.host, port);
  publisher.start();
  void consume();
  const url = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${port}/`;
  process.stdout.write(`rfbcast demo: open ${url}\n`);
  if (o.open) openBrowser(url);
  await untilSignal();
  publisher.stop();
  await hub.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
  const child = spawn(cmd, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`could not open a browser; visit ${url}\n`));
  child.unref();
}
