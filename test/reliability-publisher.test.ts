/**
 * Publisher abuse and encoder faults (issue 9): bad frames get clear errors,
 * a flood of publishes is latest-wins with no growth, and a failing encoder
 * moves only its own viewer to images.
 */
import { createFrame, DisplayClosedError, FrameError, type HostFrame } from 'rfbcast';

import { FramePool } from '../src/server/published-frame';

import { captureLogger } from './helpers/log-capture';
import { fakeServerScope, rgba, type FakeServer } from './helpers/server';
import { until } from './helpers/viewer';

const H264 = 'webcodecs/h264-annexb';

const scope = fakeServerScope();
let server: FakeServer | undefined;

const connect = (url: string, supported?: string[], extra = {}) => scope.connect(url, supported, { configured: true, ...extra });

describe('publisher abuse', () => {
  it('wrong sizes and formats throw FrameError and leave the stream as it was', async () => {
    server = await scope.start(64, 48);
    const d = server.display;
    expect(() => d.publish(new Uint8Array(10))).toThrow(FrameError);
    expect(() => d.publish(new Uint8Array(64 * 48 * 3))).toThrow(/rgba 64x48 with stride 256 needs 12288 bytes, got 9216/);
    expect(() => d.publish({ data: new Uint8Array(15), width: 3, height: 5, pixelFormat: 'nv12', memory: 'host' })).toThrow(
      /nv12 needs an even width and height/,
    );
    expect(() => d.publish({ data: rgba(2, 2), width: 2, height: 2, pixelFormat: 'yuyv' as never, memory: 'host' })).toThrow(/unknown pixel format/);
    expect(() => d.publish('frame' as never)).toThrow(FrameError);
    expect([d.width, d.height]).toEqual([64, 48]);
    // None of them became the latest frame: a viewer's first frame is the next good publish.
    const v = await connect(server.url, ['image/jpeg']);
    await v.waitFor((x) => x.texts.length > 0);
    const good = d.publish(rgba(64, 48));
    await v.waitForFrames(1);
    expect(v.frames[0].header).toMatchObject({ seq: 0, timestamp_us: good });
  });

  it('publish after close throws DisplayClosedError', async () => {
    server = await scope.start(64, 48);
    await server.display.close();
    expect(() => server?.display.publish(rgba(64, 48))).toThrow(DisplayClosedError);
    expect(() => server?.display.publish(rgba(64, 48))).toThrow("display 'default' is closed");
  });

  it('a flood of publishes is latest-wins: the viewer gets the newest, and the owned copies reuse a few buffers', async () => {
    server = await scope.start(64, 48, { ownFrames: true });
    const s = server;
    const v = await connect(s.url, [H264]);
    v.autoAck();
    let release!: () => void;
    s.video.gate = new Promise((r) => (release = r));
    const frames = [rgba(64, 48, 1), rgba(64, 48, 2)];
    s.display.publish(frames[0]);
    await until(() => s.video.calls.length === 1, undefined, 'the first encode to start');
    // 5000 publishes while the encoder is busy with the first.
    let last = 0;
    for (let n = 1; n <= 5000; n++) last = s.display.publish(frames[n & 1]);
    s.video.gate = undefined;
    release();
    await v.waitForFrames(2);
    // The encoder was called twice: the first frame and the newest, nothing in between.
    expect(s.video.calls).toHaveLength(2);
    expect(v.frames[1].header.timestamp_us).toBe(last);
  });

  it('owned copies come from a pool: a flood of publishes reuses a few buffers', () => {
    const pool = new FramePool();
    const frame = createFrame({ data: rgba(64, 48, 1), width: 64, height: 48 }) as HostFrame;
    const buffers = new Set<ArrayBufferLike>();
    let held = pool.own(frame, 0, 0);
    for (let n = 1; n <= 5000; n++) {
      const next = pool.own(frame, n, n);
      // What a stream does: the newest replaces the previous one, which is released.
      held.release();
      held = next;
      buffers.add((held.frame.data as Uint8Array).buffer);
    }
    expect(buffers.size).toBeLessThanOrEqual(2);
  });

  it('ownFrames copies the published buffer, so the publisher may reuse it at once', async () => {
    server = await scope.start(64, 48, { ownFrames: true });
    let release!: () => void;
    server.image.gate = new Promise((r) => (release = r));
    const v = await connect(server.url, ['image/jpeg']);
    await v.waitFor((x) => x.texts.length > 0);
    const buffer = rgba(64, 48, 7);
    server.display.publish(buffer);
    buffer.fill(200);
    release();
    await v.waitForFrames(1);
    // The encoder read the bytes as published, not what the publisher wrote into its buffer afterwards.
    expect(server.image.calls.map((c) => c.firstByte)).toEqual([7]);
  });
});

describe('encoder faults', () => {
  it('a failing video encoder moves only its viewer to images, with a logged reason; the stream goes on', async () => {
    const { logger, records } = captureLogger('warn');
    server = await scope.start(64, 48, { logger });
    const failing = await connect(server.url, ['image/jpeg', H264]);
    const steady = await connect(server.url, ['image/png']);
    server.display.publish(rgba(64, 48));
    await failing.waitForFrames(1);
    await steady.waitForFrames(1);
    failing.ack(0);
    steady.ack(0);
    await until(() => server!.display.metrics().every((m) => m.inflight === 0));
    server.video.failing = true;
    server.display.publish(rgba(64, 48));
    await failing.waitForFrames(2);
    await steady.waitForFrames(2);
    expect(failing.texts.at(-1)).toMatchObject({ type: 'config', transport: 'image' });
    // The frame whose encode failed used seq 1; the image group takes it again as seq 2 (a gap, §6.4).
    expect(failing.frames[1].header).toMatchObject({ type: 'image_frame', mime: 'image/jpeg', seq: 2 });
    expect(steady.frames[1].header).toMatchObject({ type: 'image_frame', seq: 1 });
    expect(records.find((r) => r.msg === 'encoder failed; falling back to images')).toMatchObject({ from: 'libx264', to: 'image:jpeg' });
    expect(server.display.viewers().map((v) => v.backend)).toEqual(['image:jpeg', 'image:png']);
  });

  it('a failing encoder for a viewer without images closes that viewer with 1011 only', async () => {
    server = await scope.start(64, 48, { logger: captureLogger('fatal').logger });
    const videoOnly = await connect(server.url, [H264]);
    const other = await connect(server.url, ['image/jpeg']);
    server.video.failing = true;
    server.display.publish(rgba(64, 48));
    expect(await videoOnly.closed).toEqual({ code: 1011, reason: 'internal error' });
    await other.waitForFrames(1);
    server.display.publish(rgba(64, 48));
    other.ack(0);
    await other.waitForFrames(2);
  });
});
