/**
 * A reverse proxy that publishes an upstream server under a path prefix, as
 * nginx's `location /edge/ { proxy_pass http://upstream/; }` does: requests
 * and WebSocket upgrades under /edge/ reach the upstream with the prefix
 * taken off. Plain node:http and node:net, for tests on loopback.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';

export interface PrefixProxy {
  origin: string;
  close(): Promise<void>;
}

export async function startPrefixProxy(prefix: string, upstreamPort: number): Promise<PrefixProxy> {
  const strip = (url = '/') => (url.startsWith(`${prefix}/`) ? url.slice(prefix.length) : undefined);
  const server: Server = createServer((req, res) => {
    const path = strip(req.url);
    if (path === undefined) return void res.writeHead(404).end();
    const upstream = request({ host: '127.0.0.1', port: upstreamPort, path, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    const path = strip(req.url);
    if (path === undefined) return void socket.destroy();
    const up = connect(upstreamPort, '127.0.0.1', () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
      up.write(`${req.method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
