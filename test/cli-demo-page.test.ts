/**
 * The demo page in headless Chromium against a real `rfbcast demo`: the live
 * picture (checked against the test card's colour bars), the controls and the
 * stats, saved as screenshots under test-output/ for a person to look at; then
 * the controls drive the server: the scene select, a backend switch for this
 * viewer only (a second, protocol-level viewer keeps its encoder) and for the
 * whole stream, and fps and size.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { type Browser, launchChromium } from './helpers/chromium';
import { type RunningCli, startCli } from './helpers/cli';
import { TestViewer } from './helpers/viewer';
import { eventually } from './helpers/wait';

const OUT = join(__dirname, '..', 'test-output');
const W = 640;
const H = 360;
/** The test card's colour bars (src/scenes/patterns.ts), left to right. */
const BARS = [[192, 192, 192], [192, 192, 0], [0, 192, 192], [0, 192, 0], [192, 0, 192], [192, 0, 0], [0, 0, 192]];

jest.setTimeout(120_000);

interface Status {
  scene: string;
  width: number;
  height: number;
  fps: number;
  viewers: Array<{ id: string; backend: string; tag?: string }>;
}

describe('the demo page in headless Chromium', () => {
  let cli: RunningCli;
  let browser: Browser;
  let page: Page;

  const status = async () => (await (await fetch(`${cli.url}api/status`)).json()) as Status;
  /** Polls /api/status until `accept` holds (the page's requests travel as input events, so they take a moment). */
  const statusWhere = (accept: (s: Status) => boolean, what: string): Promise<Status> =>
    eventually(status, accept, { timeoutMs: 30_000, what, intervalMs: 200 });
  /** The page's own row in its viewer list (it refreshes once a second). */
  const ownRowShows = (backend: string) =>
    page.waitForFunction((b) => document.querySelector('#viewers .you')?.textContent?.endsWith(`${b} (you)`), backend, { timeout: 30_000 });

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    cli = await startCli(['demo', '--port', '0', '--size', `${W}x${H}`, '--fps', '20']);
    browser = await launchChromium();
    page = browser.page;
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(cli.url);
  });

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
  });

  it('shows the live picture, the controls and the stats (screenshot in test-output/demo-page.png)', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.waitForFunction(
      ([w, h]) => {
        const view = (window as unknown as { rfbView?: { frameSize: { width: number; height: number } } }).rfbView;
        return view?.frameSize.width === w && view.frameSize.height === h;
      },
      [W, H],
      { timeout: 30_000 },
    );
    // Stats arrive once a second; the page finds itself in /api/status through its hello tag.
    await page.waitForFunction(() => /fps/.test(document.getElementById('stats')?.textContent ?? '') && !!document.querySelector('#viewers .you'), null, {
      timeout: 30_000,
    });

    // The frame is fitted (contain) into the canvas: sample each bar's centre there.
    const bars = await page.evaluate(
      async ([w, h, n]) => {
        const view = (window as unknown as { rfbView: { snapshot(): Promise<ImageData> } }).rfbView;
        const img = await view.snapshot();
        const scale = Math.min(img.width / w, img.height / h);
        const [dx, dy] = [(img.width - w * scale) / 2, (img.height - h * scale) / 2];
        return Array.from({ length: n }, (_, i) => {
          const o = (Math.round(dy + h * 0.3 * scale) * img.width + Math.round(dx + ((i + 0.5) * w * scale) / n)) * 4;
          return Array.from(img.data.subarray(o, o + 3));
        });
      },
      [W, H, BARS.length],
    );
    bars.forEach((got, i) => got.forEach((v, c) => expect(Math.abs(v - BARS[i][c])).toBeLessThanOrEqual(6)));

    const controls = await page.evaluate(() => ({
      scenes: [...(document.getElementById('scene') as HTMLSelectElement).options].map((o) => o.value),
      scene: (document.getElementById('scene') as HTMLSelectElement).value,
      backends: [...(document.getElementById('backend') as HTMLSelectElement).options].map((o) => ({ value: o.value, disabled: o.disabled })),
      backend: (document.getElementById('backend') as HTMLSelectElement).value,
      size: (document.getElementById('size') as HTMLSelectElement).value,
      fps: (document.getElementById('fps') as HTMLInputElement).value,
      bitrate: (document.getElementById('bitrate') as HTMLInputElement).value,
      state: document.getElementById('state')?.textContent,
      stats: document.getElementById('stats')?.textContent,
    }));
    expect(controls.scenes).toEqual(expect.arrayContaining(['test_card', 'paint', 'plasma']));
    expect(controls).toMatchObject({ scene: 'test_card', backend: 'libx264', size: `${W}x${H}`, fps: '20', bitrate: '12', state: 'streaming' });
    expect(controls.backends).toEqual(
      expect.arrayContaining([
        { value: 'libx264', disabled: false },
        { value: 'image:png', disabled: false },
      ]),
    );
    if (process.platform !== 'darwin') expect(controls.backends).toContainEqual({ value: 'vtenc', disabled: true });
    expect(controls.stats).toMatch(/webcodecs avc1\./);
    await ownRowShows('libx264');

    const shot = join(OUT, 'demo-page.png');
    await page.screenshot({ path: shot });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
  });

  it('its controls drive the server: scene, backend for this viewer or the stream, fps and size', async () => {
    const other = (await TestViewer.connect(cli.url.replace(/^http/, 'ws'), ['webcodecs/h264-annexb', 'image/jpeg', 'image/png'])).autoAck();
    try {
      await other.waitForFrames(1, 20_000);
      await page.selectOption('#scene', 'checkerboard');
      await statusWhere((s) => s.scene === 'checkerboard', 'the scene change');

      // This viewer only: the page's encoder changes, the other viewer keeps H.264.
      await page.selectOption('#backend', 'image:png');
      await page.check('input[name=scope][value=viewer]');
      await page.click('#switch');
      const mine = (s: Status) => s.viewers.find((v) => v.tag !== undefined);
      const theirs = (s: Status) => s.viewers.find((v) => v.tag === undefined);
      const switched = await statusWhere((s) => s.viewers.length === 2 && mine(s)?.backend === 'image:png', 'this viewer to switch to PNG');
      expect(theirs(switched)?.backend).toBe('libx264');
      await page.waitForFunction(() => /image image\/png/.test(document.getElementById('stats')?.textContent ?? ''), null, { timeout: 30_000 });
      await ownRowShows('image:png');

      // The whole stream: both viewers follow.
      await page.selectOption('#backend', 'image:jpeg');
      await page.check('input[name=scope][value=stream]');
      await page.click('#switch');
      await statusWhere((s) => s.viewers.length === 2 && s.viewers.every((v) => v.backend === 'image:jpeg'), 'both viewers to switch to JPEG');
      await other.waitFor((v) => v.frames.some((f) => f.header.mime === 'image/jpeg'), 20_000, 'a JPEG frame for the other viewer');

      await page.fill('#fps', '12');
      await page.selectOption('#size', '1280x720');
      await page.click('#apply');
      await statusWhere((s) => s.fps === 12 && s.width === 1280 && s.height === 720, 'fps 12 at 1280x720');
      await page.waitForFunction(() => (window as unknown as { rfbView: { frameSize: { width: number } } }).rfbView.frameSize.width === 1280, null, {
        timeout: 30_000,
      });
      // Both panels caught up, so the screenshot shows a consistent page.
      await page.waitForFunction(
        () => {
          const [stream, stats] = ['stream', 'stats'].map((id) => document.getElementById(id)?.textContent ?? '');
          return stream.includes('1280×720') && stats.includes('1280×720') && stats.includes('image/jpeg');
        },
        null,
        { timeout: 30_000 },
      );
      await page.screenshot({ path: join(OUT, 'demo-page-after-controls.png') });
      expect((await status()).viewers).toHaveLength(2);
    } finally {
      other.ws.terminate();
    }
  });
});
