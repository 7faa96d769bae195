/**
 * Mounting rfbcast on an application's own HTTP server (PROTOCOL.md §1.2 mount
 * prefix): WebSocket upgrades under the prefix reach the streams, the
 * application keeps its own routes, and the side channel answers under the
 * prefix when the application hands requests to the hub.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { attach, type Hub, serve } from 'rfbcast';

import { fakeContainer } from './helpers/server';
import { fakeControl } from './helpers/fake-encoders';
import { TestViewer } from './helpers/viewer';

let server: Server;
let hub: Hub;
let base: string;

beforeEach(async () => {
  server = createServer((req, res) => {
    if (hub.handleRequest(req, res)) return;
    if (req.url === '/app') res.end('application page');
    else res.writeHead(404).end('app 404');
  });
  hub = attach(server, { path: '/rfb', container: fakeContainer(fakeControl(), fakeControl()) });
  await hub.addStream('cam', 160, 90);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await hub.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

it('routes /rfb/<stream> upgrades to streams and leaves the application its routes', async () => {
  const v = await TestViewer.connect(`ws://${base}/rfb/cam`);
  await v.waitFor((x) => x.texts.length > 0);
  expect(v.texts[0]).toMatchObject({ type: 'config', width: 160, height: 90 });
  expect(hub.stream('cam')?.url).toBe(`ws://${base}/rfb/cam`);
  const missing = await TestViewer.open(`ws://${base}/rfb`);
  expect(await missing.closed).toEqual({ code: 4404, reason: "unknown stream 'default'" });
  expect(await (await fetch(`http://${base}/app`)).text()).toBe('application page');
  expect(await (await fetch(`http://${base}/rfb/health`)).text()).toBe('ok\n');
  expect(await (await fetch(`http://${base}/rfb/streams`)).json()).toEqual([{ name: 'cam', width: 160, height: 90, fps: 30, clients: 1 }]);
  expect((await fetch(`http://${base}/health`)).status).toBe(404);
  v.ws.terminate();
});

it('serve(): display.close() resolves once the port is free again', async () => {
  const first = await serve(32, 32, { port: 0, container: fakeContainer(fakeControl(), fakeControl()) });
  const port = Number(new URL(first.url).port);
  await first.close();
  const again = await serve(32, 32, { port, container: fakeContainer(fakeControl(), fakeControl()) });
  expect(again.url).toBe(first.url);
  await again.close();
});

it("handleRequest leaves the application's own methods and paths alone, even without a prefix", async () => {
  const app = createServer((req, res) => {
    if (root.handleRequest(req, res)) return;
    res.end(`app ${req.method} ${req.url}`);
  });
  const root = attach(app, { container: fakeContainer(fakeControl(), fakeControl()) });
  await root.addStream('default', 32, 32);
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const at = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  try {
    expect(await (await fetch(`${at}/api/login`, { method: 'POST' })).text()).toBe('app POST /api/login');
    expect(await (await fetch(`${at}/health`)).text()).toBe('ok\n');
    expect(await (await fetch(`${at}/elsewhere`)).text()).toBe('app GET /elsewhere');
  } finally {
    await root.close();
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
  }
});
