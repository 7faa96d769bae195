/**
 * `e2e` suite: glass-to-glass latency, from `display.publish()` in Node to the
 * view's `frame` event in headless Chromium (the frame has been drawn into the
 * canvas), through a real server on this machine, for an H.264 viewer
 * (libx264 -> WebCodecs) and a JPEG viewer (imageOnly), at 1280x720.
 *
 * Both ends read the machine's wall clock: Node stamps each publish with
 * performance.timeOrigin + performance.now(), the page stamps each frame
 * event with its own performance.timeOrigin + performance.now(). A drawn
 * frame is paired with its publish through its timestamp_us (stamped by
 * publish() on the display's monotonic clock): a first frame is published
 * alone and waited for, so it is surely the first drawn, and every other
 * frame is the publish whose Node time is as far from that one's as its
 * timestamp_us is (each pairing must hold within 1 ms, or the run fails).
 * `clockOffsetMs` is the page clock minus Node's, estimated from the fastest of
 * a few round trips; it is reported, not applied.
 *
 * The publisher sends a moving pattern at 30 fps: 30 frames of warm-up, then
 * the timed frames (`--frames`, default 150). Frames the server skips for a
 * busy viewer (latest wins) have no latency; `frames` counts those drawn.
 */
import type { Page } from 'playwright-core';

import { createFrame, type Display, type RawFrame } from '../src';
import { movingPattern } from '../src/scenes/patterns';
import { launchChromium } from '../test/helpers/chromium';
import { type DrawnFrame, openOwnPage, startStream, theViewer, viewLog, waitForFrames } from '../test/helpers/e2e';
import { type BenchRow, progress, summarize, type Suite } from './harness';

const FPS = 30;
const WARMUP = 30;
const DISTINCT_FRAMES = 15;
const PAIRING_SLACK_MS = 1;

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes `count` frames at FPS on a drift-free schedule; returns the Node wall time of each publish. */
async function publishPaced(display: Display, frames: RawFrame[], count: number, first: number): Promise<number[]> {
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / FPS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    times.push(nowMs());
    display.publish(frames[(first + i) % frames.length]);
  }
  return times;
}

/** Page clock minus Node clock (ms), from the round trip with the least uncertainty. */
async function clockOffset(page: Page): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 7; i++) {
    const t0 = nowMs();
    const pageMs = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t1 = nowMs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: pageMs - (t0 + t1) / 2 };
  }
  return Math.round(best.offset * 100) / 100;
}

/** Latency of each drawn frame from publish `fromIndex` on: its publish is found by timestamp_us from the anchor (index 0). */
function pairLatencies(drawn: DrawnFrame[], published: number[], fromIndex: number): number[] {
  const anchor = drawn[0];
  const latencies: number[] = [];
  for (const f of drawn) {
    const expected = published[0] + (f.timestampUs - anchor.timestampUs) / 1000;
    let k = 0;
    for (let i = 1; i < published.length; i++) if (Math.abs(published[i] - expected) < Math.abs(published[k] - expected)) k = i;
    if (Math.abs(published[k] - expected) > PAIRING_SLACK_MS) {
      throw new Error(`frame ${f.seq} (timestamp_us ${f.timestampUs}) matches no publish within ${PAIRING_SLACK_MS} ms`);
    }
    if (k >= fromIndex) latencies.push(f.at - published[k]);
  }
  return latencies;
}

async function measure(page: Page, width: number, height: number, transport: 'h264' | 'jpeg', count: number): Promise<BenchRow> {
  const display = await startStream(width, height, { fps: FPS });
  try {
    const frames = Array.from({ length: DISTINCT_FRAMES }, (_, i) => createFrame({ data: movingPattern(width, height, i), width, height }));
    await openOwnPage(page, display, {
      style: { left: '0px', top: '0px', width: `${width}px`, height: `${height}px` },
      view: { fit: 'fill', imageOnly: transport === 'jpeg' },
    });
    await theViewer(display);
    progress(`${transport} ${width}x${height}: ${WARMUP} frames of warm-up, then ${count}`);
    // The pairing's anchor: a first frame published alone, so it is surely the first drawn.
    const anchor = nowMs();
    display.publish(frames[0]);
    await waitForFrames(page, 1);
    const warm = await publishPaced(display, frames, WARMUP, 1);
    const timed = await publishPaced(display, frames, count, WARMUP + 1);
    // Let the last frames arrive (nothing is published meanwhile, so nothing more is sent).
    await sleep(1000);
    const log = await viewLog(page);
    const viewer = display.viewers()[0];
    const expectedTransport = transport === 'h264' ? 'video' : 'image';
    if (viewer?.transport !== expectedTransport) throw new Error(`the viewer is on ${viewer?.transport}, not ${expectedTransport}`);
    const latencies = pairLatencies(log.frames, [anchor, ...warm, ...timed], WARMUP + 1);
    return {
      case: 'glass-to-glass',
      impl: 'rfbcast',
      transport,
      width,
      height,
      frames: latencies.length,
      ...summarize(latencies),
      published: count,
      fps: FPS,
      clockOffsetMs: await clockOffset(page),
    };
  } finally {
    await display.close();
  }
}

export const e2eSuite: Suite = async (args) => {
  const count = args.frames ?? 150;
  const sizes = args.sizes ?? [[1280, 720]];
  const rows: BenchRow[] = [];
  for (const [width, height] of sizes) {
    const browser = await launchChromium({ viewport: { width, height } });
    try {
      for (const transport of ['h264', 'jpeg'] as const) rows.push(await measure(browser.page, width, height, transport, count));
    } finally {
      await browser.close();
    }
  }
  return rows;
};
