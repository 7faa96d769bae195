/**
 * relay() checks its options as serve() does, before it connects to NATS or
 * listens: unknown keys, bad types and bad ranges are ConfigErrors naming the
 * option, and a port in use is a PortInUseError. A valid configuration still
 * relays, against a real nats-server.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

import { ConfigError, PortInUseError, relay, type Relay, type RelayOptions } from 'rfbcast';

import { type NatsServer, startNats } from './helpers/nats';

/** A TCP listener posing as NATS: it only counts who connects, so a test can tell that nothing did. */
let fakeNats: Server;
let connections = 0;
const sockets: Socket[] = [];
let fakeUrl: string;

beforeAll(async () => {
  fakeNats = createServer((s) => {
    connections++;
    sockets.push(s);
  });
  await new Promise<void>((resolve) => fakeNats.listen(0, '127.0.0.1', resolve));
  fakeUrl = `nats://127.0.0.1:${(fakeNats.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => fakeNats.close(r));
});

const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
  ['an unknown key, with the near miss', { bitRate: 1 }, /relay: unknown option 'bitRate' \(did you mean 'bitrate'\?\)/],
  ['a stream option relays do not take', { fps: 30 }, /relay: unknown option 'fps'/],
  ['no nats', { nats: undefined }, /relay: nats is required/],
  ['nats that is a number', { nats: 4222 }, /nats must be a server URL or an options object/],
  ['an empty nats server', { nats: '' }, /nats: give the NATS server URL/],
  ['an unknown nats key', { nats: { servers: 'nats://x:1', password: 'p' } }, /nats: unknown option 'password'/],
  ['a bad subject prefix', { nats: { servers: 'nats://x:1', prefix: 'a..b' } }, /nats: invalid subject prefix/],
  ['token with creds', { nats: { servers: 'nats://x:1', token: 't', creds: '/c' } }, /nats: give one of token, user\/pass or creds/],
  ['an unknown nats tls key', { nats: { servers: 'nats://x:1', tls: { ca: 'x' } } }, /nats\.tls: unknown option 'ca'/],
  ['port -1', { port: -1 }, /port must be an integer from 0 to 65535/],
  ["port 'abc'", { port: 'abc' }, /port must be an integer/],
  ['an empty host', { host: '' }, /host must be a non-empty string/],
  ['an empty name', { name: '' }, /relay: name must be a non-empty string/],
  ['maxViewers 0', { maxViewers: 0 }, /maxViewers/],
  ['an unknown image mode', { imageMode: 'gif' }, /unknown image mode 'gif'/],
  ['authenticate that is not a function', { authenticate: 'yes' }, /authenticate must be a function/],
  ['inconsistent HTTP deadlines', { headersTimeoutMs: 5000, requestTimeoutMs: 1000 }, /headersTimeoutMs|requestTimeoutMs/],
  ['tls without a cert', { tls: { key: 'k' } }, /tls must be an object with a key and a cert/],
];

it.each(refusals)('refuses %s with a ConfigError naming it, before connecting to NATS', async (_what, options, message) => {
  const before = connections;
  const attempt = relay({ nats: fakeUrl, port: 0, ...options } as RelayOptions);
  await expect(attempt).rejects.toBeInstanceOf(ConfigError);
  await expect(attempt).rejects.toThrow(message);
  expect(connections).toBe(before);
});

it('refuses options that are not an object', async () => {
  await expect(relay(null as never)).rejects.toBeInstanceOf(ConfigError);
  await expect(relay('nats://x:1' as never)).rejects.toBeInstanceOf(ConfigError);
});

describe('with a real nats-server', () => {
  let nats: NatsServer;
  const relays: Relay[] = [];
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    for (const r of relays) await r.close();
    await nats.stop();
  });

  it('a valid configuration relays, and a second relay on its port is a PortInUseError saying what to do', async () => {
    const first = await relay({ nats: { servers: nats.url, prefix: 'opts' }, port: 0, name: 'opts-relay', maxViewers: 4, imageMode: 'png' });
    relays.push(first);
    expect(first.port).toBeGreaterThan(0);
    expect(first.status()).toMatchObject({ relay: 'opts-relay', nats: 'connected' });
    const second = relay({ nats: nats.url, port: first.port, host: '127.0.0.1' });
    await expect(second).rejects.toBeInstanceOf(PortInUseError);
    await expect(second).rejects.toThrow(/already in use: stop the other server, pass another port/);
  });
});
