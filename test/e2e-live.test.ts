/**
 * A live stream in the full-page viewer (served at `/`) in real headless
 * Chromium and Firefox (one test body, run in each) with a device pixel ratio
 * of 2: a backend switch of that viewer
 * (H.264 -> JPEG -> H.264) keeps the picture going, a page resize reaches the
 * publisher as a resize event with the new CSS and physical sizes, and a
 * wedged video decoder is recovered by the client's watchdog through
 * `decoder_reset` (PROTOCOL.md §4, §9.3, §10.3, §12).
 *
 * The window is 320x180 CSS px, so the canvas's backing store is 640x360,
 * the frame's size: with fit=fill the snapshot compares pixel to pixel, with
 * the tolerances of test/helpers/e2e-picture.ts.
 */
import type { Display } from 'rfbcast';

import type { TestBrowser, TestPage } from './helpers/browsers';
import { describeEachBrowser } from './helpers/each-browser';
import {
  eventually,
  keepPublishing,
  openViewerPage,
  snapshot,
  startStream,
  theViewer,
  viewLog,
  waitForConfigs,
  waitForFrames,
  waitForMoreFrames,
} from './helpers/e2e';
import { CARD, cardFrame, expectCard, TOLERANCE } from './helpers/e2e-picture';

const { width: W, height: H } = CARD;
const DPR = 2;

describeEachBrowser('live', (kind) => {
  let browser: TestBrowser;
  let page: TestPage;
  let display: Display | undefined;
  let publisher: { stop(): void } | undefined;

  beforeAll(async () => {
    browser = await kind.launch({ deviceScaleFactor: DPR, viewport: { width: W / DPR, height: H / DPR } });
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    await page.setViewport(W / DPR, H / DPR);
    display = await startStream(W, H);
    publisher = keepPublishing(display, cardFrame);
    await openViewerPage(page, display, 'fit=fill&stats=0');
    await waitForFrames(page, 3);
  });

  afterEach(async () => {
    publisher?.stop();
    await page.goto('about:blank');
    await display?.close();
  });

  const viewerNow = () => theViewer(display as Display);

  describe('a live viewer in the full-page viewer', () => {
    it('keeps drawing the picture across backend switches: libx264 -> image -> libx264', async () => {
      const viewer = await viewerNow();
      expect(viewer.transport).toBe('video');
      await expectCard(page, TOLERANCE.h264);

      await (display as Display).switchBackend('image', { viewer: viewer.id });
      await waitForConfigs(page, 2);
      await waitForMoreFrames(page, 5);
      expect((await viewerNow()).transport).toBe('image');
      await expectCard(page, TOLERANCE.jpeg);

      await (display as Display).switchBackend('libx264', { viewer: viewer.id });
      await waitForConfigs(page, 3);
      await waitForMoreFrames(page, 5);
      expect((await viewerNow()).transport).toBe('video');
      await expectCard(page, TOLERANCE.h264);

      const log = await viewLog(page);
      expect(log.errors).toEqual([]);
      expect(log.configs.map((c) => [c.transport, c.width, c.height])).toEqual([
        ['webcodecs', W, H],
        ['image', W, H],
        ['webcodecs', W, H],
      ]);
      // One connection all along, and every frame drawn in seq order.
      expect(log.states).toEqual(['connecting', 'open', 'negotiated', 'streaming']);
      const seqs = log.frames.map((f) => f.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    });

    it('a page resize reaches the publisher as a resize event with the new CSS and physical sizes', async () => {
      (display as Display).pollEvents();
      await page.setViewport(450, 301);
      const [resize] = await eventually(
        () => (display as Display).pollEvents().filter((q) => q.event.type === 'resize'),
        (events) => events.length > 0,
        { timeoutMs: 20_000, what: 'a resize event' },
      );
      expect(resize.event).toEqual({ type: 'resize', width: 450, height: 301, pwidth: 900, pheight: 602, ratio: 2 });
      expect((await viewerNow()).viewport).toEqual({ pwidth: 900, pheight: 602, ratio: 2 });
      // The client re-arms its decoder on a resize (§4) and asks for a keyframe: drawing goes on.
      await waitForMoreFrames(page, 5);
      expect((await viewLog(page)).errors).toEqual([]);
    });

    it('a resize keeps a still scene on screen: the picture is redrawn at the new size until the next frame', async () => {
      publisher?.stop();
      // One last frame once the window is empty, so it is sent, not dropped; nothing is published
      // after it, so once it is drawn no other frame can come.
      const d = display as Display;
      await eventually(() => d.metrics()[0].inflight, (n) => n === 0, { timeoutMs: 20_000, what: 'every frame acked' });
      const last = d.publish(cardFrame());
      const { frames } = await eventually(() => viewLog(page), (log) => log.frames.at(-1)?.timestampUs === last, { timeoutMs: 20_000, what: 'the last frame drawn' });
      const drawn = frames.length;
      (display as Display).pollEvents();
      await page.setViewport(W, H);
      await eventually(
        () => (display as Display).pollEvents().filter((q) => q.event.type === 'resize'),
        (events) => events.some((e) => (e.event as { pwidth: number }).pwidth === 2 * W),
        { timeoutMs: 20_000, what: 'a resize event' },
      );
      const shot = await snapshot(page);
      expect([shot.width, shot.height]).toEqual([2 * W, 2 * H]);
      // Nothing new was published or drawn; the old frame fills the larger canvas.
      expect((await viewLog(page)).frames.length).toBe(drawn);
      const card = cardFrame().data as Uint8Array;
      let worst = 0;
      for (let y = 8; y < H; y += 24) {
        for (let x = 8; x < W; x += 24) {
          for (let c = 0; c < 3; c++) {
            worst = Math.max(worst, Math.abs(shot.rgba[(2 * y * 2 * W + 2 * x) * 4 + c] - card[(y * W + x) * 4 + c]));
          }
        }
      }
      expect(worst).toBeLessThanOrEqual(40);
    });

    it('a wedged decoder is recovered by the watchdog through decoder_reset, and drawing resumes', async () => {
      // Relative counts: a loaded machine could, rarely, have made the watchdog fire already.
      const before = (await viewerNow()).decoderResets;
      await page.evaluate(() => (globalThis as unknown as { rfbView: { stallDecoderForTest(): void } }).rfbView.stallDecoderForTest());
      await eventually(viewerNow, (v) => v.decoderResets > before, { timeoutMs: 20_000, what: 'decoder_reset at the server' });
      await waitForMoreFrames(page, 5);
      await expectCard(page, TOLERANCE.h264);
      // The view counts the recovery in its stats (sent once a second).
      await page.waitForFunction(
        () => ((globalThis as unknown as { rfbView: { stats?: { decoderRecoveries: number } } }).rfbView.stats?.decoderRecoveries ?? 0) >= 1,
        null,
      );
    });
  });
});
