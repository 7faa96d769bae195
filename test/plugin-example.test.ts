/**
 * The plugin example (examples/grey-backend.ts), served and viewed in
 * Chromium: two full-page viewers on H.264, one is switched to the grey
 * plugin at run time and shows a grey picture, the other stays on H.264 in
 * colour.
 */
import { type Display, registerBackend, registryOf } from 'rfbcast';
import type { Page } from 'playwright-core';

import { greyBackend } from '../examples/grey-backend';
import { type Browser, launchChromium } from './helpers/chromium';
import { keepPublishing, openViewerPage, snapshot, startStream, waitForMoreFrames } from './helpers/e2e';
import { until } from './helpers/viewer';

const W = 160;
const H = 90;
const COLOUR = [210, 60, 40];

let display: Display;
let browser: Browser;
let publishing: { stop(): void };

beforeAll(async () => {
  registerBackend(greyBackend);
  display = await startStream(W, H);
  publishing = keepPublishing(display, () => {
    const frame = new Uint8Array(W * H * 4);
    for (let o = 0; o < frame.length; o += 4) frame.set([...COLOUR, 255], o);
    return frame;
  });
  browser = await launchChromium();
});

afterAll(async () => {
  publishing?.stop();
  await browser?.close();
  await display?.close();
  registryOf().unregisterBackend('grey');
});

/** The centre pixel of what the page shows. */
async function centre(page: Page): Promise<number[]> {
  const s = await snapshot(page);
  const o = (Math.floor(s.height / 2) * s.width + Math.floor(s.width / 2)) * 4;
  return Array.from(s.rgba.subarray(o, o + 3));
}

it('switches one viewer to the grey plugin while the other stays on H.264', async () => {
  const pages = [browser.page, await browser.context.newPage()];
  for (const page of pages) await openViewerPage(page, display);
  await until(() => display.viewers().length === 2 && display.viewers().every((x) => x.transport === 'video'), 30_000, 'two H.264 viewers');
  const viewers = display.viewers();
  for (const page of pages) await waitForMoreFrames(page, 1, 30_000);

  await display.switchBackend('grey', { viewer: viewers[0].id });
  await until(() => display.viewers().find((x) => x.id === viewers[0].id)?.backend.split(':')[0] === 'grey', 20_000, 'the switch');
  const after = display.viewers();
  expect(after.find((x) => x.id === viewers[0].id)).toMatchObject({ backend: expect.stringMatching(/^grey(:jpeg)?$/), transport: 'image' });
  expect(after.find((x) => x.id === viewers[1].id)).toMatchObject({ backend: 'libx264', transport: 'video' });

  // Which page is which viewer is the server's business: one shows grey, the other colour.
  const grey = (px: number[]) => Math.max(...px) - Math.min(...px) <= 6;
  const deadline = Date.now() + 20_000;
  let shown = await Promise.all(pages.map(centre));
  while (shown.filter(grey).length !== 1) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for one grey and one colour picture: ${JSON.stringify(shown)}`);
    await new Promise((r) => setTimeout(r, 100));
    shown = await Promise.all(pages.map(centre));
  }
  const colour = shown.find((px) => !grey(px)) as number[];
  colour.forEach((v, c) => expect(Math.abs(v - COLOUR[c])).toBeLessThanOrEqual(12));
  // BT.601 luma of the colour, as libvips' greyscale computes it.
  const luma = 0.299 * COLOUR[0] + 0.587 * COLOUR[1] + 0.114 * COLOUR[2];
  (shown.find(grey) as number[]).forEach((v) => expect(Math.abs(v - luma)).toBeLessThanOrEqual(12));
}, 120_000);
