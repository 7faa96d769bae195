/**
 * serve(), createHub(), attach() and Hub.addStream() refuse bad options with a
 * ConfigError naming the option, before anything listens; a port in use is a
 * PortInUseError that says what to do.
 */
import { createServer } from 'node:http';

import { attach, ConfigError, createHub, type Hub, PortInUseError, serve } from 'rfbcast';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(ConfigError);
  await expect(promise).rejects.toThrow(message);
}

describe('serve()', () => {
  it.each([
    [0, 240, /width must be an integer from 1 to 16384, got 0/],
    [-5, 1.5, /width must be an integer from 1 to 16384, got -5/],
    [320, 1.5, /height must be an integer from 1 to 16384, got 1.5/],
    [320, 20_000, /height must be an integer from 1 to 16384, got 20000/],
  ])('refuses the size %p x %p', (w, h, message) => refused(serve(w, h, { port: 0 }), message));

  it.each([
    [{ port: 'abc' }, /port must be an integer from 0 to 65535 .*"abc"/],
    [{ port: -1 }, /port must be an integer from 0 to 65535/],
    [{ port: 70_000 }, /port must be an integer from 0 to 65535/],
    [{ port: 0, host: '' }, /host must be a non-empty string/],
    [{ port: 0, origins: 'http://a' }, /origins must be an array of strings/],
    [{ port: 0, maxMessageBytes: 0 }, /maxMessageBytes must be a positive integer/],
    [{ port: 0, tls: { key: 'k' } }, /tls must be an object with a key and a cert/],
    [{ port: 0, bitRate: 1_000_000 }, /serve: unknown option 'bitRate' \(did you mean 'bitrate'\?\)/],
    [{ port: 0, colour: 'red' }, /serve: unknown option 'colour'$/],
    [{ port: 0, fps: 0 }, /fps must be a positive integer, got 0/],
  ])('refuses %p', (options, message) => refused(serve(64, 64, options as never), message));

  it('says what to do when the port is taken', async () => {
    const first = await serve(64, 64, { port: 0 });
    opened.push(first);
    const port = Number(new URL(first.url).port);
    const second = serve(64, 64, { port });
    await expect(second).rejects.toBeInstanceOf(PortInUseError);
    await expect(second).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    await expect(second).rejects.toThrow(/pass \{ port: 0 \}/);
  });
});

describe('createHub() and addStream()', () => {
  it('refuses unknown hub options and stream options given to the hub', async () => {
    await refused(createHub({ port: 0, fps: 30 } as never), /createHub: unknown option 'fps'/);
    await refused(createHub({ port: 0, pingIntervalMs: 2.5 }), /pingIntervalMs must be a positive integer, got 2.5/);
  });

  it('checks each stream it adds', async () => {
    const hub = await createHub({ port: 0 });
    opened.push(hub);
    await refused(hub.addStream('a', 0, 10), /width must be an integer/);
    await refused(hub.addStream('a', 10, 10, { port: 1 } as never), /addStream: unknown option 'port'/);
    await refused(hub.addStream('a', 10, 10, { maxViewers: -1 }), /maxViewers must be a positive integer, got -1/);
    expect(hub.streams()).toEqual([]);
  });
});

describe('attach()', () => {
  it('refuses bad options before touching the server', () => {
    const server = createServer();
    expect(() => attach(server, { path: 5 } as never)).toThrow(ConfigError);
    expect(() => attach(server, { sidechannel: true } as never)).toThrow(/unknown option 'sidechannel' \(did you mean 'sideChannel'\?\)/);
    expect(server.listenerCount('upgrade')).toBe(0);
    let hub: Hub | undefined;
    expect(() => (hub = attach(server, { path: '/rfb', sideChannel: true }))).not.toThrow();
    opened.push(hub as Hub);
  });
});

describe('exported defaults and constants', () => {
  // A caller mutating HUB_DEFAULTS (say) would silently change every later hub in the process.
  it('are frozen, so no caller can change them for everyone else', async () => {
    const root = (await import('rfbcast')) as Record<string, unknown>;
    const constants = Object.entries(root).filter(([name, value]) => /^[A-Z][A-Z0-9_]+$/.test(name) && typeof value === 'object');
    expect(constants.map(([name]) => name)).toEqual(expect.arrayContaining(['HUB_DEFAULTS', 'STREAM_DEFAULTS', 'HTTP_LIMIT_DEFAULTS', 'ENCODER_DEFAULTS', 'IMAGE_DEFAULTS', 'PIXEL_FORMATS']));
    for (const [name, value] of constants) expect([name, Object.isFrozen(value)]).toEqual([name, true]);
    expect(Object.isFrozen(root.Rank)).toBe(true);
  });
});
