/**
 * Adaptive quality (PROTOCOL.md §15.2): congestion lowers the bitrate (then
 * fps, then the window), health raises them, each change rebuilds the encoder
 * with a keyframe and is announced with set_quality, never more than once a
 * second.
 */
import { ManualClock } from './helpers/manual-clock';
import { fakeServerScope, rgba } from './helpers/server';
import { TestViewer, until } from './helpers/viewer';
import type { Display } from 'rfbcast';

const scope = fakeServerScope();

/**
 * One frame: publish, receive, let `advanceMs` pass, ack with the given decode queue, wait for
 * the server to see it and for everything it sent meanwhile (a set_quality follows its frame).
 */
async function step(clock: ManualClock, v: TestViewer, d: Display, queue: number, advanceMs: number): Promise<void> {
  const before = v.frames.length;
  const acked = d.metrics()[0].frames_acked;
  d.publish(rgba(64, 48));
  await v.waitForFrames(before + 1);
  clock.advance(advanceMs);
  v.ack(Number(v.frames.at(-1)?.header.seq), queue);
  await until(() => d.metrics()[0].frames_acked === acked + 1);
  await v.sync();
}

it('per viewer: backs off under congestion and recovers when healthy, announcing each change', async () => {
  const clock = new ManualClock();
  const s = await scope.start(64, 48, { adaptive: true, bitrate: 4_000_000, fps: 30, encoding: 'per-viewer' }, clock);
  const v = await scope.connect(s.url, ['webcodecs/h264-annexb'], { configured: true });
  const quality = () => v.texts.filter((t) => t.type === 'set_quality');
  const metrics = () => s.display.metrics()[0];

  // A deep decode queue is congestion: bitrate x0.6 on the next sent frame.
  await step(clock, v, s.display, 5, 10);
  await step(clock, v, s.display, 5, 10);
  await until(() => quality().length === 1);
  expect(quality()[0]).toEqual({ type: 'set_quality', bitrate: 2_400_000, fps: 30 });
  // Within the 1 s cooldown nothing changes.
  await step(clock, v, s.display, 5, 10);
  expect(quality()).toHaveLength(1);
  // The change was applied with one rebuild and a keyframe.
  expect(s.video.created.map((o) => o.bitrate)).toEqual([4_000_000, 2_400_000]);
  expect(v.frames.at(-1)?.header.keyframe).toBe(true);
  expect(metrics().target_bitrate).toBe(2_400_000);

  // Down to the 1 Mbit/s floor, then fps steps down by 5.
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    await step(clock, v, s.display, 5, 0);
  }
  await until(() => quality().length === 4);
  expect(quality().map((q) => [q.bitrate, q.fps])).toEqual([
    [2_400_000, 30],
    [1_440_000, 30],
    [1_000_000, 30],
    [1_000_000, 25],
  ]);

  // A healthy viewer (empty queue, fast acks) climbs back: bitrate x1.25 and fps +5 together.
  await step(clock, v, s.display, 0, 0);
  expect(quality()).toHaveLength(4);
  clock.advance(1000);
  await step(clock, v, s.display, 0, 0);
  await until(() => quality().length === 5);
  expect(quality()[4]).toEqual({ type: 'set_quality', bitrate: 1_250_000, fps: 30 });
});

it('shared: a congested viewer moves down a bitrate tier to a group of its own, and back up when healthy; the other stays', async () => {
  const clock = new ManualClock();
  const s = await scope.start(64, 48, { adaptive: true, bitrate: 4_000_000, fps: 30 }, clock);
  const slow = await scope.connect(s.url, ['webcodecs/h264-annexb'], { configured: true });
  const fast = await scope.connect(s.url, ['webcodecs/h264-annexb'], { configured: true });
  fast.autoAck();
  const quality = () => slow.texts.filter((t) => t.type === 'set_quality');
  const tiers = () => s.display.groupMetrics().map((g) => [g.target_bitrate, g.members]).sort();
  const slowIndex = 0;
  const metrics = () => s.display.metrics()[slowIndex];
  const stepSlow = async (queue: number, advanceMs: number) => {
    const before = slow.frames.length;
    const acked = metrics().frames_acked;
    s.display.publish(rgba(64, 48));
    await slow.waitForFrames(before + 1);
    clock.advance(advanceMs);
    slow.ack(Number(slow.frames.at(-1)?.header.seq), queue);
    await until(() => metrics().frames_acked === acked + 1);
  };
  await stepSlow(5, 10);
  await stepSlow(5, 10);
  await until(() => quality().length === 1);
  // Half the stream bitrate, in a group of its own; the healthy viewer keeps the full-rate group.
  expect(quality()[0]).toEqual({ type: 'set_quality', bitrate: 2_000_000, fps: 30 });
  expect(tiers()).toEqual([
    [2_000_000, 1],
    [4_000_000, 1],
  ]);
  // Its first payload in the new group is a keyframe.
  await stepSlow(5, 10);
  expect(slow.frames.at(-1)?.header.keyframe).toBe(true);
  expect(metrics().target_bitrate).toBe(2_000_000);
  // Healthy again after the cooldown: back to the full-rate group, which the two viewers share again.
  await stepSlow(0, 0);
  expect(quality()).toHaveLength(1);
  clock.advance(1000);
  await stepSlow(0, 0);
  await until(() => quality().length === 2);
  expect(quality()[1]).toEqual({ type: 'set_quality', bitrate: 4_000_000, fps: 30 });
  expect(tiers()).toEqual([[4_000_000, 2]]);
});
