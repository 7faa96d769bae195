/**
 * The hub's and the handshake's error paths (PROTOCOL.md §16, §17 H1-H5):
 * bad stream definitions fail with a ConfigError naming the problem, a port
 * that cannot be had fails listen(), dead peers are cut off by the ping,
 * closing and removing streams close what is still connecting, and a failure
 * inside one viewer's handshake closes that viewer with 1011 only.
 */
import { createServer, type Server } from 'node:net';

import {
  type BackendDescriptor,
  BackendToken,
  ConfigError,
  createContainer,
  createHub,
  createLogger,
  type Display,
  type Hub,
  LoggerToken,
  PortInUseError,
} from 'rfbcast';
import { WebSocket } from 'ws';

import { fakeBackend } from './helpers/fake-backends';
import { fakeControl, fakeEncoderBackend } from './helpers/fake-encoders';
import { captureLogger } from './helpers/log-capture';
import { fakeContainer, rgba, testScope } from './helpers/server';
import { TestViewer, until } from './helpers/viewer';
import { closeReason } from '../src/server/close-codes';
import { streamOf } from '../src/server/display';

const scope = testScope();

async function hub(options: Parameters<typeof createHub>[0] = {}): Promise<Hub> {
  return scope.own(await createHub({ port: 0, container: fakeContainer(fakeControl(), fakeControl()), ...options }));
}

const wsUrl = (h: Hub, path: string) => `ws://127.0.0.1:${h.port}${path}`;

describe('stream definitions', () => {
  it.each(['', '.', '..', 'a/b', 'spa ce', 'x'.repeat(65), 'caf\u00e9'])('refuses the stream name %j with a ConfigError', async (name) => {
    const h = await hub();
    await expect(h.addStream(name, 64, 48)).rejects.toThrow(ConfigError);
    await expect(h.addStream(name, 64, 48)).rejects.toThrow(`invalid stream name '${name}': 1-64 characters of [A-Za-z0-9._~-], not '.' or '..'`);
    expect(h.streams()).toEqual([]);
  });

  it('refuses a second stream of the same name and keeps the first', async () => {
    const h = await hub();
    const cam = await h.addStream('cam', 64, 48);
    await expect(h.addStream('cam', 32, 32)).rejects.toThrow("a stream named 'cam' already exists");
    expect(h.stream('cam')).toBe(cam);
    expect(cam.width).toBe(64);
  });

  it('refuses token and authenticate together', async () => {
    const h = await hub();
    await expect(h.addStream('s', 64, 48, { token: 't', authenticate: () => 'me' })).rejects.toThrow(
      new ConfigError('give either token or authenticate, not both'),
    );
    expect(h.stream('s')).toBeUndefined();
  });

  it('refuses a backend that is not a video backend, and one that is unavailable, naming the reason', async () => {
    const container = fakeContainer(fakeControl(), fakeControl());
    container.register(BackendToken, { useValue: fakeBackend('gpu-only', { probe: () => ({ available: false, state: 'absent', reason: 'no GPU here' }) }) });
    const h = await hub({ container });
    await expect(h.addStream('a', 64, 48, { backend: 'image' })).rejects.toThrow("backend 'image' is not a video backend (use imageMode for images)");
    await expect(h.addStream('b', 64, 48, { backend: 'gpu-only' })).rejects.toThrow("backend 'gpu-only' is unavailable: no GPU here");
    expect(h.streams()).toEqual([]);
  });
});

describe('listening', () => {
  let blocker: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())));

  it('rejects when the port is taken', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker?.listen(0, '127.0.0.1', () => resolve((blocker?.address() as { port: number }).port)));
    const taken = createHub({ port, container: fakeContainer(fakeControl(), fakeControl()) });
    await expect(taken).rejects.toBeInstanceOf(PortInUseError);
    await expect(taken).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
  });
});

describe('dead peers', () => {
  it('a peer that stops answering pings is cut off and its session ended', async () => {
    // Long enough that an answered ping's pong is in before the next round, even on a loaded machine.
    const h = await hub({ pingIntervalMs: 1000 });
    const d = await h.addStream('default', 64, 48);
    // A client that answers pings until its session exists, then falls silent like a peer whose network went away.
    const dead = new WebSocket(wsUrl(h, '/'), { autoPong: false });
    let answering = true;
    let unanswered = 0;
    dead.on('ping', (data: Buffer) => (answering ? dead.pong(data) : unanswered++));
    const closed = new Promise<number>((resolve) => dead.once('close', resolve));
    await new Promise((resolve) => dead.once('open', resolve));
    dead.send(JSON.stringify({ type: 'hello', supported: ['image/jpeg'] }));
    await until(() => d.viewers().length === 1, undefined, 'the session');
    answering = false;
    // Terminated, not closed: 1006 is the code of a connection cut without a close frame.
    expect(await closed).toBe(1006);
    expect(unanswered).toBeGreaterThanOrEqual(1);
    await until(() => d.viewers().length === 0, undefined, 'the session to end');
  });
});

describe('closing and removing', () => {
  it('close() sends 1001 to sockets still in their handshake and resolves', async () => {
    const h = await hub();
    const d = await h.addStream('default', 64, 48, { authenticate: () => new Promise(() => undefined) });
    // One socket before its hello, one waiting for its authentication.
    const silent = scope.track(await TestViewer.open(wsUrl(h, '/')));
    const authenticating = scope.track(await TestViewer.connect(wsUrl(h, '/'), ['image/jpeg'], { token: 't' }));
    await until(() => streamOf(d).occupancy === 2, undefined, 'both sockets in their handshake');
    await h.close();
    expect(await silent.closed).toEqual({ code: 1001, reason: 'going away' });
    expect(await authenticating.closed).toEqual({ code: 1001, reason: 'going away' });
    expect(silent.messages).toEqual([]);
  });

  it('removeStream closes its viewers with 1001 and unlists it; its name is free again; an unknown name is a no-op', async () => {
    const h = await hub();
    const cam = await h.addStream('cam', 64, 48);
    const other = await h.addStream('other', 64, 48);
    const v = await scope.connect(wsUrl(h, '/cam'), undefined, { configured: true });
    const w = await scope.connect(wsUrl(h, '/other'), undefined, { configured: true });
    await h.removeStream('cam');
    expect(await v.closed).toEqual({ code: 1001, reason: 'going away' });
    expect(cam.isClosed).toBe(true);
    expect(h.streams()).toEqual([other]);
    const streams = (await (await fetch(`http://127.0.0.1:${h.port}/streams`)).json()) as Array<{ name: string }>;
    expect(streams.map((s) => s.name)).toEqual(['other']);
    const late = scope.track(await TestViewer.open(wsUrl(h, '/cam')));
    expect(await late.closed).toEqual({ code: 4404, reason: "unknown stream 'cam'" });
    await expect(h.removeStream('nope')).resolves.toBeUndefined();
    // The other stream's viewer is untouched; the name can be used again.
    other.publish(rgba(64, 48));
    await w.waitForFrames(1);
    await expect(h.addStream('cam', 32, 32)).resolves.toMatchObject({ width: 32 });
  });
});

describe('handshake failures', () => {
  it('a client that leaves while it authenticates gets no session, and frees its place', async () => {
    const answers: Array<(principal: unknown) => void> = [];
    const h = await hub();
    const d = await h.addStream('default', 64, 48, { maxViewers: 1, authenticate: () => new Promise((r) => answers.push(r)) });
    const v = await TestViewer.connect(wsUrl(h, '/'), ['image/jpeg'], { token: 't' });
    await until(() => answers.length === 1, undefined, 'the hook to be called');
    v.ws.terminate();
    await until(() => streamOf(d).occupancy === 0, undefined, 'the handshake slot to be released');
    answers[0]({ user: 'late' });
    // The place is free for the next viewer, and the late answer admitted no one.
    const next = await scope.connect(wsUrl(h, '/'), ['image/jpeg'], { configured: false });
    await until(() => answers.length === 2, undefined, 'the next viewer authenticating');
    expect(d.viewers()).toEqual([]);
    answers[1]({ user: 'next' });
    await next.waitFor((x) => x.texts.length > 0);
    expect(d.viewers().map((x) => x.principal)).toEqual([{ user: 'next' }]);
  });

  it('admission that throws closes that viewer with 1011 and logs it; the next viewer is admitted', async () => {
    const { logger, records } = captureLogger('error');
    const h = await hub();
    const d: Display = await h.addStream('default', 64, 48, { logger });
    const admit = jest.spyOn(streamOf(d), 'admit').mockRejectedValueOnce(new Error('admission broke'));
    const v = scope.track(await TestViewer.connect(wsUrl(h, '/'), ['image/jpeg']));
    expect(await v.closed).toEqual({ code: 1011, reason: 'internal error' });
    expect(records).toEqual([expect.objectContaining({ msg: 'handshake failed', err: expect.objectContaining({ message: 'admission broke' }) })]);
    admit.mockRestore();
    const next = await scope.connect(wsUrl(h, '/'), ['image/jpeg'], { configured: true });
    expect(next.texts[0]).toMatchObject({ type: 'config' });
  });

  it('an encoder that cannot be created closes that viewer with 1011', async () => {
    const container = createContainer();
    container.register(LoggerToken, { useValue: createLogger({ level: 'silent' }) });
    container.register(BackendToken, { useValue: fakeEncoderBackend('libx264', 'video', fakeControl()) });
    const broken: BackendDescriptor = {
      ...fakeEncoderBackend('image', 'image', fakeControl()),
      create() {
        throw new Error('no encoder for you');
      },
    };
    container.register(BackendToken, { useValue: broken });
    const h = await hub({ container });
    const d = await h.addStream('default', 64, 48);
    const v = scope.track(await TestViewer.connect(wsUrl(h, '/'), ['image/jpeg']));
    // The encoder is built for the group's first frame: the viewer has its config, then the close.
    await v.waitFor((x) => x.texts.length > 0);
    d.publish(rgba(64, 48));
    expect(await v.closed).toEqual({ code: 1011, reason: 'internal error' });
    expect(v.messages.map((m) => (m.kind === 'text' ? m.json.type : 'binary'))).toEqual(['config']);
    expect(d.viewers()).toEqual([]);
    expect(streamOf(d).occupancy).toBe(0);
  });

  it('a message handler that throws closes that viewer with 1011 and leaves the others', async () => {
    const { logger, records } = captureLogger('error');
    const h = await hub();
    const d = await h.addStream('default', 64, 48, { logger });
    const broken = await scope.connect(wsUrl(h, '/'), ['image/jpeg'], { configured: true });
    const fine = await scope.connect(wsUrl(h, '/'), ['image/jpeg'], { configured: true });
    const push = jest.spyOn(streamOf(d), 'pushEvent').mockImplementationOnce(() => {
      throw new Error('queue broke');
    });
    broken.send({ type: 'event', event: { type: 'key_down', key: 'a', code: 'KeyA', modifiers: [], timestamp: 1 } });
    expect(await broken.closed).toEqual({ code: 1011, reason: 'internal error' });
    expect(records).toEqual([expect.objectContaining({ msg: 'message handling failed', err: expect.objectContaining({ message: 'queue broke' }) })]);
    push.mockRestore();
    fine.send({ type: 'event', event: { type: 'key_down', key: 'b', code: 'KeyB', modifiers: [], timestamp: 2 } });
    await fine.sync();
    expect(d.pollEvents().map((e) => (e.event as { key: string }).key)).toEqual(['b']);
  });
});

describe('close reasons', () => {
  it('are cut to 123 UTF-8 bytes on a character boundary', () => {
    expect(closeReason('short')).toBe('short');
    expect(closeReason('a'.repeat(123))).toBe('a'.repeat(123));
    expect(closeReason('a'.repeat(200))).toBe('a'.repeat(123));
    // 'é' is two bytes: 61 of them fill 122 bytes, and a 62nd would not fit.
    expect(closeReason(`${'é'.repeat(100)}`)).toBe('é'.repeat(61));
    expect(closeReason(`a${'é'.repeat(100)}`)).toBe(`a${'é'.repeat(61)}`);
  });

  it('a 4404 for a long stream name carries the reason cut to 123 bytes', async () => {
    const h = await hub();
    const name = '\u00e9'.repeat(80);
    const v = scope.track(await TestViewer.open(wsUrl(h, `/${encodeURIComponent(name)}`)));
    const { code, reason } = await v.closed;
    expect(code).toBe(4404);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(`unknown stream '${name}'`.startsWith(reason)).toBe(true);
    expect(reason).toBe(`unknown stream '${'\u00e9'.repeat(53)}`);
  });
});
