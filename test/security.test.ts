/**
 * Security defaults and limits (issue 9, PROTOCOL.md §16, §17): loopback by
 * default, a loud warning when exposed without authentication, token auth,
 * origin allow-list, viewer cap, keyframe rate limit, bounded input queue and
 * static files that cannot escape their folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { captureLogger } from './helpers/log-capture';
import { fakeServerScope, rgba, type FakeServer } from './helpers/server';
import { ManualClock } from './helpers/manual-clock';
import { TestViewer, until } from './helpers/viewer';
import { resolveStatic } from '../src/server/static-files';

const H264 = 'webcodecs/h264-annexb';

const scope = fakeServerScope();
let server: FakeServer | undefined;

const connect = (url: string, supported?: string[], extra = {}) => scope.connect(url, supported, { configured: false, ...extra });

describe('binding', () => {
  it('listens on loopback by default', async () => {
    server = await scope.start(64, 48);
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/default$/);
  });

  it('logs a prominent warning when bound beyond loopback without authentication', async () => {
    const { logger, records } = captureLogger('warn');
    server = await scope.start(64, 48, { host: '0.0.0.0', logger });
    expect(records.some((r) => r.level === 40 && /^SECURITY: /.test(r.msg))).toBe(true);
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:/);
  });

  it('does not warn when the exposed stream authenticates', async () => {
    const { logger, records } = captureLogger('warn');
    server = await scope.start(64, 48, { host: '0.0.0.0', logger, token: 's3cret' });
    expect(records.some((r) => /^SECURITY: /.test(r.msg))).toBe(false);
  });
});

describe('authentication', () => {
  it('token auth accepts exactly the token (compared in constant time) and rejects others with 4401', async () => {
    server = await scope.start(64, 48, { token: 's3cret' });
    for (const token of [undefined, '', 's3cre', 's3cret!', 'S3CRET']) {
      const v = await connect(server.url, undefined, token === undefined ? {} : { token });
      expect(await v.closed).toEqual({ code: 4401, reason: 'unauthorized' });
      expect(v.messages).toHaveLength(0);
    }
    const ok = await connect(server.url, undefined, { token: 's3cret' });
    await ok.waitFor((x) => x.texts.length > 0);
    expect(ok.texts[0].type).toBe('config');
  });

  it('a hook that throws or never answers rejects with 4401 (10 s deadline, configurable)', async () => {
    server = await scope.start(64, 48, {
      authTimeoutMs: 200,
      authenticate: (ctx) => {
        if (ctx.token === 'throw') throw new Error('db down');
        return new Promise(() => undefined);
      },
    });
    for (const token of ['throw', 'hang']) {
      const v = await connect(server.url, undefined, { token });
      expect(await v.closed).toEqual({ code: 4401, reason: 'unauthorized' });
    }
  });

  it('the hook sees token, headers, cookies, path, query, remote, hello and stream', async () => {
    let seen: Record<string, unknown> = {};
    server = await scope.start(64, 48, {
      authenticate: (ctx) => {
        seen = ctx as unknown as Record<string, unknown>;
        return 'me';
      },
    });
    const ws = await TestViewer.open(`${server.url}?room=7`, { cookie: 'session=abc%20d; theme=dark' });
    scope.track(ws);
    ws.send({ type: 'hello', supported: ['image/png'], token: 't', device_pixel_ratio: 2 });
    await ws.waitFor((x) => x.texts.length > 0);
    expect(seen).toMatchObject({
      token: 't',
      cookies: { session: 'abc d', theme: 'dark' },
      path: '/default',
      query: { room: '7' },
      stream: 'default',
      hello: { type: 'hello', device_pixel_ratio: 2 },
    });
    expect(String(seen.remote)).toMatch(/127\.0\.0\.1/);
  });
});

describe('handshake limits', () => {
  it('refuses a disallowed Origin with HTTP 403 before upgrading', async () => {
    server = await scope.start(64, 48, { origins: ['https://app.example'] });
    await expect(TestViewer.open(server.url, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    const ok = await TestViewer.open(server.url, { origin: 'https://app.example' });
    scope.track(ok);
  });

  it('refuses viewers beyond maxViewers with HTTP 503', async () => {
    server = await scope.start(64, 48, { maxViewers: 2 });
    const a = await connect(server.url);
    const b = await connect(server.url);
    await a.waitFor((x) => x.texts.length > 0);
    await b.waitFor((x) => x.texts.length > 0);
    await expect(TestViewer.open(server.url)).rejects.toThrow('HTTP 503');
    await a.close();
    await until(() => server?.display.viewers().length === 1);
    await connect(server.url);
  });

  it('caps inbound messages at 64 KiB by default (1009), binary ones included', async () => {
    server = await scope.start(64, 48);
    const v = await connect(server.url);
    await v.waitFor((x) => x.texts.length > 0);
    v.ws.send(new Uint8Array(64 * 1024 + 1));
    expect((await v.closed).code).toBe(1009);
  });
});

describe('rate limits and bounds', () => {
  it('request_keyframe forces at most one IDR per 250 ms per viewer; requests coalesce, never drop', async () => {
    const clock = new ManualClock();
    // fps 1000 puts the encoder's own GOP keyframe beyond this test: every IDR after the first is a forced one.
    // A viewer with its own encoder keeps receiving deltas between (in a shared group it would skip them, §9.4;
    // the group's limit is tested in shared-encoding.test.ts).
    server = await scope.start(64, 48, { fps: 1000, encoding: 'per-viewer' }, clock);
    const v = await connect(server.url, [H264]);
    await v.waitFor((x) => x.texts.length > 0);
    // Like a v1 client with its gate armed: one request per received frame, acking each.
    v.ws.on('message', (_d, isBinary) => {
      if (!isBinary) return;
      v.send({ type: 'request_keyframe', reason: 'awaiting keyframe' });
      v.ack(Number(v.frames.at(-1)?.header.seq));
    });
    // A frame every 50 ms of the server's clock for 2 s, each published once the last one's request is in.
    for (let i = 0; i <= 40; i++) {
      if (i > 0) clock.advance(50);
      server.display.publish(rgba(64, 48));
      await v.waitForFrames(i + 1);
      await v.sync();
    }
    const keyframesAtMs = v.frames.filter((f) => f.header.keyframe).map((f) => Number(f.header.timestamp_us) / 1000);
    // The first frame, then the first request at once, then one every 250 ms: each waiting request
    // was coalesced into the next allowed IDR, none dropped, none early.
    expect(keyframesAtMs).toEqual([0, 50, 300, 550, 800, 1050, 1300, 1550, 1800]);
    expect(v.frames).toHaveLength(41);
  });

  it('keeps at most 4096 events by default, dropping the oldest', async () => {
    server = await scope.start(64, 48);
    const v = await connect(server.url);
    await v.waitFor((x) => x.texts.length > 0);
    for (let i = 0; i < 5000; i++) v.send({ type: 'event', event: { type: 'key_down', key: String(i), code: 'KeyA', modifiers: [], timestamp: i } });
    await v.sync();
    const events = server.display.pollEvents();
    expect(events).toHaveLength(4096);
    expect((events[0].event as { key: string }).key).toBe(String(5000 - 4096));
  });
});

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'rfbcast-static-'));
  writeFileSync(join(root, 'index.html'), '<p>viewer</p>');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resolves files inside the folder only', () => {
    expect(resolveStatic(root, '/')).toBe(join(root, 'index.html'));
    for (const path of ['/../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/a/../../x', '/index.html%00.js', '/%E0%A4%A']) {
      expect(resolveStatic(root, path)).toBeUndefined();
    }
  });

  it('answers traversal attempts over HTTP with 404', async () => {
    server = await scope.start(64, 48, { staticDir: root });
    expect(await (await fetch(`${server.http}/index.html`)).text()).toBe('<p>viewer</p>');
    for (const path of ['/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/..%5c..%5cpackage.json']) {
      const r = await fetch(`${server.http}${path}`);
      expect(r.status).toBe(404);
    }
    expect((await fetch(`${server.http}/health`, { method: 'POST' })).status).toBe(405);
  });
});

describe('handshake bounds', () => {
  it('a client flooding messages while its authentication is pending is closed with 4400', async () => {
    server = await scope.start(64, 48, { authenticate: () => new Promise(() => undefined), authTimeoutMs: 20_000 });
    const v = await connect(server.url, undefined, { token: 't' });
    const chunk = JSON.stringify({ type: 'event', event: { type: 'x', pad: 'p'.repeat(60_000) } });
    for (let i = 0; i < 20 && v.ws.readyState === v.ws.OPEN; i++) v.ws.send(chunk);
    expect(await v.closed).toEqual({ code: 4400, reason: 'protocol error: too many messages before config' });
  });

  it('viewers still authenticating count against maxViewers', async () => {
    server = await scope.start(64, 48, { maxViewers: 1, authenticate: () => new Promise(() => undefined), authTimeoutMs: 20_000 });
    await connect(server.url, undefined, { token: 'slow' });
    await expect(TestViewer.open(server.url)).rejects.toThrow('HTTP 503');
  });
});

describe('stream removal', () => {
  it('a stream closed while a viewer authenticates closes that viewer with 1001, and admits no session', async () => {
    let release!: (v: unknown) => void;
    server = await scope.start(64, 48, { authenticate: () => new Promise((r) => (release = r)) });
    const v = await connect(server.url, undefined, { token: 't' });
    await until(() => release !== undefined);
    const closing = server.display.close();
    release({ user: 'late' });
    await closing;
    expect((await v.closed).code).toBe(1001);
    expect(server.display.viewers()).toEqual([]);
  });
});
