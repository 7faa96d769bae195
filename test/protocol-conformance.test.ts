/**
 * PROTOCOL.md §18: one test per conformance item, each named after what it
 * proves, against a real server and real `ws` clients. Behaviours that need
 * control (clocks, slow or counted encoders) use fake backends injected
 * through a child container; bitstream items use the real libx264 backend
 * (protocol-h264.test.ts), and client-side items the shared wire code.
 */
import { createHub, type Display, type EncodingMode, type Hub } from 'rfbcast';

import { ManualClock } from './helpers/manual-clock';
import { fakeContainer, type FakeServer, nextEvents, rgba, startFakeServer } from './helpers/server';
import { fakeControl } from './helpers/fake-encoders';
import { TestViewer, until } from './helpers/viewer';

const H264 = 'webcodecs/h264-annexb';

/** The suite runs with shared encode groups (§9.4); protocol-conformance-per-viewer.test.ts runs it again per viewer. */
const encoding: EncodingMode = (globalThis as { conformanceEncoding?: EncodingMode }).conformanceEncoding ?? 'shared';

let server: FakeServer | undefined;
const viewers: TestViewer[] = [];

async function start(width: number, height: number, options = {}, clock?: ManualClock): Promise<FakeServer> {
  server = await startFakeServer(width, height, { encoding, ...options }, clock);
  return server;
}

async function viewer(url: string, supported?: string[], extra?: Parameters<typeof TestViewer.connect>[2]): Promise<TestViewer> {
  const v = await TestViewer.connect(url, supported, extra);
  viewers.push(v);
  return v;
}

afterEach(async () => {
  for (const v of viewers.splice(0)) v.ws.terminate();
  await server?.display.close();
  server = undefined;
});

const get = (url: string) => fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }));

describe('§18 routing and HTTP', () => {
  it('1. GET /health returns 200 with body exactly "ok\\n"', async () => {
    const s = await start(64, 48);
    const r = await get(`${s.http}/health`);
    expect(r).toEqual({ status: 200, body: 'ok\n' });
  });

  it('2. GET /streams lists name, width, height, fps, clients in registration order; clients reaches 2', async () => {
    const s = await start(64, 48);
    await viewer(s.url);
    await viewer(s.url);
    await until(() => s.display.viewers().length === 2, undefined, 'two sessions');
    const r = await get(`${s.http}/streams`);
    const body = JSON.parse(r.body) as Array<Record<string, unknown>>;
    expect(body).toEqual([{ name: 'default', width: 64, height: 48, fps: 30, clients: 2 }]);
    expect(Object.keys(body[0])).toEqual(['name', 'width', 'height', 'fps', 'clients']);
  });

  describe('with a hub of several streams', () => {
    let hub: Hub;
    let cam: Display;
    let base: string;
    beforeEach(async () => {
      const container = fakeContainer(fakeControl(), fakeControl());
      hub = await createHub({ port: 0, container });
      await hub.addStream('default', 320, 240, { encoding });
      cam = await hub.addStream('cam', 160, 96, { encoding });
      await hub.addStream('health', 32, 32, { encoding });
      base = `127.0.0.1:${hub.port}`;
    });
    afterEach(async () => {
      for (const v of viewers.splice(0)) v.ws.terminate();
      await hub.close();
    });

    it('3. /streams/nope/metrics is 404 with []; /streams/cam/metrics has one entry for one viewer', async () => {
      expect(await get(`http://${base}/streams/nope/metrics`)).toEqual({ status: 404, body: '[]' });
      const v = await viewer(`ws://${base}/cam`);
      await v.waitFor((x) => x.texts.length > 0);
      const r = await get(`http://${base}/streams/cam/metrics`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toHaveLength(1);
    });

    it('4. ws://h:p, ws://h:p/ and /default reach default; /cam/x?y=1 reaches cam; each config has its own size', async () => {
      for (const path of ['', '/', '/default']) {
        const v = await viewer(`ws://${base}${path}`);
        await v.waitFor((x) => x.texts.length > 0);
        expect(v.texts[0]).toMatchObject({ type: 'config', width: 320, height: 240 });
      }
      const c = await viewer(`ws://${base}/cam/x?y=1`);
      await c.waitFor((x) => x.texts.length > 0);
      expect(c.texts[0]).toMatchObject({ type: 'config', width: 160, height: 96 });
      expect(cam.viewers()).toHaveLength(1);
    });

    it("5. an unknown stream path upgrades, then closes 4404 \"unknown stream 'nope'\" with no message first", async () => {
      const v = await TestViewer.open(`ws://${base}/nope`);
      viewers.push(v);
      expect(await v.closed).toEqual({ code: 4404, reason: "unknown stream 'nope'" });
      expect(v.messages).toHaveLength(0);
    });

    it('6. a stream named "health" accepts viewers while GET /health still returns ok', async () => {
      const v = await viewer(`ws://${base}/health`);
      await v.waitFor((x) => x.texts.length > 0);
      expect(v.texts[0]).toMatchObject({ type: 'config', width: 32, height: 32 });
      expect(await get(`http://${base}/health`)).toEqual({ status: 200, body: 'ok\n' });
    });
  });
});

describe('§18 handshake', () => {
  it('7. the first server message is config with keys type, transport, width, height, coords; extras only when set', async () => {
    const s = await start(64, 48);
    const v = await viewer(s.url);
    await v.waitFor((x) => x.texts.length > 0);
    expect(Object.keys(v.texts[0])).toEqual(['type', 'transport', 'width', 'height', 'coords']);
    expect(v.texts[0]).toEqual({ type: 'config', transport: 'image', width: 64, height: 48, coords: 'frame-pixels' });
    s.display.publish(rgba(64, 48), { pixelRatio: 2, color: { primaries: 'display-p3', transfer: 'srgb', matrix: 'bt709', full_range: true, bit_depth: 8 } });
    const w = await viewer(s.url);
    await w.waitFor((x) => x.texts.length > 0);
    expect(Object.keys(w.texts[0])).toEqual(['type', 'transport', 'width', 'height', 'coords', 'pixel_ratio', 'color']);
    expect(w.texts[0].color).toEqual({ primaries: 'display-p3', transfer: 'srgb', matrix: 'bt709', full_range: true, bit_depth: 8 });
  });

  it('8. [jpeg,png] negotiates JPEG, [png] PNG, and adding H.264 negotiates webcodecs with avc1.42E01F', async () => {
    const s = await start(64, 48);
    s.display.publish(rgba(64, 48));
    const jpeg = await viewer(s.url, ['image/jpeg', 'image/png']);
    const png = await viewer(s.url, ['image/png']);
    const h264 = await viewer(s.url, ['image/jpeg', 'image/png', H264]);
    for (const v of [jpeg, png, h264]) await v.waitForFrames(1);
    expect(jpeg.texts[0].transport).toBe('image');
    expect(jpeg.frames[0].header.mime).toBe('image/jpeg');
    expect(png.frames[0].header.mime).toBe('image/png');
    expect(h264.texts[0]).toMatchObject({ transport: 'webcodecs', codec: 'avc1.42E01F' });
    expect(h264.frames[0].header.type).toBe('video_chunk');
  });

  it('9. supported ["image/gif"] closes with 1003 "no supported transport"', async () => {
    const s = await start(64, 48);
    const v = await viewer(s.url, ['image/gif']);
    expect(await v.closed).toEqual({ code: 1003, reason: 'no supported transport' });
    expect(v.messages).toHaveLength(0);
  });

  it("10. a rejecting auth hook closes 4401 before config; an accepting hook's principal rides on events", async () => {
    const s = await start(64, 48, {
      authenticate: (ctx: { token?: string }) => (ctx.token === 'good' ? { user: 'ada' } : null),
    });
    s.display.publish(rgba(64, 48));
    const bad = await viewer(s.url, undefined, { token: 'bad' });
    expect(await bad.closed).toEqual({ code: 4401, reason: 'unauthorized' });
    expect(bad.messages).toHaveLength(0);
    const good = await viewer(s.url, undefined, { token: 'good' });
    await good.waitForFrames(1);
    good.send({ type: 'event', event: { type: 'key_down', key: 'a', code: 'KeyA', modifiers: [], timestamp: 1 } });
    await good.sync();
    const events = s.display.pollEvents();
    expect(events).toHaveLength(1);
    expect(events[0].principal).toEqual({ user: 'ada' });
    expect(events[0].viewer).toMatch(/^[0-9a-f]{32}$/);
  });

  it('11. a first message {"type":"ack","seq":0} closes 4400; silence closes 4408; a 1 MiB message closes 1009', async () => {
    const s = await start(64, 48, { helloTimeoutMs: 300 });
    const ack = await TestViewer.open(s.url);
    viewers.push(ack);
    ack.send({ type: 'ack', seq: 0 });
    expect(await ack.closed).toEqual({ code: 4400, reason: 'protocol error: expected hello' });
    const silent = await TestViewer.open(s.url);
    viewers.push(silent);
    expect(await silent.closed).toEqual({ code: 4408, reason: 'hello timeout' });
    const big = await TestViewer.open(s.url);
    viewers.push(big);
    big.send('x'.repeat(1024 * 1024));
    expect((await big.closed).code).toBe(1009);
  });

  it('12. a set_viewport sent before config arrives surfaces as a resize event with pwidth, pheight and ratio', async () => {
    const s = await start(64, 48);
    const v = await viewer(s.url, undefined, { viewport: { width: 640.5, height: 480 } });
    await v.waitFor((x) => x.texts.length > 0);
    // Sent before the session existed, the viewport is handed to it once admitted.
    const events = await nextEvents(s.display, 1);
    await v.sync();
    events.push(...s.display.pollEvents());
    expect(events.map((e) => e.event)).toEqual([{ type: 'resize', width: 640.5, height: 480, pwidth: 641, pheight: 480, ratio: 1 }]);
  });
});

describe('§18 sequencing', () => {
  it('15. a mid-stream joiner gets the latest frame at once as seq 0, keyframe; an early joiner waits for the first publish', async () => {
    const s = await start(64, 48);
    const early = await viewer(s.url);
    await early.waitFor((x) => x.texts.length > 0);
    await early.sync();
    // Nothing published, so nothing was encoded: no frame can be on its way.
    expect(s.image.calls).toHaveLength(0);
    expect(early.frames).toHaveLength(0);
    s.display.publish(rgba(64, 48, 10));
    await early.waitForFrames(1);
    const late = await viewer(s.url);
    await late.waitForFrames(1);
    expect(late.frames[0].header).toMatchObject({ seq: 0 });
    expect(s.image.calls.at(-1)).toMatchObject({ forceKeyframe: true });
    const h264 = await viewer(s.url, [H264]);
    await h264.waitForFrames(1);
    expect(h264.frames[0].header).toMatchObject({ seq: 0, keyframe: true });
  });

  it('16. three publishes before the first pull deliver exactly one frame, the newest, as seq 0', async () => {
    const s = await start(64, 48);
    let release!: () => void;
    s.image.gate = new Promise((r) => (release = r));
    const v = await viewer(s.url);
    await v.waitFor((x) => x.texts.length > 0);
    s.display.publish(rgba(64, 48, 1));
    await until(() => s.image.calls.length === 1, undefined, 'the first encode to start');
    // The session is now busy with the first frame; three more arrive before it pulls again.
    s.display.publish(rgba(64, 48, 2));
    s.display.publish(rgba(64, 48, 3));
    const lastTimestamp = s.display.publish(rgba(64, 48, 4));
    release();
    s.image.gate = undefined;
    await v.waitForFrames(2);
    // Two encodes in all: no third frame can follow.
    expect(s.image.calls).toHaveLength(2);
    expect(v.frames.map((f) => f.header.seq)).toEqual([0, 1]);
    expect(v.frames[1].header.timestamp_us).toBe(lastTimestamp);
  });

  it('17. two viewers both start at seq 0 and share timestamp_us for the same frame', async () => {
    const s = await start(64, 48);
    s.display.publish(rgba(64, 48));
    const a = await viewer(s.url);
    const b = await viewer(s.url, [H264]);
    await a.waitForFrames(1);
    await b.waitForFrames(1);
    expect(a.frames[0].header.seq).toBe(0);
    expect(b.frames[0].header.seq).toBe(0);
    expect(a.frames[0].header.timestamp_us).toBe(b.frames[0].header.timestamp_us);
  });
});

describe('§18 flow control', () => {
  async function videoViewer(clock?: ManualClock, options = {}) {
    const s = await start(64, 48, options, clock);
    const v = await viewer(s.url, [H264]);
    await v.waitFor((x) => x.texts.length > 0);
    return { s, v };
  }

  /** Publishes `n` frames, each once the session has sent or dropped the one before. */
  async function publishAndSettle(s: FakeServer, n: number) {
    const steps = () => {
      const m = s.display.metrics()[0];
      return m.frames_sent + m.frames_dropped;
    };
    for (let i = 0; i < n; i++) {
      const before = steps();
      s.display.publish(rgba(64, 48, i));
      await until(() => steps() > before, undefined, `publish ${i} to be sent or dropped`);
    }
  }

  it('18. with no acks, ten frames give 2 sends (seqs 0, 1) and 8 drops; the encoder is called twice; inflight is 2', async () => {
    const { s, v } = await videoViewer();
    await publishAndSettle(s, 10);
    await v.waitForFrames(2);
    expect(v.frames.map((f) => f.header.seq)).toEqual([0, 1]);
    expect(s.video.calls).toHaveLength(2);
    const m = s.display.metrics()[0];
    expect(m).toMatchObject({ frames_sent: 2, frames_dropped: 8, inflight: 2 });
  });

  it('19. after 0,1 sent and 2,3 dropped, acking 0 and 1 makes seq 4 the next sent frame, an IDR', async () => {
    const { s, v } = await videoViewer();
    await publishAndSettle(s, 4);
    await v.waitForFrames(2);
    expect(v.frames.map((f) => f.header.seq)).toEqual([0, 1]);
    v.ack(0);
    v.ack(1);
    await v.sync();
    await publishAndSettle(s, 1);
    await v.waitForFrames(3);
    expect(v.frames[2].header).toMatchObject({ seq: 4, keyframe: true });
    expect(s.video.calls.at(-1)).toMatchObject({ forceKeyframe: true });
  });

  it('20. request_keyframe turns the next encoded frame into an IDR even when nothing was dropped', async () => {
    const { s, v } = await videoViewer();
    await publishAndSettle(s, 1);
    await v.waitForFrames(1);
    v.ack(0);
    await publishAndSettle(s, 1);
    await v.waitForFrames(2);
    expect(v.frames[1].header.keyframe).toBe(false);
    v.ack(1);
    v.send({ type: 'request_keyframe', reason: 'decode error: test' });
    await v.sync();
    await publishAndSettle(s, 1);
    await v.waitForFrames(3);
    expect(v.frames[2].header).toMatchObject({ seq: 2, keyframe: true });
    expect(s.display.metrics()[0].frames_dropped).toBe(0);
  });

  it('21. decoder_reset empties the in-flight set, keeps frames_acked, increments decoder_resets, forces a keyframe', async () => {
    const { s, v } = await videoViewer();
    await publishAndSettle(s, 2);
    v.ack(0);
    await v.sync();
    expect(s.display.metrics()[0]).toMatchObject({ inflight: 1, frames_acked: 1 });
    v.send({ type: 'decoder_reset' });
    await v.sync();
    expect(s.display.metrics()[0]).toMatchObject({ inflight: 0, frames_acked: 1 });
    expect(s.display.viewers()[0].decoderResets).toBe(1);
    await publishAndSettle(s, 1);
    await v.waitForFrames(3);
    expect(v.frames[2].header.keyframe).toBe(true);
  });

  it('22. backstop: two unacked sends and one drop, then 2.5 s later the next step sends a keyframe; inflight_timeouts 1, inflight 1', async () => {
    const clock = new ManualClock();
    const { s, v } = await videoViewer(clock);
    await publishAndSettle(s, 3);
    expect(s.display.metrics()[0]).toMatchObject({ frames_sent: 2, frames_dropped: 1, inflight: 2 });
    clock.advance(2500);
    await publishAndSettle(s, 1);
    await v.waitForFrames(3);
    expect(v.frames[2].header).toMatchObject({ seq: 3, keyframe: true });
    expect(s.display.viewers()[0].inflightTimeouts).toBe(1);
    expect(s.display.metrics()[0].inflight).toBe(1);
  });

  it('23. an ack for a seq never sent, or without displayed, is accepted and adds no RTT sample', async () => {
    const clock = new ManualClock();
    const { s, v } = await videoViewer(clock);
    await publishAndSettle(s, 1);
    clock.advance(40);
    v.send({ type: 'ack', seq: 999, decode_queue_size: 0, displayed: true });
    await until(() => s.display.metrics()[0].frames_acked === 1);
    expect(s.display.metrics()[0]).toMatchObject({ frames_acked: 1, rtt_ms: 0, inflight: 1 });
    v.send({ type: 'ack', seq: 0 });
    await until(() => s.display.metrics()[0].frames_acked === 2);
    expect(s.display.metrics()[0]).toMatchObject({ frames_acked: 2, inflight: 0 });
  });
});

describe('§18 encoding (fake encoder)', () => {
  it('24. a new publish size rebuilds the encoder at that size and the next chunk is a keyframe with the new size; the initial size causes no rebuild', async () => {
    const s = await start(64, 48);
    const v = await viewer(s.url, [H264]);
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(1);
    v.ack(0);
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(2);
    v.ack(1);
    await until(() => s.display.metrics()[0].inflight === 0);
    expect(s.video.created).toHaveLength(1);
    s.display.publish({ data: rgba(96, 64), width: 96, height: 64, pixelFormat: 'rgba', memory: 'host' });
    await v.waitForFrames(3);
    expect(s.video.created.map((o) => [o.width, o.height])).toEqual([
      [64, 48],
      [96, 64],
    ]);
    expect(v.frames[2].header).toMatchObject({ width: 96, height: 64, keyframe: true });
    expect(s.display.width).toBe(96);
  });
});

describe('§18 live switching', () => {
  it('28. an image->H.264 switch sends config webcodecs before the first video_chunk, a keyframe; an image-only viewer keeps images', async () => {
    const s = await start(64, 48);
    const both = await viewer(s.url, ['image/jpeg', 'image/png', H264]);
    const imageOnly = await viewer(s.url, ['image/jpeg']);
    await s.display.switchBackend('image:jpeg');
    s.display.publish(rgba(64, 48));
    await both.waitForFrames(1);
    await imageOnly.waitForFrames(1);
    expect(both.frames[0].header.type).toBe('image_frame');
    both.ack(0);
    imageOnly.ack(0);
    await s.display.switchBackend('libx264');
    s.display.publish(rgba(64, 48));
    await both.waitForFrames(2);
    await imageOnly.waitForFrames(2);
    const after = both.messages.slice(both.messages.indexOf(both.frames[0]) + 1);
    expect(after[0]).toMatchObject({ kind: 'text', json: { type: 'config', transport: 'webcodecs', codec: 'avc1.42E01F' } });
    expect(after[1]).toMatchObject({ kind: 'binary', header: { type: 'video_chunk', keyframe: true } });
    expect(imageOnly.frames[1].header.type).toBe('image_frame');
  });

  it('29. a retune queued after a switch, both before the next frame, keeps the switch with one rebuild and one keyframe', async () => {
    const s = await start(64, 48);
    const v = await viewer(s.url, ['image/jpeg', H264]);
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(1);
    v.ack(0);
    await s.display.switchBackend('image:jpeg');
    s.display.setQuality({ bitrate: 2_000_000 });
    const createdBefore = s.video.created.length + s.image.created.length;
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(2);
    expect(v.frames[1].header).toMatchObject({ type: 'image_frame', mime: 'image/jpeg' });
    expect(s.video.created.length + s.image.created.length).toBe(createdBefore + 1);
    expect(v.texts.filter((t) => t.type === 'config')).toHaveLength(2);
    expect(v.texts.at(-1)).toEqual({ type: 'set_quality', bitrate: 2_000_000, fps: 30 });
    expect(s.display.metrics()[0].target_bitrate).toBe(2_000_000);
  });
});

describe('§18 sizing and events', () => {
  it('30. publisher mode records set_viewport as a resize event, in the queue and /recorded-events, without resizing', async () => {
    const s = await start(64, 48, { recordEvents: true });
    const v = await viewer(s.url);
    await v.waitFor((x) => x.texts.length > 0);
    v.send({ type: 'set_viewport', width: 300, height: 200, pwidth: 600, pheight: 400, ratio: 2 });
    await v.sync();
    const resize = { type: 'resize', width: 300, height: 200, pwidth: 600, pheight: 400, ratio: 2 };
    expect(s.display.pollEvents().map((e) => e.event)).toEqual([resize]);
    expect(JSON.parse((await get(`${s.http}/recorded-events`)).body)).toEqual([resize]);
    expect(s.display.width).toBe(64);
    expect(s.display.targetSize).toBeUndefined();
    expect(await get(`${s.http}/recorded-events/reset`)).toEqual({ status: 200, body: '[]' });
    expect(JSON.parse((await get(`${s.http}/recorded-events`)).body)).toEqual([]);
  });

  it('31. match_client: 1601x1201 with cap 1000 commits 1000x750 after 0.12 s and not before; the later viewport wins', async () => {
    const clock = new ManualClock();
    const s = await start(64, 48, { resizePolicy: 'match_client', maxRenderDimension: 1000 }, clock);
    const a = await viewer(s.url);
    const b = await viewer(s.url);
    await a.waitFor((x) => x.texts.length > 0);
    await b.waitFor((x) => x.texts.length > 0);
    a.send({ type: 'set_viewport', width: 1601, height: 1201 });
    await a.sync();
    clock.advance(119);
    expect(s.display.targetSize).toBeUndefined();
    expect(s.display.targetRatio).toBe(1);
    clock.advance(1);
    expect(s.display.targetSize).toEqual({ width: 1000, height: 750 });
    a.send({ type: 'set_viewport', width: 800, height: 600, pwidth: 1600, pheight: 1200, ratio: 2 });
    await a.sync();
    clock.advance(60);
    b.send({ type: 'set_viewport', width: 400, height: 300 });
    await b.sync();
    clock.advance(119);
    expect(s.display.targetSize).toEqual({ width: 1000, height: 750 });
    clock.advance(1);
    expect(s.display.targetSize).toEqual({ width: 400, height: 300 });
  });

  it('34. an event queue of size 3 that receives 5 events keeps the last 3', async () => {
    const s = await start(64, 48, { eventQueueSize: 3 });
    const v = await viewer(s.url);
    await v.waitFor((x) => x.texts.length > 0);
    for (let i = 0; i < 5; i++) v.send({ type: 'event', event: { type: 'key_down', key: String(i), code: `Digit${i}`, modifiers: [], timestamp: i } });
    await v.sync();
    expect(s.display.pollEvents().map((e) => (e.event as { key: string }).key)).toEqual(['2', '3', '4']);
  });
});

describe('§18 stills, stats and metrics', () => {
  it('35. a quiet scene gets exactly one still (fresh seq, keyframe, resting timestamp, PNG); continuous publishing gets none; a full window skips it', async () => {
    const clock = new ManualClock();
    const s = await start(64, 48, { stillAfterMs: 500 }, clock);
    const v = await viewer(s.url, ['image/jpeg', 'image/png']);
    await v.waitFor((x) => x.texts.length > 0);
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(1);
    v.ack(0);
    await v.sync();
    // Continuous publishing: each publish comes before the still deadline.
    for (let i = 0; i < 3; i++) {
      clock.advance(300);
      s.display.publish(rgba(64, 48, i));
      await v.waitForFrames(2 + i);
      v.ack(1 + i);
      await v.sync();
    }
    expect(v.frames.every((f) => f.header.mime === 'image/jpeg')).toBe(true);
    const resting = v.frames.at(-1)?.header.timestamp_us;
    clock.advance(500);
    await v.waitForFrames(5);
    const still = v.frames[4].header;
    expect(still).toMatchObject({ seq: 4, mime: 'image/png', timestamp_us: resting });
    expect(s.image.calls.at(-1)?.still).toBe(true);
    // The still disarmed its timer and nothing is published: no time that passes can bring another.
    expect(clock.pending).toBe(0);
    clock.advance(5000);
    await v.sync();
    expect(v.frames).toHaveLength(5);
    // A full in-flight window skips the still entirely.
    s.display.publish(rgba(64, 48, 9));
    await v.waitForFrames(6);
    const encodes = s.image.calls.length;
    clock.advance(600);
    // The still timer fired; the session decides at once (an encode would be recorded before any reply).
    await v.sync();
    expect(s.image.calls).toHaveLength(encodes);
    expect(v.frames).toHaveLength(6);
  });

  it('36. with statsIntervalMs, the first ack brings stats with 9 data fields, a second ack within the interval none; without, no text after config', async () => {
    const clock = new ManualClock();
    const s = await start(64, 48, { statsIntervalMs: 1000 }, clock);
    const v = await viewer(s.url);
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(1);
    v.ack(0);
    await v.waitFor((x) => x.texts.some((t) => t.type === 'stats'));
    const stats = v.texts.find((t) => t.type === 'stats') as Record<string, unknown>;
    expect(Object.keys(stats)).toEqual([
      'type', 'rtt_ms', 'fps_sent', 'fps_acked', 'bitrate_bps', 'encode_ms', 'decode_queue_size', 'dropped', 'target_bitrate', 'target_fps',
    ]);
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(2);
    clock.advance(500);
    v.ack(1);
    // Stats go out while the ack is handled, so they would arrive before the pong.
    await v.sync();
    expect(v.texts.filter((t) => t.type === 'stats')).toHaveLength(1);
    await s.display.close();
    const quiet = await start(64, 48, {});
    const q = await viewer(quiet.url);
    quiet.display.publish(rgba(64, 48));
    await q.waitForFrames(1);
    q.ack(0);
    await q.sync();
    expect(q.texts).toHaveLength(1);
  });

  it('37. a metrics snapshot has exactly the 15 keys; with a fake clock and a 50 ms ack delay rtt_ms is about 50', async () => {
    const clock = new ManualClock();
    const s = await start(64, 48, {}, clock);
    const v = await viewer(s.url);
    s.display.publish(rgba(64, 48));
    await v.waitForFrames(1);
    clock.advance(50);
    v.ack(0);
    await v.sync();
    const m = s.display.metrics()[0];
    expect(Object.keys(m)).toEqual([
      'elapsed_s', 'frames_sent', 'frames_dropped', 'frames_acked', 'keyframes_sent', 'bytes_sent', 'fps_sent', 'fps_acked',
      'bitrate_bps', 'encode_ms', 'rtt_ms', 'decode_queue_size', 'inflight', 'target_bitrate', 'target_fps',
    ]);
    expect(m.rtt_ms).toBeCloseTo(50, 0);
  });
});
