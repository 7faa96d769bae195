/**
 * Slow, stalled and dying viewers (issue 9, PROTOCOL.md §9.1, §17 H11): none
 * of them may grow server memory without bound, leak an encoder or a
 * listener, or slow the other viewers down.
 */
import type { Socket } from 'node:net';

import { captureLogger } from './helpers/log-capture';
import { fakeServerScope, rgba, type FakeServer } from './helpers/server';
import { settle, TestViewer, until } from './helpers/viewer';

const H264 = 'webcodecs/h264-annexb';

const scope = fakeServerScope();
let server: FakeServer | undefined;

const connect = (url: string, supported?: string[], extra = {}) => scope.connect(url, supported, { configured: true, ...extra });

function publishEvery(s: FakeServer, ms: number): { stop(): number } {
  let n = 0;
  const t = setInterval(() => s.display.publish(rgba(64, 48, n++ & 255)), ms);
  return {
    stop() {
      clearInterval(t);
      return n;
    },
  };
}

describe('a viewer that stops reading', () => {
  it('cannot grow server memory past its budget, is closed with 4413, and the other viewer keeps pace', async () => {
    const budget = 1024 * 1024;
    const payload = 256 * 1024;
    const { logger, records } = captureLogger('warn');
    server = await scope.start(64, 48, { logger, slowViewerBudgetBytes: budget, slowViewerTimeoutMs: 1500, inflightTimeoutMs: 100 });
    server.video.payloadBytes = payload;
    const healthy = await connect(server.url, [H264]);
    healthy.autoAck();
    const slow = await connect(server.url, [H264]);
    // Stop reading: the kernel buffers fill, then the server's socket queue grows.
    ((slow.ws as unknown as { _socket: Socket })._socket).pause();
    const slowId = server.display.viewers()[1].id;
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      const v = server?.display.viewers().find((x) => x.id === slowId);
      if (v) maxBuffered = Math.max(maxBuffered, v.bufferedBytes);
    }, 10);
    const pub = publishEvery(server, 20);
    await until(() => !server?.display.viewers().some((x) => x.id === slowId), 20_000, 'the slow viewer to be closed');
    await settle(300);
    const published = pub.stop();
    clearInterval(sampler);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(budget + payload);
    // The healthy viewer saw most frames despite the stalled one.
    expect(healthy.frames.length).toBeGreaterThan(published * 0.7);
    expect(server.display.viewers()).toHaveLength(1);
    expect(records.find((r) => r.msg === 'viewer too slow')).toMatchObject({ viewer: slowId, code: 4413 });
    expect(server.display.metrics()[0].frames_dropped).toBeLessThan(published * 0.3);
  }, 30_000);
});

describe('a viewer that never acks', () => {
  it('gets one keyframe per backstop period while the other keeps pace with publishes', async () => {
    server = await scope.start(64, 48, { inflightTimeoutMs: 400 });
    const healthy = await connect(server.url, [H264]);
    healthy.autoAck();
    const stalled = await connect(server.url, [H264]);
    const pub = publishEvery(server, 20);
    await settle(2600);
    const published = pub.stop();
    await settle(100);
    expect(healthy.frames.length).toBeGreaterThan(published * 0.8);
    const stalledKeyframes = stalled.frames.filter((f) => f.header.keyframe).length;
    // ~2.6 s / 0.4 s backstops, plus the first frame; each backstop sends an IDR.
    expect(stalledKeyframes).toBeGreaterThanOrEqual(5);
    expect(stalledKeyframes).toBeLessThanOrEqual(8);
    const info = server.display.viewers().find((v) => v.id !== server?.display.viewers()[0].id);
    expect(info?.inflightTimeouts).toBeGreaterThanOrEqual(4);
    const m = server.display.metrics();
    expect(Math.max(...m.map((x) => x.inflight))).toBeLessThanOrEqual(2);
  }, 15_000);
});

describe('viewers that leave', () => {
  it('a viewer disconnecting mid-encode has its encoder closed once the encode finishes', async () => {
    server = await scope.start(64, 48);
    let release!: () => void;
    server.video.gate = new Promise((r) => (release = r));
    const v = await connect(server.url, [H264]);
    server.display.publish(rgba(64, 48));
    await until(() => server?.video.calls.length === 1, 5000, 'the encode to start');
    v.ws.terminate();
    await until(() => server?.display.viewers().length === 0, 5000, 'the session to end');
    release();
    await until(() => server?.video.closed === 1, 5000, 'the encoder to close');
    expect(server.video.created).toHaveLength(1);
  });

  it('200 connect/disconnect cycles leave no session, encoder or listener behind', async () => {
    server = await scope.start(64, 48);
    server.display.publish(rgba(64, 48));
    const listenersBefore = server.display.eventNames().map((n) => server?.display.listenerCount(n));
    for (let i = 0; i < 200; i++) {
      const v = await TestViewer.connect(server.url, i % 2 ? [H264] : ['image/jpeg']);
      if (i % 3 === 0) await v.waitForFrames(1);
      if (i % 2) await v.close();
      else v.ws.terminate();
    }
    await until(() => server?.display.viewers().length === 0, 5000, 'all sessions to end');
    await until(() => server!.video.closed + server!.image.closed === server!.video.created.length + server!.image.created.length, 5000, 'all encoders to close');
    // Encoders are built at a group's first frame: viewers that left before it cost none.
    const created = server.video.created.length + server.image.created.length;
    expect(created).toBeGreaterThanOrEqual(67);
    expect(created).toBeLessThanOrEqual(200);
    expect(server.display.groupMetrics()).toHaveLength(0);
    expect(server.display.eventNames().map((n) => server?.display.listenerCount(n))).toEqual(listenersBefore);
  }, 60_000);
});
