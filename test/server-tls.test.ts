/**
 * TLS (issue 6): remote H.264 viewers need a secure context, so serve() takes
 * a key and certificate and then speaks https and wss on its one port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { WebSocket } from 'ws';

import { serve } from 'rfbcast';

import { fakeControl } from './helpers/fake-encoders';
import { fakeContainer } from './helpers/server';

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'rfbcast-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('serves https and wss when given a key and certificate', async () => {
  const tls = selfSigned();
  const display = await serve(64, 48, { port: 0, tls, container: fakeContainer(fakeControl(), fakeControl()) });
  try {
    expect(display.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/default$/);
    const base = display.url.replace(/^wss/, 'https').replace(/default$/, '');
    const health = await new Promise<string>((resolve, reject) => {
      request(`${base}health`, { ca: tls.cert }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject).end();
    });
    expect(health).toBe('ok\n');
    const ws = new WebSocket(display.url, { ca: tls.cert });
    const config = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', supported: ['image/png'] })));
      ws.on('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
      ws.on('error', reject);
    });
    expect(config).toMatchObject({ type: 'config', transport: 'image', width: 64, height: 48 });
    ws.terminate();
  } finally {
    await display.close();
  }
});
