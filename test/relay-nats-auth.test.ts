/**
 * NATS credentials pass through: an origin and a relay reach a nats-server
 * that requires a user and password; a wrong password fails serve() with a
 * clear error instead of an origin that silently offers nothing.
 */
import { ConfigError, createHub, relay } from 'rfbcast';

import { type NatsServer, startNats } from './helpers/nats';
import { TestViewer } from './helpers/viewer';

let nats: NatsServer;

beforeAll(async () => {
  nats = await startNats(['--user', 'rfb', '--pass', 'pw-123']);
});

afterAll(async () => {
  await nats?.stop();
});

it('an origin and a relay authenticate to NATS with user and password', async () => {
  const auth = { servers: nats.url, user: 'rfb', pass: 'pw-123', prefix: 'site1.rfb' };
  const origin = await createHub({ port: 0, nats: auth });
  const r = await relay({ port: 0, nats: auth });
  try {
    const display = await origin.addStream('cam', 64, 48, { backend: 'libx264' });
    display.publish(new Uint8Array(64 * 48 * 4).fill(90), {});
    await r.waitForStream('cam');
    const v = await TestViewer.connect(r.url('cam'), ['image/jpeg']);
    await v.waitForFrames(1, 10_000);
    expect(v.frames[0].header.mime).toBe('image/jpeg');
    v.ws.terminate();
  } finally {
    await r.close();
    await origin.close();
  }
});

it('a wrong password is a clear error', async () => {
  const failed = createHub({ port: 0, nats: { servers: nats.url, user: 'rfb', pass: 'wrong' } });
  await expect(failed).rejects.toThrow(ConfigError);
  await expect(failed).rejects.toThrow(/nats: cannot connect/);
});
