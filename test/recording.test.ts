/**
 * Recording a stream to fragmented MP4 (display.record) with a real server,
 * real libx264 and ffprobe/ffmpeg reading the files back. The recorder is one
 * more member of the H.264 encode group: it adds no encoder while viewers
 * watch, takes every unit the group encodes from its first keyframe on, and
 * stamps samples with publish times. Frames are published one at a time under
 * a manual clock and each is awaited where it lands, so nothing here depends
 * on the machine's speed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import {
  type ColorDescriptor,
  createContainer,
  type Display,
  DISPLAY_P3,
  DisplayClosedError,
  type Recording,
  RecordingError,
  serve,
} from 'rfbcast';
import { ClockToken, loadNativeAddon } from 'rfbcast/testing';

import { decodeFileToRgb, decodeToRaw, probeMp4, psnr, rgbaToRgb } from './helpers/ffmpeg';
import { ManualClock } from './helpers/manual-clock';
import { testScope } from './helpers/server';
import { TestViewer, until } from './helpers/viewer';
import { movingPattern } from '../src/scenes/patterns';

const H264 = 'webcodecs/h264-annexb';
const W = 320;
const H = 180;
/** Publish intervals: the recording's frame rate is variable, with the durations as published. */
const INTERVALS_MS = [33, 47, 21, 100, 66];
/** Past the group's limit of one demanded keyframe per 250 ms, so a joining recorder gets its keyframe at once. */
const PAST_KEYFRAME_LIMIT_MS = 300;

const scope = testScope();
const addon = loadNativeAddon();
const liveEncoders = () => addon.liveEncoders();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rfbcast-recording-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A frame's size and colour, when not the stream's W×H without a colour descriptor. */
interface Look {
  size?: [number, number];
  color?: ColorDescriptor;
}

interface Stream {
  display: Display;
  clock: ManualClock;
  /** The RGBA of every frame published, in order. */
  sources: Uint8Array[];
  /**
   * Advances the clock and publishes the next pattern frame (at `size`,
   * default W×H). Even pattern indices keep its sharp-edged box on the 4:2:0
   * chroma grid, so PSNR measures encoding and recording, not the chroma
   * subsampling of a box at odd pixels (which alone costs 3 to 10 dB).
   */
  publish(advanceMs: number, look?: Look): void;
}

async function start(options: { encoding?: 'shared' | 'per-viewer' } = {}): Promise<Stream> {
  const clock = new ManualClock();
  const container = createContainer();
  container.register(ClockToken, { useValue: clock });
  const display = scope.own(await serve(W, H, { port: 0, container, fps: 10, ...options }));
  const sources: Uint8Array[] = [];
  return {
    display,
    clock,
    sources,
    publish(advanceMs, { size: [width, height] = [W, H], color } = {}) {
      clock.advance(advanceMs);
      const data = movingPattern(width, height, 2 * sources.length);
      sources.push(data);
      display.publish({ data, width, height, pixelFormat: 'rgba', memory: 'host', ...(color ? { color } : {}) });
    },
  };
}

async function watch(s: Stream): Promise<TestViewer> {
  const v = scope.track(await TestViewer.connect(s.display.url, [H264]));
  await v.waitFor((x) => x.texts.length > 0);
  return v.autoAck();
}

/** Publishes one frame and waits until the recording has written it (and the viewers have it). */
async function recorded(s: Stream, rec: Recording, advanceMs: number, viewers: TestViewer[] = [], look?: Look): Promise<void> {
  const frames = rec.metrics().frames;
  const counts = viewers.map((v) => v.frames.length);
  s.publish(advanceMs, look);
  await until(() => rec.metrics().frames === frames + 1, 10_000, 'the recording to write the frame');
  await Promise.all(viewers.map((v, i) => v.waitForFrames(counts[i] + 1, 10_000)));
}

const encodes = (s: Stream) => s.display.groupMetrics().reduce((n, g) => n + g.encodes, 0);
const file = (name: string) => join(dir, name);

/** Each decoded frame against the source frame it was encoded from, in dB. */
function psnrs(path: string, sources: Uint8Array[], width = W, height = H): number[] {
  const { frames, stderr } = decodeFileToRgb(path, width, height);
  expect(stderr).toBe('');
  expect(frames).toHaveLength(sources.length);
  return frames.map((f, i) => psnr(f, rgbaToRgb(sources[i])));
}

describe('recording a stream to MP4', () => {
  it('records what viewers watch with no extra encode: every frame the group encodes, at publish times, at ≥ 38 dB', async () => {
    const before = liveEncoders();
    const s = await start();
    const v = await watch(s);
    for (let i = 0; i < 2; i++) {
      s.publish(INTERVALS_MS[i]);
      await v.waitForFrames(i + 1, 10_000);
    }
    expect(liveEncoders()).toBe(before + 1);

    s.clock.advance(PAST_KEYFRAME_LIMIT_MS);
    const encodesBefore = encodes(s);
    const path = file('watched.mp4');
    const rec = s.display.record(path);
    // The recorder joins with the current frame, re-encoded as a keyframe for it (the viewer gets it too).
    await until(() => rec.metrics().frames === 1, 10_000, 'the first keyframe');
    for (let i = 0; i < 24; i++) await recorded(s, rec, INTERVALS_MS[i % INTERVALS_MS.length], [v]);
    expect(liveEncoders()).toBe(before + 1);
    expect(s.display.groupMetrics()).toMatchObject([{ members: 2 }]);
    await rec.idle();
    const live = s.display.recordings();
    expect(live).toMatchObject([{ file: path, files: [path], state: 'recording', frames: 25, frames_dropped: 0 }]);
    expect(live[0].bytes).toBeGreaterThan(0);
    expect(live[0].fragments).toBeGreaterThanOrEqual(2);

    const encoded = encodes(s) - encodesBefore;
    const done = await rec.stop();
    expect(s.display.recordings()).toEqual([]);
    expect(done).toMatchObject({ state: 'stopped', frames: encoded, frames_on_disk: encoded });
    expect(done.bytes).toBe(readFileSync(path).length);

    const probe = probeMp4(path);
    expect(probe).toMatchObject({ codec: 'h264', width: W, height: H });
    expect(probe.packets).toHaveLength(encoded);
    expect(probe.packets[0].keyframe).toBe(true);
    // The units the viewer got since the recorder joined are the recorded ones: their publish times are the samples' times.
    const units = v.frames.slice(-encoded).map((f) => Number(f.header.timestamp_us));
    for (let i = 1; i < probe.packets.length; i++) expect(probe.packets[i].ptsUs).toBeGreaterThan(probe.packets[i - 1].ptsUs);
    probe.packets.forEach((p, i) => expect(Math.abs(p.ptsUs - (units[i] - units[0]))).toBeLessThanOrEqual(1000));
    expect(done.duration_s).toBeCloseTo((units.at(-1) as number) / 1e6 - units[0] / 1e6 + 0.1, 6);

    // Publish times in order, one per source frame: the recording's first unit re-encodes the second frame.
    const published = [...new Set(v.frames.map((f) => Number(f.header.timestamp_us)))];
    const sourceAt = new Map(published.map((t, i) => [t, s.sources[i]]));
    for (const db of psnrs(path, units.map((t) => sourceAt.get(t) as Uint8Array))) expect(db).toBeGreaterThanOrEqual(38);
    // Remuxing loses nothing: the file decodes to exactly what the viewer's Annex B units decode to.
    const viewed = decodeToRaw(Buffer.concat(v.frames.slice(-encoded).map((f) => f.payload)), { format: 'h264' });
    expect(Buffer.concat(decodeFileToRgb(path, W, H).frames).equals(viewed)).toBe(true);
  });

  it('a recording with no viewer creates the H.264 group, and its encoder closes when it stops', async () => {
    const before = liveEncoders();
    const s = await start();
    const path = file('alone.mp4');
    const rec = s.display.record(path);
    expect(s.display.groupMetrics()).toMatchObject([{ members: 1 }]);
    for (let i = 0; i < 12; i++) await recorded(s, rec, INTERVALS_MS[i % INTERVALS_MS.length]);
    expect(liveEncoders()).toBe(before + 1);
    const done = await rec.stop();
    expect(done.frames).toBe(12);
    await until(() => s.display.groupMetrics().length === 0 && liveEncoders() === before, 5000, 'the group to close');
    expect(probeMp4(path).packets).toHaveLength(12);
    for (const db of psnrs(path, s.sources)) expect(db).toBeGreaterThanOrEqual(38);
  });

  it('a re-encode of a frame already recorded (a joining viewer\'s catch-up) is placed just after it', async () => {
    const s = await start();
    const path = file('catch-up.mp4');
    const rec = s.display.record(path);
    for (let i = 0; i < 3; i++) await recorded(s, rec, 40);
    s.clock.advance(PAST_KEYFRAME_LIMIT_MS);
    const v = await watch(s);
    // The viewer joins a quiet stream: the group re-encodes the current frame as a keyframe, for both.
    await v.waitForFrames(1, 10_000);
    await until(() => rec.metrics().frames === 4, 10_000, 'the catch-up unit');
    for (let i = 0; i < 2; i++) await recorded(s, rec, 40, [v]);
    await rec.stop();
    const probe = probeMp4(path);
    expect(probe.packets.map((p) => p.keyframe)).toEqual([true, false, false, true, false, false]);
    const pts = probe.packets.map((p) => p.ptsUs);
    expect(pts.slice(0, 3)).toEqual([0, 40_000, 80_000].map((t) => expect.closeTo(t, -2)));
    expect(pts[3] - pts[2]).toBeCloseTo(100, -2);
    expect(pts[4]).toBeCloseTo(80_000 + PAST_KEYFRAME_LIMIT_MS * 1000 + 40_000, -2);
    const sources = [...s.sources.slice(0, 3), s.sources[2], ...s.sources.slice(3)];
    for (const db of psnrs(path, sources)) expect(db).toBeGreaterThanOrEqual(38);
  });

  it('in per-viewer mode a recording has an encoder of its own', async () => {
    const before = liveEncoders();
    const s = await start({ encoding: 'per-viewer' });
    const v = await watch(s);
    const rec = s.display.record(file('per-viewer.mp4'));
    for (let i = 0; i < 3; i++) await recorded(s, rec, 40, [v]);
    expect(liveEncoders()).toBe(before + 2);
    expect((await rec.stop()).frames).toBe(3);
  });

  it('a change of size or colour starts a new numbered file', async () => {
    const s = await start();
    const path = file('resized.mp4');
    const rec = s.display.record(path);
    for (let i = 0; i < 4; i++) await recorded(s, rec, 40);
    for (let i = 0; i < 3; i++) await recorded(s, rec, 40, [], { size: [256, 144] });
    for (let i = 0; i < 2; i++) await recorded(s, rec, 40, [], { size: [256, 144], color: DISPLAY_P3 });
    const done = await rec.stop();
    const [second, third] = [file('resized-2.mp4'), file('resized-3.mp4')];
    expect(done.files).toEqual([path, second, third]);
    expect(done.frames).toBe(9);
    expect(probeMp4(third)).toMatchObject({ width: 256, height: 144, packets: { length: 2 } });
    expect(probeMp4(path)).toMatchObject({ width: W, height: H, packets: { length: 4 } });
    const next = probeMp4(second);
    expect(next).toMatchObject({ width: 256, height: 144 });
    // Each file starts at its own first frame.
    expect(next.packets.map((p) => p.ptsUs)).toEqual([0, 40_000, 80_000].map((t) => expect.closeTo(t, -2)));
    for (const db of psnrs(second, s.sources.slice(4, 7), 256, 144)) expect(db).toBeGreaterThanOrEqual(38);
  });

  it('records into a Writable, which holds one file: a change of size ends that recording', async () => {
    const s = await start();
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const rec = s.display.record(sink);
    for (let i = 0; i < 5; i++) await recorded(s, rec, 40);
    s.publish(40, { size: [256, 144] });
    await until(() => rec.metrics().state !== 'recording', 10_000, 'the recording to end at the change');
    const done = await rec.stop();
    expect(done).toMatchObject({ state: 'stopped', frames: 5, files: ['<writable>'] });
    expect(sink.writableFinished).toBe(true);
    const path = file('writable.mp4');
    writeFileSync(path, Buffer.concat(chunks));
    expect(probeMp4(path)).toMatchObject({ codec: 'h264', width: W, height: H, packets: { length: 5 } });
  });

  it('never makes the group wait on a stalled disk: it misses frames past its budget and resumes at a keyframe', async () => {
    const s = await start();
    const v = await watch(s);
    const held: Array<() => void> = [];
    let stalled = true;
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        if (stalled) held.push(cb);
        else cb();
      },
    });
    s.publish(40);
    await v.waitForFrames(1, 10_000);
    s.clock.advance(PAST_KEYFRAME_LIMIT_MS);
    const rec = s.display.record(sink, { maxQueuedBytes: 1 });
    await until(() => rec.metrics().frames === 1, 10_000, 'the first keyframe');
    // fps 10: the 11th unit is the next keyframe, which completes the first fragment: its write stalls.
    for (let i = 0; i < 9; i++) await recorded(s, rec, 40, [v]);
    for (let i = 0; i < 5; i++) {
      const n = v.frames.length;
      s.publish(40);
      await v.waitForFrames(n + 1, 10_000);
    }
    expect(rec.metrics()).toMatchObject({ frames: 10, frames_dropped: 4 });
    expect(rec.metrics().queued_bytes).toBeGreaterThan(0);
    stalled = false;
    for (const cb of held.splice(0)) cb();
    await rec.idle();
    // It awaits a keyframe, which the group grants past its rate limit.
    await recorded(s, rec, PAST_KEYFRAME_LIMIT_MS, [v]);
    await recorded(s, rec, 40, [v]);
    const done = await rec.stop();
    expect(done).toMatchObject({ frames: 13, frames_dropped: 4 });
    const path = file('stalled.mp4');
    writeFileSync(path, Buffer.concat(chunks));
    const probe = probeMp4(path);
    expect(probe.packets.map((p) => p.keyframe)).toEqual([true, ...Array(9).fill(false), true, true, false]);
    expect(decodeFileToRgb(path, W, H)).toMatchObject({ stderr: '', frames: { length: 13 } });
  });

  it('finishes its file when the display closes', async () => {
    const s = await start();
    const path = file('closed.mp4');
    const rec = s.display.record(path);
    for (let i = 0; i < 3; i++) await recorded(s, rec, 40);
    await s.display.close();
    const done = await rec.stop();
    expect(done).toMatchObject({ state: 'stopped', frames: 3 });
    expect(probeMp4(path).packets).toHaveLength(3);
  });

  it('refuses a bad target or rendition with a typed error, and a closed display', async () => {
    const s = await start();
    expect(() => s.display.record(join(dir, 'missing', 'x.mp4'))).toThrow(RecordingError);
    expect(() => s.display.record(join(dir, 'missing', 'x.mp4'))).toThrow(/cannot open recording file .*missing\/x\.mp4/);
    expect(() => s.display.record(file('image.mp4'), { rendition: { transport: 'image', mode: 'jpeg' } })).toThrow(RecordingError);
    expect(() => s.display.record({} as Writable)).toThrow(/a file path or a Writable/);
    expect(s.display.groupMetrics()).toEqual([]);
    await s.display.close();
    expect(() => s.display.record(file('late.mp4'))).toThrow(DisplayClosedError);
  });
});
