/**
 * The full-page viewer's stream picker, in real headless Chromium: with two
 * streams on one hub the page lists both (from the side channel's /streams),
 * shows the first, and switching in the picker moves the one viewer from one
 * stream to the other; `?stream=` opens a named stream directly.
 */
import type { Page } from 'playwright-core';
import { createHub, type Display, type Hub } from 'rfbcast';

import { type Browser, launchChromium } from './helpers/chromium';
import {
  eventually,
  keepPublishing,
  meanColor,
  nearColor,
  openViewerPage,
  type Rgb,
  solidFrame,
  viewLog,
  waitForFrames,
  waitForMoreFrames,
} from './helpers/e2e';

const STREAMS = [
  { name: 'left', width: 320, height: 240, color: [200, 40, 40] as Rgb },
  { name: 'right', width: 256, height: 144, color: [40, 60, 210] as Rgb },
];

let browser: Browser;
let page: Page;
let hub: Hub;
let displays: Display[];
const publishers: Array<{ stop(): void }> = [];

beforeAll(async () => {
  browser = await launchChromium({ viewport: { width: 400, height: 300 } });
  page = browser.page;
  hub = await createHub({ port: 0 });
  displays = await Promise.all(STREAMS.map((s) => hub.addStream(s.name, s.width, s.height, { backend: 'libx264' })));
  displays.forEach((d, i) => publishers.push(keepPublishing(d, () => solidFrame(STREAMS[i].width, STREAMS[i].height, STREAMS[i].color))));
});

afterAll(async () => {
  for (const p of publishers) p.stop();
  await browser?.close();
  await hub?.close();
});

afterEach(async () => {
  await page.goto('about:blank');
});

/**
 * The size of the last frame drawn, and the canvas's mean colour read back
 * from the view (fit=fill: the picture covers the whole canvas).
 */
async function picture(): Promise<{ size: [number, number]; mean: Rgb }> {
  const mean = await meanColor(page);
  const last = (await viewLog(page)).frames.at(-1);
  return { size: [last?.width ?? 0, last?.height ?? 0], mean };
}

function expectShowing(p: { size: [number, number]; mean: Rgb }, stream: (typeof STREAMS)[number]): void {
  expect(p.size).toEqual([stream.width, stream.height]);
  expect({ mean: p.mean, near: nearColor(p.mean, stream.color) }).toEqual({ mean: p.mean, near: true });
}

const viewerCounts = () => Promise.all(displays.map(async (d) => (await d.viewers()).length));

describe('the full-page viewer with several streams', () => {
  it('lists every stream in the picker, shows the first, and moves the viewer when another is picked', async () => {
    await openViewerPage(page, displays[0], 'fit=fill&stats=0');
    await waitForFrames(page, 3);
    const options = await page.$$eval('#picker option', (list) => list.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
    expect(options).toEqual([
      ['left', 'left (320×240)'],
      ['right', 'right (256×144)'],
    ]);
    expect(await page.isVisible('#picker')).toBe(true);
    expect(await eventually(viewerCounts, (c) => c[0] === 1 && c[1] === 0, { timeoutMs: 20_000, what: 'one viewer on left' })).toEqual([1, 0]);
    expectShowing(await picture(), STREAMS[0]);

    await page.selectOption('#picker', 'right');
    await eventually(viewerCounts, (c) => c[0] === 0 && c[1] === 1, { timeoutMs: 20_000, what: 'the viewer moved to right' });
    await waitForMoreFrames(page, 3);
    expectShowing(await picture(), STREAMS[1]);
    expect(await page.title()).toBe('rfbcast · right');
  });

  it('opens the stream named by ?stream= and preselects it in the picker', async () => {
    await openViewerPage(page, displays[0], 'stream=right&fit=fill&stats=0');
    await waitForFrames(page, 3);
    expect(await page.$eval('#picker', (el) => (el as HTMLSelectElement).value)).toBe('right');
    await eventually(viewerCounts, (c) => c[0] === 0 && c[1] === 1, { timeoutMs: 20_000, what: 'one viewer on right' });
    expectShowing(await picture(), STREAMS[1]);
  });
});
