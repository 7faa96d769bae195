/**
 * `rfbcast demo`: built-in scenes on a live stream, and a demo page where a
 * person switches scene, backend (for their viewer or the whole stream),
 * bitrate, fps and size while watching the stats. It runs on its own HTTP
 * server with rfbcast attached, as an application would.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { defaultContainer, metalOf } from '../container';
import type { Logger } from '../core/logging';
import { LoggerToken } from '../core/tokens';
import { demoScenes } from '../scenes/demo-scenes';
import { attach } from '../server/serve';
import { clientDir, serveStatic } from '../server/static-files';
import { DemoController } from './demo-controller';
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

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function demoCommand(o: DemoOptions): Promise<void> {
  const logger = defaultContainer().resolve<Logger>(LoggerToken);
  const server = createServer();
  const hub = attach(server);
  const [width, height] = o.size;
  const display = await hub.addStream('default', width, height, { fps: o.fps, statsIntervalMs: 1000, stillAfterMs: 1500 });
  const scenes = demoScenes(metalOf());
  const publisher = new ScenePublisher(display, scenes.test_card, width, height, o.fps, logger);
  const controller = new DemoController(display, publisher, scenes, logger);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/' && serveStatic(clientDir(), '/demo.html', res)) return;
    if (req.method === 'GET' && path === '/api/status') return json(res, controller.status());
    if (req.method === 'GET' && path === '/api/backends') {
      void doctor().then((r) => json(res, r.backends));
      return;
    }
    if (!hub.handleRequest(req, res)) res.writeHead(404).end();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  hub.setAddress(o.host, port);
  publisher.start();
  void controller.run();
  const url = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${port}/`;
  process.stdout.write(`rfbcast demo: open ${url}\n`);
  if (o.open) openBrowser(url);
  await untilSignal();
  publisher.stop();
  await hub.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Best effort: where there is no browser (a server, a container) the URL above is all there is. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  const hint = () => process.stderr.write(`rfbcast demo: could not open a browser; visit ${url}\n`);
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', hint);
    child.on('exit', (code) => code !== 0 && hint());
    child.unref();
  } catch {
    hint();
  }
}
