/**
 * Shared encode groups (PROTOCOL.md §9.4) with a real server, real `ws`
 * viewers and real libx264: one encoder for many viewers, each with its own
 * seq from 0; a stalled viewer resyncs at a keyframe without costing the
 * others a frame; keyframe demands are limited per group; a late joiner's
 * first payload is an IDR within the limit window; a switch leaves the group;
 * the last leave closes the encoder. Frames are published one at a time under
 * a manual clock, so nothing here depends on the machine's speed.
 */
import { createContainer, type Display, type EncodedUnit, type GroupMember, type KeyframeDemand, serve } from 'rfbcast';
import { ClockToken, loadNativeAddon } from 'rfbcast/testing';

import { decodeToRaw, probeH264Frames, psnr, rgbaToRgb } from './helpers/ffmpeg';
import { ManualClock } from './helpers/manual-clock';
import { testScope } from './helpers/server';
import { TestViewer, until } from './helpers/viewer';
import { movingPattern } from '../src/scenes/patterns';

const H264 = 'webcodecs/h264-annexb';
const W = 320;
const H = 180;
const FRAME_MS = 33;

const scope = testScope();
const addon = loadNativeAddon();

interface Stream {
  display: Display;
  clock: ManualClock;
  /** Advances the clock (by one frame interval unless told) and publishes the next pattern frame. */
  publish(advanceMs?: number): void;
}

async function start(options: { encoding?: 'shared' | 'per-viewer' } = {}): Promise<Stream> {
  const clock = new ManualClock();
  const container = createContainer();
  container.register(ClockToken, { useValue: clock });
  const display = scope.own(await serve(W, H, { port: 0, container, ...options }));
  let n = 0;
  return {
    display,
    clock,
    publish(advanceMs = FRAME_MS) {
      clock.advance(advanceMs);
      display.publish(movingPattern(W, H, n++));
    },
  };
}

async function viewers(s: Stream, n: number, supported = [H264]): Promise<TestViewer[]> {
  const out: TestViewer[] = [];
  for (let i = 0; i < n; i++) {
    const v = scope.track(await TestViewer.connect(s.display.url, supported));
    await v.waitFor((x) => x.texts.length > 0);
    out.push(v);
  }
  await until(() => s.display.viewers().length === n);
  return out;
}

/** Publishes one frame and waits until each of `waitOn` has received one more payload. */
async function frame(s: Stream, waitOn: TestViewer[]): Promise<void> {
  const counts = waitOn.map((v) => v.frames.length);
  s.publish();
  await Promise.all(waitOn.map((v, i) => v.waitForFrames(counts[i] + 1, 10_000)));
}

/** Frames the group took: encoded, or left unencoded because no member could use them. */
const steps = (s: Stream) => s.display.groupMetrics().reduce((n, g) => n + g.encodes + g.frames_skipped, 0);

/** Publishes one frame and waits until the group has taken it (whoever it reached). */
async function taken(s: Stream, advanceMs?: number): Promise<void> {
  const before = steps(s);
  s.publish(advanceMs);
  await until(() => steps(s) > before, 10_000, 'the group to take the frame');
}

const stream = (v: TestViewer) => Buffer.concat(v.frames.map((f) => f.payload));
const liveEncoders = () => addon.liveEncoders();

describe('shared encode groups with libx264', () => {
  it('N viewers on one configuration share exactly one encoder; each gets a valid stream with its own seq from 0', async () => {
    const before = liveEncoders();
    const s = await start();
    const vs = await viewers(s, 5);
    for (const v of vs) v.autoAck();
    for (let i = 0; i < 12; i++) await frame(s, vs);
    expect(liveEncoders()).toBe(before + 1);
    const groups = s.display.groupMetrics();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ members: 5, encodes: 12 });
    expect(new Set(s.display.viewers().map((v) => v.group)).size).toBe(1);
    for (const v of vs) {
      expect(v.frames.map((f) => f.header.seq)).toEqual([...Array(12).keys()]);
      expect(v.frames[0].header.keyframe).toBe(true);
      const decoded = decodeToRaw(stream(v), { format: 'h264' });
      expect(decoded.length).toBe(W * H * 3 * 12);
      // The last picture matches its source (the default 12 Mbit/s).
      const last = decoded.subarray(W * H * 3 * 11);
      expect(psnr(last, rgbaToRgb(movingPattern(W, H, 11)))).toBeGreaterThan(30);
      expect(probeH264Frames(stream(v))).toHaveLength(12);
    }
    // Every viewer got the very same access units: one encode, shared bytes.
    expect(stream(vs[4]).equals(stream(vs[0]))).toBe(true);
  });

  it('a viewer that stops acking skips to the next keyframe; the others get every frame', async () => {
    const s = await start();
    const [stalled, ...healthy] = await viewers(s, 3);
    for (const v of healthy) v.autoAck();
    for (let i = 0; i < 10; i++) await frame(s, healthy);
    // The stalled viewer has its two-frame window full and nothing more.
    expect(stalled.frames.map((f) => f.header.seq)).toEqual([0, 1]);
    for (const v of healthy) expect(v.frames.map((f) => f.header.seq)).toEqual([...Array(10).keys()]);
    expect(s.display.groupMetrics()[0].encodes).toBe(10);
    // It catches up: the next payload it gets is an IDR, with a seq gap for what it missed.
    stalled.ack(0);
    stalled.ack(1);
    stalled.autoAck();
    await until(() => s.display.metrics()[0].frames_acked === 2, 5000, 'the acks to reach the server');
    for (let i = 0; i < 3; i++) await frame(s, healthy);
    await stalled.waitForFrames(3, 10_000);
    const resumed = stalled.frames[2].header;
    expect(resumed.keyframe).toBe(true);
    expect(resumed.seq).toBeGreaterThan(2);
    for (const v of healthy) expect(v.frames.map((f) => f.header.seq)).toEqual([...Array(13).keys()]);
    // The resumed stream decodes from its IDR on.
    const tail = Buffer.concat(stalled.frames.slice(2).map((f) => f.payload));
    expect(probeH264Frames(tail).length).toBe(stalled.frames.length - 2);
  });

  it('20 viewers asking for a keyframe every 10 ms get at most 4 forced IDRs per second from their group', async () => {
    const s = await start();
    const vs = await viewers(s, 20);
    for (const v of vs) v.autoAck();
    await frame(s, vs);
    // One second of stream time: 30 frames, every viewer asking for a keyframe every 10 ms between them.
    for (let i = 0; i < 30; i++) {
      for (let t = 0; t < 3; t++) {
        for (const v of vs) v.send({ type: 'request_keyframe', reason: 'test' });
        s.clock.advance(10);
      }
      await taken(s, FRAME_MS - 30);
    }
    const g = s.display.groupMetrics()[0];
    expect(g.keyframes_forced).toBeGreaterThanOrEqual(3);
    expect(g.keyframes_forced).toBeLessThanOrEqual(4);
    expect(g.forced_by.request).toBe(g.keyframes_forced);
    // What viewers saw: the first IDR, the forced ones and at most one from the GOP.
    for (const v of vs) {
      expect(v.frames[0].header.keyframe).toBe(true);
      expect(v.frames.filter((f) => f.header.keyframe).length).toBeLessThanOrEqual(1 + 4 + 1);
    }
  });

  it("a late joiner's first payload is an IDR, seq 0, of a frame published within 300 ms of its join", async () => {
    const s = await start();
    const [early] = await viewers(s, 1);
    early.autoAck();
    for (let i = 0; i < 5; i++) await frame(s, [early]);
    // The early viewer has an IDR forced just before the join, so the joiner lands inside the group's 250 ms window.
    early.send({ type: 'request_keyframe', reason: 'test' });
    for (let i = 0; i < 8 && !s.display.groupMetrics()[0].forced_by.request; i++) await taken(s);
    expect(s.display.groupMetrics()[0].forced_by.request).toBe(1);
    await early.waitFor((v) => v.frames.some((f) => f.header.keyframe && Number(f.header.seq) > 0), 5000, 'the forced IDR');
    const joinedAtUs = Math.round((s.clock.now() - 1000) * 1000);
    const late = scope.track(await TestViewer.connect(s.display.url, [H264]));
    await late.waitFor((x) => x.texts.length > 0);
    await until(() => s.display.viewers().length === 2);
    late.autoAck();
    for (let i = 0; i < 30 && late.frames.length === 0; i++) {
      await taken(s);
    }
    await late.waitForFrames(1, 5000);
    const first = late.frames[0].header;
    expect(first).toMatchObject({ seq: 0, keyframe: true });
    expect(Number(first.timestamp_us) - joinedAtUs).toBeLessThanOrEqual(300_000);
    expect(s.display.groupMetrics()).toHaveLength(1);
  });

  it('switching one viewer to JPEG leaves the others in their group; the last leave closes each encoder', async () => {
    const before = liveEncoders();
    const s = await start();
    const vs = await viewers(s, 3, ['image/jpeg', H264]);
    for (const v of vs) v.autoAck();
    await frame(s, vs);
    const id = s.display.viewers()[0].id;
    await s.display.switchBackend('image:jpeg', { viewer: id });
    for (let i = 0; i < 3; i++) await frame(s, vs);
    const switched = vs.filter((v) => v.texts.some((t) => t.type === 'config' && t.transport === 'image'));
    expect(switched).toHaveLength(1);
    expect(switched[0].frames.at(-1)?.header.type).toBe('image_frame');
    const groups = s.display.groupMetrics();
    expect(groups.map((g) => [g.backend, g.members]).sort()).toEqual([
      ['image:jpeg', 1],
      ['libx264', 2],
    ]);
    expect(liveEncoders()).toBe(before + 2);
    const info = s.display.viewers();
    expect(info.filter((v) => v.backend === 'libx264')).toHaveLength(2);
    expect(info.find((v) => v.id === id)?.backend).toBe('image:jpeg');
    // The two H.264 viewers never noticed: consecutive seqs, one keyframe (the first).
    const h264 = vs.filter((v) => v.frames.every((f) => f.header.type === 'video_chunk'));
    expect(h264).toHaveLength(2);
    for (const v of h264) {
      expect(v.frames.map((f) => f.header.seq)).toEqual([0, 1, 2, 3]);
      expect(v.frames.filter((f) => f.header.keyframe)).toHaveLength(1);
    }
    for (const v of vs) await v.close();
    await until(() => s.display.groupMetrics().length === 0, 5000, 'groups closed');
    await until(() => liveEncoders() === before, 5000, 'encoders closed');
  });

  it('a sink attached to the H.264 rendition shares the viewers\' encoder and takes every unit it encodes', async () => {
    const before = liveEncoders();
    const s = await start();
    const [v] = await viewers(s, 1);
    v.autoAck();
    await frame(s, [v]);
    const units: EncodedUnit[] = [];
    let seq = 0;
    let demand: KeyframeDemand | undefined = 'join';
    const sink: GroupMember = {
      id: 'sink',
      get demand() {
        return demand;
      },
      joined: () => undefined,
      canTake: () => true,
      hasRoom: () => true,
      takeSeq: () => seq++,
      skip: () => (demand = 'skip'),
      deliver: (unit) => {
        units.push(unit);
        if (unit.keyframe) demand = undefined;
      },
      announce: () => undefined,
      end: () => undefined,
    };
    const detach = s.display.attachSink(sink, { transport: 'video' });
    for (let i = 0; i < 5; i++) await frame(s, [v]);
    expect(liveEncoders()).toBe(before + 1);
    expect(s.display.groupMetrics()).toMatchObject([{ members: 2 }]);
    // The sink asked for a keyframe when it joined, and got every unit from it on: the viewer's bytes exactly.
    expect(units[0].keyframe).toBe(true);
    expect(units.map((u) => u.timestampUs)).toEqual(v.frames.slice(-units.length).map((f) => f.header.timestamp_us));
    expect(Buffer.concat(units.map((u) => u.data)).equals(Buffer.concat(v.frames.slice(-units.length).map((f) => f.payload)))).toBe(true);
    detach();
    expect(s.display.groupMetrics()).toMatchObject([{ members: 1 }]);
  });

  it('per-viewer mode gives every viewer its own encoder', async () => {
    const before = liveEncoders();
    const s = await start({ encoding: 'per-viewer' });
    const vs = await viewers(s, 3);
    for (const v of vs) v.autoAck();
    for (let i = 0; i < 3; i++) await frame(s, vs);
    expect(liveEncoders()).toBe(before + 3);
    expect(s.display.groupMetrics().map((g) => g.members)).toEqual([1, 1, 1]);
    for (const v of vs) await v.close();
    await until(() => liveEncoders() === before, 5000, 'encoders closed');
  });
});
