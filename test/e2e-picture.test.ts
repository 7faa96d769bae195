/**
 * The browser client in real headless Chromium and Firefox (one test body,
 * run in each) against a real server with real encoders: an H.264 viewer, a
 * JPEG viewer, and four H.264 viewers sharing one encode group (one joining
 * late) show the published test card (the canvas read back with
 * `view.snapshot()` and compared pixel for pixel), the fallback ladder (no
 * VideoDecoder; hardware refused -> software; software refused too -> images),
 * and a screenshot of the full-page viewer for people.
 * Tolerances: test/helpers/e2e-picture.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import type { Display } from 'rfbcast';

import { type TestBrowser, type TestPage as Page } from './helpers/browsers';
import { describeEachBrowser } from './helpers/each-browser';
import {
  keepPublishing,
  openOwnPage,
  openViewerPage,
  startStream,
  theViewer,
  viewLog,
  waitForFrames,
} from './helpers/e2e';
import { CARD, cardFrame, expectCard, oddCard, TOLERANCE } from './helpers/e2e-picture';

const { width: W, height: H } = CARD;
const H264 = 'webcodecs/h264-annexb';

describeEachBrowser('the viewer', (kind) => {
  let browser: TestBrowser;
  let display: Display | undefined;
  let publisher: { stop(): void } | undefined;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await kind.launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    publisher?.stop();
    for (const p of pages.splice(0)) await p.close();
    await display?.close();
    display = undefined;
  });

  /** A server publishing the test card (or `frame`) 20 times a second, and a fresh page. */
  async function streamAndPage(frame = cardFrame, size = CARD): Promise<Page> {
    display = await startStream(size.width, size.height);
    publisher = keepPublishing(display, frame);
    const page = await browser.newPage();
    pages.push(page);
    return page;
  }

  /** Our page with a canvas exactly the frame's size, so the snapshot compares pixel to pixel. */
  function openOneToOne(page: Page, view: Record<string, unknown> = {}, workerPrelude?: string, size = CARD): Promise<void> {
    return openOwnPage(page, display as Display, {
      style: { left: '0px', top: '0px', width: `${size.width}px`, height: `${size.height}px` },
      view: { fit: 'fill', ...view },
      ...(workerPrelude ? { workerPrelude } : {}),
    });
  }

  async function expectFramesAtSize(page: Page, n: number, size = CARD): Promise<void> {
    await waitForFrames(page, n);
    const log = await viewLog(page);
    expect(log.errors).toEqual([]);
    for (const f of log.frames) expect([f.width, f.height]).toEqual([size.width, size.height]);
  }
  describe('the published picture in the canvas', () => {
    it('an H.264 viewer shows the test card at its size', async () => {
      const page = await streamAndPage();
      await openOneToOne(page);
      await expectFramesAtSize(page, 8);
      const viewer = await theViewer(display as Display);
      expect(viewer.transport).toBe('video');
      expect((await viewLog(page)).configs[0]).toMatchObject({ transport: 'webcodecs', width: W, height: H });
      await expectCard(page, TOLERANCE.h264);
    });

    it('three H.264 viewers share one encode group, and a fourth joins late; each shows the test card', async () => {
      const early = [await streamAndPage()];
      for (let i = 0; i < 2; i++) {
        const page = await browser.newPage();
        pages.push(page);
        early.push(page);
      }
      for (const page of early) await openOneToOne(page);
      for (const page of early) await expectFramesAtSize(page, 5);
      const late = await browser.newPage();
      pages.push(late);
      await openOneToOne(late);
      await expectFramesAtSize(late, 5);
      // One encoder for all four (PROTOCOL.md §9.4).
      expect((display as Display).groupMetrics()).toMatchObject([{ backend: 'libx264', members: 4 }]);
      for (const page of [...early, late]) await expectCard(page, TOLERANCE.h264);
    });

    it('an odd-sized H.264 picture is cropped to even and drawn without the encoder’s padding rows', async () => {
      // 451x301: macroblocks pad it to 464x304, the server crops it to 450x300 (§11.1).
      const odd = oddCard(451, 301);
      const page = await streamAndPage(odd.frame, { width: 451, height: 301 });
      await openOneToOne(page, {}, undefined, odd.shown);
      await expectFramesAtSize(page, 5, odd.shown);
      expect((await theViewer(display as Display)).transport).toBe('video');
      await expectCard(page, TOLERANCE.h264, odd.shown);
    });

    it('a JPEG viewer (imageOnly) shows the test card at its size, and never advertised H.264', async () => {
      const page = await streamAndPage();
      await openOneToOne(page, { imageOnly: true });
      await expectFramesAtSize(page, 8);
      const viewer = await theViewer(display as Display);
      expect(viewer.supported).not.toContain(H264);
      expect(viewer.supported).toEqual(expect.arrayContaining(['image/jpeg', 'image/png']));
      expect(viewer).toMatchObject({ transport: 'image', backend: 'image:jpeg' });
      await expectCard(page, TOLERANCE.jpeg);
    });
  });

  describe('the fallback ladder', () => {
    it('without VideoDecoder the client advertises images only and still shows the picture', async () => {
      const page = await streamAndPage();
      // Gone from the page (an init script) and from the worker's scope, where the probe and decoders run.
      await page.addInitScript(() => {
        delete (globalThis as { VideoDecoder?: unknown }).VideoDecoder;
      });
      await openOneToOne(page, {}, 'delete globalThis.VideoDecoder;');
      await expectFramesAtSize(page, 5);
      const viewer = await theViewer(display as Display);
      expect(viewer.supported).not.toContain(H264);
      expect(viewer.transport).toBe('image');
      await expectCard(page, TOLERANCE.jpeg);
    });

    /**
     * Posts each configure's hardwareAcceleration from the worker, and makes
     * the decoder refuse `refuse` configurations as a broken hardware decoder
     * does: Chromium's own way when asked for 'prefer-hardware' without a GPU
     * (asynchronously, through the error callback); Firefox's way, where
     * isConfigSupported() said yes, by failing the first decode (an error
     * callback before any output).
     */
    const refusing = (refuse: string) => `{
      const configure = VideoDecoder.prototype.configure;
      const decode = VideoDecoder.prototype.decode;
      const channel = new BroadcastChannel('rfbcast-e2e');
      const refused = new WeakSet();
      VideoDecoder.prototype.configure = function (config) {
        const asked = config.hardwareAcceleration ?? 'no-preference';
        channel.postMessage(asked);
        if (${refuse}) refused.add(this); else refused.delete(this);
        return configure.call(this, config);
      };
      VideoDecoder.prototype.decode = function (chunk) {
        if (!refused.has(this)) return decode.call(this, chunk);
        // Corrupt the chunk: the real decoder then fails it, as a refusing one does.
        const bytes = new Uint8Array(chunk.byteLength);
        bytes.fill(0xff);
        return decode.call(this, new EncodedVideoChunk({ type: chunk.type, timestamp: chunk.timestamp, data: bytes }));
      };
    }`;

    const accelerations = async (page: Page) => (await viewLog(page)).fromWorker;

    it('a refused hardware configuration is retried in software and the view stays on H.264', async () => {
      const page = await streamAndPage();
      await openOneToOne(page, {}, refusing("asked !== 'prefer-software'"));
      await expectFramesAtSize(page, 5);
      expect((await accelerations(page)).slice(0, 2)).toEqual(['no-preference', 'prefer-software']);
      const viewer = await theViewer(display as Display);
      expect(viewer.transport).toBe('video');
      await expectCard(page, TOLERANCE.h264);
    });

    it('when software is refused too, the client reconnects advertising images only', async () => {
      const page = await streamAndPage();
      await openOneToOne(page, {}, refusing('true'));
      await waitForFrames(page, 5);
      const log = await viewLog(page);
      expect(log.errors).toEqual([expect.stringMatching(/cannot decode avc1\.[0-9A-F]{6}.*reconnecting with images only/)]);
      expect(log.configs.map((c) => c.transport)).toEqual(['webcodecs', 'image']);
      expect(await accelerations(page)).toEqual(['no-preference', 'prefer-software']);
      const viewer = await theViewer(display as Display);
      expect(viewer.supported).not.toContain(H264);
      expect(viewer.transport).toBe('image');
      await expectCard(page, TOLERANCE.jpeg);
    });
  });

  describe('a screenshot for people', () => {
    it('saves test-output/e2e-viewer-<browser>.png: the full-page viewer letterboxing the card, with its stats overlay', async () => {
      const page = await streamAndPage();
      await page.setViewport(800, 600);
      await openViewerPage(page, display as Display);
      await waitForFrames(page, 5);
      // The overlay updates once a second.
      await page.waitForFunction(() => /fps/.test(document.querySelector('.rfbcast-stats')?.textContent ?? ''), null);
      mkdirSync('test-output', { recursive: true });
      const path = join('test-output', `e2e-viewer-${kind.name}.png`);
      const png = await page.screenshot(path);
      // contain: the 640x360 card scaled to 800x450, letterboxed by 75 px above and below.
      const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([800, 600]);
      const at = (x: number, y: number) => [...data.subarray((y * 800 + x) * 3, (y * 800 + x) * 3 + 3)];
      const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - want[i]) <= 8);
      expect(at(700, 50)).toEqual([0, 0, 0]);
      expect(at(400, 590)).toEqual([0, 0, 0]);
      // Bar centres (the card's bars are 640/7 wide, x800/640 on screen).
      const bars = [[192, 192, 192], [192, 192, 0], [0, 192, 192], [0, 192, 0], [192, 0, 192], [192, 0, 0], [0, 0, 192]];
      bars.forEach((want, i) => {
        const got = at(Math.round(((i + 0.5) * 800) / 7), 300);
        expect({ bar: i, ok: near(got, want), got }).toEqual({ bar: i, ok: true, got });
      });
    });
  });
});
